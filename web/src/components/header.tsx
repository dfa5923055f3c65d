import { useSignOut } from '../api/queries.js';
import type { Administrator } from '../api/types.js';
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
        <div className="who">
          <span className="who-name" title={administrator.email}>
            {administrator.displayName || administrator.email}
          </span>
          <button type="button" className="button-quiet" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        </div>
      </div>
      {accountId && <AccountNav accountId={accountId} route={route} />}
    </header>
  );
}

// Sections of an account; a service's own pages (settings, sync, import) sit under Services.
const sections = [
  { page: 'account', label: 'Overview', path: '' },
  { page: 'services', label: 'Services', path: '/services' },
  { page: 'users', label: 'Users', path: '/users' },
  { page: 'tenant', label: 'Microsoft 365', path: '/microsoft-365' },
  { page: 'licences', label: 'Licences', path: '/licences' },
] as const;

/** The section a page belongs to: a service's pages under Services, a user's under Users. */
function sectionOf(route: Route): Route['page'] {
  const parents: Partial<Record<Route['page'], Route['page']>> = {
    service: 'services',
    'service-sync': 'services',
    'service-import': 'services',
    user: 'users',
  };
  return parents[route.page] ?? route.page;
}

function AccountNav({ accountId, route }: { accountId: string; route: Route }) {
  const current = sectionOf(route);
  return (
    <nav className="account-nav" aria-label="Account sections">
      <ul>
        {sections.map((s) => (
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
