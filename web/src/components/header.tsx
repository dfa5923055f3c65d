import { useAccountAccess } from '../api/access-queries.js';
import { useSignOut } from '../api/queries.js';
import type { Administrator, Permission } from '../api/types.js';
import { Link, routeAccountId, type Route } from '../router.js';
import { AccountSwitcher } from './account-switcher.js';

/** The bar on every page: product name, account switcher, the account's sections, the administrator. */
export function Header({ administrator, route }: { administrator: Administrator; route: Route }) {
  const signOut = useSignOut();
  const accountId = routeAccountId(route);
  return (
    <header className="app-header">
      <div className="app-header-row">
        <Link to="/" className="brand">
          Callbridge
        </Link>
        <AccountSwitcher currentId={accountId} route={route} />
        {administrator.platformOperator && (
          <Link
            to="/teams-edge"
            className="button-quiet"
            aria-current={route.page === 'teams-edge' ? 'page' : undefined}
          >
            Teams edge
          </Link>
        )}
        <div className="who">
          <span className="who-name" title={administrator.email}>
            {administrator.displayName || administrator.email}
          </span>
          <Link to="/password" className="button-quiet">
            Change password
          </Link>
          <button type="button" className="button-quiet" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        </div>
      </div>
      {accountId && <AccountNav accountId={accountId} route={route} />}
    </header>
  );
}

// Sections of an account; a service's own pages (settings, Teams services, sync, import) sit under Services.
// A section needing a permission is left out once the caller is known not to hold it; the administration
// sections (`extra`) appear only once the caller is known to hold it.
const sections: { page: Route['page']; label: string; path: string; needs?: Permission; extra?: true }[] = [
  { page: 'account', label: 'Overview', path: '' },
  { page: 'services', label: 'Services', path: '/services', needs: 'service.list' },
  { page: 'users', label: 'Users', path: '/users', needs: 'service.read' },
  { page: 'calls', label: 'Calls', path: '/calls', needs: 'service.read' },
  { page: 'alerts', label: 'Alerts', path: '/alerts', needs: 'service.read' },
  { page: 'tenant', label: 'Microsoft 365', path: '/microsoft-365', needs: 'service.read' },
  { page: 'licences', label: 'Licences', path: '/licences', needs: 'licence.read' },
  {
    page: 'administrators',
    label: 'Administrators',
    path: '/administrators',
    needs: 'access.manage',
    extra: true,
  },
  { page: 'audit', label: 'Audit log', path: '/audit', needs: 'audit.read', extra: true },
];

/** The section a page belongs to: a service's pages under Services, a user's under Users. */
function sectionOf(route: Route): Route['page'] {
  const parents: Partial<Record<Route['page'], Route['page']>> = {
    service: 'services',
    'service-sync': 'services',
    'service-teams': 'services',
    'service-import': 'services',
    user: 'users',
    call: 'calls',
    'alert-subscriptions': 'alerts',
  };
  return parents[route.page] ?? route.page;
}

function AccountNav({ accountId, route }: { accountId: string; route: Route }) {
  const current = sectionOf(route);
  const permissions = useAccountAccess(accountId).data?.permissions;
  const shown = (s: (typeof sections)[number]) => {
    if (!s.needs || current === s.page) return true;
    return permissions ? permissions.includes(s.needs) : !s.extra;
  };
  return (
    <nav className="account-nav" aria-label="Account sections">
      <ul>
        {sections.filter(shown).map((s) => (
          <li key={s.page}>
            <Link
              to={`/accounts/${accountId}${s.path}`}
              aria-current={current === s.page ? 'page' : undefined}
            >
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
