import { useRevokeRole, useRoles } from '../api/access-queries.js';
import type { RoleAssignment, Role } from '../api/types.js';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { InviteForm } from './invite-form.js';
import { InvitationsList } from './invitations-list.js';
import { useCan } from './use-can.js';

/** Account → Administrators: who holds which role here, granting and revoking, invitations by email. */
export function AdministratorsPage({ accountId }: { accountId: string }) {
  const can = useCan(accountId);
  const roles = useRoles(accountId);
  return (
    <section className="page">
      <PageTitle title="Administrators">Administrators</PageTitle>
      <p className="muted">
        Roles held on this account apply to it and to every account beneath it. A role is given by invitation,
        whether or not the person already signs in to Callbridge: they accept it (with their password if they
        have one), then hold the role.
      </p>
      {roles.isPending && <Loading label="Loading administrators" />}
      <ErrorNotice error={roles.error} />
      {roles.data && (
        <div className="columns">
          <div className="stack">
            <RolesTable accountId={accountId} items={roles.data.items} grantable={roles.data.grantable} />
            <InvitationsList accountId={accountId} />
          </div>
          {can('access.manage') && roles.data.grantable.length > 0 && (
            <div className="stack">
              <InviteForm accountId={accountId} grantable={roles.data.grantable} />
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function RolesTable({
  accountId,
  items,
  grantable,
}: {
  accountId: string;
  items: RoleAssignment[];
  grantable: Role[];
}) {
  const revoke = useRevokeRole(accountId);
  return (
    <section className="card" aria-labelledby="roles-heading">
      <h2 id="roles-heading">Roles on this account</h2>
      <ErrorNotice error={revoke.error} title="Not revoked." />
      {items.length === 0 ? (
        <p className="muted">Nobody holds a role on this account itself (roles on a partner above apply).</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table roles-table">
            <caption className="visually-hidden">Administrators and their roles</caption>
            <thead>
              <tr>
                <th scope="col">Administrator</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td data-label="Administrator" className="col-name">
                    {a.displayName !== a.email && <span>{a.displayName} </span>}
                    <span className="muted">{a.email}</span>
                  </td>
                  <td data-label="Role">{a.roleLabel}</td>
                  <td data-label="Actions" className="col-actions">
                    {grantable.includes(a.role) && (
                      <button
                        type="button"
                        className="button-small"
                        disabled={revoke.isPending}
                        aria-label={`Revoke ${a.roleLabel} from ${a.email}`}
                        onClick={() => revoke.mutate({ administratorId: a.administratorId, role: a.role })}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
