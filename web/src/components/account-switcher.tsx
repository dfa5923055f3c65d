import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useAccounts } from '../api/queries.js';
import type { Account } from '../api/types.js';
import { Link, type Route } from '../router.js';

/**
 * Picks the account to work in: a button that opens a searchable list of partners, each with its client
 * accounts, as ordinary links (Tab moves through them, Escape closes). Switching keeps the section (Services,
 * Users) the administrator was looking at.
 */
export function AccountSwitcher({ currentId, route }: { currentId: string | undefined; route: Route }) {
  const accounts = useAccounts();
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const current = accounts.data?.find((a) => a.id === currentId);

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', closeOutside);
    return () => document.removeEventListener('mousedown', closeOutside);
  }, [open]);

  const close = () => {
    setOpen(false);
    setFilter('');
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    close();
    button.current?.focus();
  };
  const section = sectionOf(route);
  const groups = filterGroups(groupByPartner(accounts.data ?? []), filter);
  return (
    <div className="account-switcher" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        className="switcher-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Account ${current ? current.name : 'All accounts'}: switch account`}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <span className="switcher-caption">Account</span>
        <span className="switcher-current">{current ? current.name : 'All accounts'}</span>
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="switcher-panel" id={panelId} role="region" aria-label="Switch account">
          <input
            type="search"
            aria-label="Find an account"
            placeholder="Find an account"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            autoFocus
          />
          <ul className="switcher-list">
            <li>
              <Link to="/" onClick={close} aria-current={currentId ? undefined : 'page'}>
                All accounts
              </Link>
            </li>
            {groups.map(({ partner, clients }) => (
              <li key={partner?.id ?? 'other'}>
                {partner ? (
                  <AccountLink account={partner} section={section} currentId={currentId} onPick={close} />
                ) : (
                  <span className="muted">Other accounts</span>
                )}
                {clients.length > 0 && (
                  <ul>
                    {clients.map((c) => (
                      <li key={c.id}>
                        <AccountLink account={c} section={section} currentId={currentId} onPick={close} />
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
          {groups.length === 0 && <p className="muted">No account matches “{filter}”.</p>}
        </div>
      )}
    </div>
  );
}

function AccountLink({
  account,
  section,
  currentId,
  onPick,
}: {
  account: Account;
  section: string;
  currentId: string | undefined;
  onPick: () => void;
}) {
  return (
    <Link
      to={`/accounts/${account.id}${section}`}
      onClick={onPick}
      aria-current={account.id === currentId ? 'page' : undefined}
    >
      {account.name}
      {account.kind === 'partner' && <span className="badge">partner</span>}
    </Link>
  );
}

function sectionOf(route: Route): string {
  const sections: Partial<Record<Route['page'], string>> = {
    services: '/services',
    service: '/services',
    'service-sync': '/services',
    'service-teams': '/services',
    'service-import': '/services',
    users: '/users',
    user: '/users',
    tenant: '/microsoft-365',
    licences: '/licences',
    administrators: '/administrators',
    audit: '/audit',
  };
  return sections[route.page] ?? '';
}

interface PartnerGroup {
  partner: Account | undefined;
  clients: Account[];
}

/** Partners in name order with their clients; clients whose partner is not visible go last. */
export function groupByPartner(accounts: Account[]): PartnerGroup[] {
  const byName = (a: Account, b: Account) => a.name.localeCompare(b.name);
  const partners = accounts.filter((a) => a.kind === 'partner').sort(byName);
  const partnerIds = new Set(partners.map((p) => p.id));
  const groups: PartnerGroup[] = partners.map((partner) => ({
    partner,
    clients: accounts.filter((a) => a.kind === 'client' && a.parentId === partner.id).sort(byName),
  }));
  const orphans = accounts
    .filter((a) => a.kind === 'client' && !partnerIds.has(a.parentId ?? ''))
    .sort(byName);
  if (orphans.length > 0) groups.push({ partner: undefined, clients: orphans });
  return groups;
}

/** Keeps a partner when its name matches (with all its clients), else only its matching clients. */
function filterGroups(groups: PartnerGroup[], filter: string): PartnerGroup[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return groups;
  const matches = (a: Account) => a.name.toLowerCase().includes(needle);
  return groups
    .map((g) => (g.partner && matches(g.partner) ? g : { ...g, clients: g.clients.filter(matches) }))
    .filter((g) => (g.partner && matches(g.partner)) || g.clients.length > 0);
}
