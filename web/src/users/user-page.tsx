import { useServices, useUser } from '../api/queries.js';
import { CallLog } from '../calls/call-log.js';
import { useDeleteUser } from '../api/registration-queries.js';
import { useCan } from '../access/use-can.js';
import type { User } from '../api/types.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link, navigate } from '../router.js';
import { KIND_LABELS, KindIcon } from './kind-icon.js';
import { readinessWarnings } from './readiness.js';
import { RegistrationDetails } from './registration-details.js';
import { TestCallCard } from './test-call-card.js';
import { UserForm } from './user-form.js';

/** One user (or a new one): settings, readiness, registration and Microsoft 365 details. */
export function UserPage({ accountId, userId }: { accountId: string; userId: string | undefined }) {
  const services = useServices(accountId);
  if (services.isPending) return <Loading label="Loading" />;
  if (services.isError) return <ErrorNotice error={services.error} />;
  if (!userId) {
    return (
      <section className="page page-narrow">
        <Breadcrumb accountId={accountId} />
        <PageTitle title="Add a user">Add a user</PageTitle>
        {services.data.length === 0 ? (
          <p className="notice">
            Users belong to a service.{' '}
            <Link to={`/accounts/${accountId}/services/new`}>Add a PBX service</Link> first.
          </p>
        ) : (
          <UserForm accountId={accountId} user={undefined} services={services.data} />
        )}
      </section>
    );
  }
  return <ExistingUser accountId={accountId} userId={userId} />;
}

function ExistingUser({ accountId, userId }: { accountId: string; userId: string }) {
  const user = useUser(accountId, userId);
  const can = useCan(accountId);
  if (user.isPending) return <Loading label="Loading the user" />;
  if (user.isError) return <ErrorNotice error={user.error} />;
  const u = user.data;
  return (
    <section className="page">
      <Breadcrumb accountId={accountId} />
      <div className="title-with-icon">
        <KindIcon kind={u.kind} />
        <PageTitle title={u.displayName}>{u.displayName}</PageTitle>
      </div>
      <p className="muted">
        {KIND_LABELS[u.kind]} · {u.email}
      </p>
      <Readiness user={u} />
      <div className="columns">
        <UserForm accountId={accountId} user={u} services={[]} />
        <div className="stack">
          <RegistrationDetails accountId={accountId} user={u} />
          {can('service.write') && <TestCallCard accountId={accountId} user={u} />}
          <TenantDetails user={u} />
          <DeleteUser accountId={accountId} user={u} />
        </div>
      </div>
      <CallLog accountId={accountId} filters={{ userId: u.id }} />
    </section>
  );
}

function Breadcrumb({ accountId }: { accountId: string }) {
  return (
    <p className="eyebrow">
      <Link to={`/accounts/${accountId}/users`}>Users</Link>
    </p>
  );
}

function Readiness({ user }: { user: User }) {
  const warnings = readinessWarnings(user);
  if (warnings.length === 0) return null;
  return (
    <section className="notice notice-warn" aria-labelledby="readiness-heading">
      <h2 id="readiness-heading">Before this user can call through the PBX</h2>
      <ul>
        {warnings.map((w) => (
          <li key={w.short}>{w.detail}</li>
        ))}
      </ul>
    </section>
  );
}

/** Deleting a user unregisters them from the PBX and frees their number and licence; asked for once more. */
function DeleteUser({ accountId, user }: { accountId: string; user: User }) {
  const remove = useDeleteUser(accountId, user.id);
  const onDelete = () => {
    if (!window.confirm(`Delete ${user.displayName}? They are unregistered from the PBX at once.`)) return;
    remove.mutate(undefined, { onSuccess: () => navigate(`/accounts/${accountId}/users`) });
  };
  return (
    <section className="card" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete</h2>
      <p className="muted">Unregisters the user from the PBX and frees their number and licence.</p>
      <button type="button" className="button-small" disabled={remove.isPending} onClick={onDelete}>
        Delete user
      </button>
      <ErrorNotice error={remove.error} />
    </section>
  );
}

const TENANT_STATES: Record<User['tenantState'], string> = {
  active: 'Active',
  disabled: 'Disabled in Microsoft 365',
  removed: 'Removed from Microsoft 365',
  not_synced: 'Not synced yet',
};

/** What the last sync brought from Microsoft 365. */
function TenantDetails({ user }: { user: User }) {
  return (
    <section className="card" aria-labelledby="tenant-heading">
      <h2 id="tenant-heading">Microsoft 365</h2>
      <dl className="facts">
        <dt>State</dt>
        <dd>{TENANT_STATES[user.tenantState]}</dd>
        <dt>Sign-in name</dt>
        <dd>{user.upn ?? '—'}</dd>
        <dt>Usage location</dt>
        <dd>{user.usageLocation ?? '—'}</dd>
        <dt>Coexistence mode</dt>
        <dd>{user.coexistenceMode ?? '—'}</dd>
        <dt>Licences</dt>
        <dd>{user.licences.length > 0 ? user.licences.join(', ') : '—'}</dd>
        <dt>Teams line URI</dt>
        <dd className="mono">{user.lineUri ?? '—'}</dd>
        <dt>Last sync problem</dt>
        <dd>{user.syncError ?? 'none'}</dd>
      </dl>
    </section>
  );
}
