import { useAccounts } from '../api/queries.js';
import { groupByPartner } from '../components/account-switcher.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import { CreateAccountForm } from './create-account-form.js';

/** All accounts, partners with their clients, and a form to add a partner. */
export function HomePage() {
  const accounts = useAccounts();
  const groups = groupByPartner(accounts.data ?? []);
  return (
    <section className="page">
      <PageTitle title="Accounts">Accounts</PageTitle>
      {accounts.isPending && <Loading label="Loading accounts" />}
      <ErrorNotice error={accounts.error} />
      {accounts.data?.length === 0 && (
        <p className="empty">No accounts yet. Add a partner account first; client accounts sit beneath it.</p>
      )}
      <div className="grid-cards">
        {groups.map(({ partner, clients }) => (
          <article className="card" key={partner?.id ?? 'other'}>
            <h2>{partner ? <Link to={`/accounts/${partner.id}`}>{partner.name}</Link> : 'Other accounts'}</h2>
            {partner && <p className="muted">Partner · {clients.length} client accounts</p>}
            {clients.length > 0 ? (
              <ul className="plain-list">
                {clients.map((c) => (
                  <li key={c.id}>
                    <Link to={`/accounts/${c.id}`}>{c.name}</Link>
                    {c.status === 'suspended' && <span className="badge badge-warn">suspended</span>}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">No client accounts yet.</p>
            )}
          </article>
        ))}
      </div>
      <CreateAccountForm kind="partner" />
    </section>
  );
}
