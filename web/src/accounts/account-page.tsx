import { useAccountAccess } from '../api/access-queries.js';
import { useAccount, useAccounts, useServices } from '../api/queries.js';
import type { Account } from '../api/types.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link } from '../router.js';
import { useCan } from '../access/use-can.js';
import { AccountSettingsForm } from './account-settings-form.js';
import { CreateAccountForm } from './create-account-form.js';
import { TeamsAppCard } from './teams-app-card.js';
import { AccountHealth } from '../overview/account-health.js';
import { ProviderOverview } from '../overview/provider-overview.js';

/**
 * One account: its name and state; for a client its health page (issue 18) and services, for a partner its
 * customers' health, worst first, and its client accounts.
 */
export function AccountPage({ accountId }: { accountId: string }) {
  const account = useAccount(accountId);
  const can = useCan(accountId);
  // Suspending and reactivating is the partner's call (an operator's for a partner): it stays possible on a
  // suspended account, where the changing permissions are gone.
  const canParent = useCan(account.data?.parentId ?? undefined);
  const operator = useAccountAccess(accountId).data?.platformOperator === true;
  const mayChangeStatus = account.data?.parentId ? canParent('account.manage') : operator;
  if (account.isPending) return <Loading label="Loading the account" />;
  if (account.isError) return <ErrorNotice error={account.error} />;
  const a = account.data;
  return (
    <section className="page">
      <p className="eyebrow">
        {a.kind === 'partner' ? 'Partner account' : 'Client account'}
        {a.parentId && <ParentLink parentId={a.parentId} />}
      </p>
      <PageTitle title={a.name}>
        {a.name} {a.status === 'suspended' && <span className="badge badge-warn">suspended</span>}
      </PageTitle>
      {a.kind === 'partner' ? <ProviderOverview partnerId={a.id} /> : <AccountHealth accountId={a.id} />}
      <div className="columns">
        {a.kind === 'partner' ? <ClientAccounts partner={a} /> : <ServicesSummary accountId={a.id} />}
        {(can('account.manage') || mayChangeStatus) && <AccountSettingsForm account={a} />}
        {a.kind === 'partner' && can('brand.read') && <TeamsAppCard accountId={a.id} />}
      </div>
    </section>
  );
}

function ParentLink({ parentId }: { parentId: string }) {
  const accounts = useAccounts();
  const parent = accounts.data?.find((p) => p.id === parentId);
  if (!parent) return null;
  return (
    <>
      {' of '}
      <Link to={`/accounts/${parent.id}`}>{parent.name}</Link>
    </>
  );
}

function ClientAccounts({ partner }: { partner: Account }) {
  const accounts = useAccounts();
  const can = useCan(partner.id);
  const clients = (accounts.data ?? [])
    .filter((c) => c.parentId === partner.id)
    .sort((x, y) => x.name.localeCompare(y.name));
  return (
    <div className="stack">
      <section className="card" aria-labelledby="clients-heading">
        <h2 id="clients-heading">Client accounts</h2>
        {accounts.isPending && <Loading label="Loading client accounts" />}
        {accounts.data && clients.length === 0 && (
          <p className="muted">No client accounts yet: add one below.</p>
        )}
        <ul className="plain-list">
          {clients.map((c) => (
            <li key={c.id}>
              <Link to={`/accounts/${c.id}`}>{c.name}</Link>
              {c.kind === 'partner' && <span className="badge">partner</span>}
              {c.status === 'suspended' && <span className="badge badge-warn">suspended</span>}
            </li>
          ))}
        </ul>
      </section>
      {can('account.manage') && <CreateAccountForm kind="client" parentId={partner.id} />}
    </div>
  );
}

function ServicesSummary({ accountId }: { accountId: string }) {
  const services = useServices(accountId);
  const can = useCan(accountId);
  return (
    <section className="card" aria-labelledby="services-heading">
      <h2 id="services-heading">Services</h2>
      {services.isPending && <Loading label="Loading services" />}
      <ErrorNotice error={services.error} />
      {services.data?.length === 0 && (
        <p className="muted">
          No PBX or trunk service yet. Add the PBX first: users register to it with their SIP credentials.
        </p>
      )}
      <ul className="plain-list">
        {services.data?.map((s) => (
          <li key={s.id}>
            <Link to={`/accounts/${accountId}/services/${s.id}`}>{s.name}</Link>{' '}
            <span className="muted">
              {s.kind === 'pbx' ? 'PBX' : 'SIP trunk'} · {s.sipDomain}
            </span>
          </li>
        ))}
      </ul>
      <p className="actions">
        {can('service.write') && (
          <Link className="button" to={`/accounts/${accountId}/services/new`}>
            Add a PBX service
          </Link>
        )}
        <Link className="button" to={`/accounts/${accountId}/users`}>
          Users
        </Link>
      </p>
    </section>
  );
}
