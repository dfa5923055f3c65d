import { useAccountAccess, useInvitations, useRevokeInvitation } from '../api/access-queries.js';
import { ErrorNotice, Loading } from '../components/status.js';
import { formatDay, invitationState, ROLE_LABELS, type InvitationState } from './role-labels.js';
import { useCan } from './use-can.js';

const STATE_TONES: Record<InvitationState, string> = {
  pending: 'badge-info',
  accepted: 'badge-ok',
  revoked: 'badge-idle',
  expired: 'badge-warn',
};

/** Invitations to the account, newest first, with their state; a pending one can be revoked. */
export function InvitationsList({ accountId }: { accountId: string }) {
  const invitations = useInvitations(accountId);
  const revoke = useRevokeInvitation(accountId);
  const can = useCan(accountId);
  // A suspended account is read-only: its invitations are shown, not revoked.
  const suspended = useAccountAccess(accountId).data?.suspension != null;
  const items = [...(invitations.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <section className="card" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      {invitations.isPending && <Loading label="Loading invitations" />}
      <ErrorNotice error={invitations.error} />
      <ErrorNotice error={revoke.error} title="Not revoked." />
      {invitations.data?.length === 0 && <p className="muted">No invitations yet.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="data-table invitations-table">
            <caption className="visually-hidden">Invitations</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Sent</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const state = invitationState(i);
                return (
                  <tr key={i.id}>
                    <td data-label="Email" className="col-name">
                      {i.email}
                    </td>
                    <td data-label="Role">{ROLE_LABELS[i.role]}</td>
                    <td data-label="State">
                      <span className={`badge ${STATE_TONES[state]}`}>{state}</span>
                    </td>
                    <td data-label="Sent" className="col-when">
                      {formatDay(i.createdAt)}
                    </td>
                    <td data-label="Actions" className="col-actions">
                      {state === 'pending' && can('access.manage') && !suspended && (
                        <button
                          type="button"
                          className="button-small"
                          disabled={revoke.isPending}
                          aria-label={`Revoke the invitation for ${i.email}`}
                          onClick={() => revoke.mutate(i.id)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
