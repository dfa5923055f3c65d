import { useAccounts } from '../api/queries.js';
import type { Account } from '../api/types.js';
import { navigate, type Route } from '../router.js';

/**
 * Picks the account to work in: partners, each followed by its client accounts. Switching keeps the section
 * (Services, Users) the administrator was looking at.
 */
export function AccountSwitcher({ currentId, route }: { currentId: string | undefined; route: Route }) {
  const accounts = useAccounts();
  const groups = groupByPartner(accounts.data ?? []);
  const switchTo = (id: string) => {
    if (!id) return navigate('/');
    const section = route.page === 'services' || route.page === 'service' ? '/services' : '';
    const users = route.page === 'users' || route.page === 'user' ? '/users' : '';
    navigate(`/accounts/${id}${section || users}`);
  };
  return (
    <div className="account-switcher">
      <label htmlFor="account-switcher">Account</label>
      <select
        id="account-switcher"
        value={currentId ?? ''}
        onChange={(e) => switchTo(e.target.value)}
        disabled={accounts.isPending}
      >
        <option value="">All accounts</option>
        {groups.map(({ partner, clients }) => (
          <optgroup
            key={partner?.id ?? 'none'}
            label={partner ? `Partner: ${partner.name}` : 'Other accounts'}
          >
            {partner && <option value={partner.id}>{partner.name} (partner)</option>}
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
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
