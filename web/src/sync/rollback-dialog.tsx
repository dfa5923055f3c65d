import { useEffect, useRef } from 'react';
import { useRollback, type RollbackTarget } from '../api/rollback-queries.js';
import type { RollbackResult } from '../api/types.js';
import { Dialog } from '../components/dialog.js';
import { ErrorNotice, Loading } from '../components/status.js';

const shown = (value: string | null) => value ?? '(none)';

/**
 * Plans a rollback as it opens (a dry run: nothing changes) and shows it per user: what the portal restores and
 * the one write the tenant gets, and the users changed since, as conflicts with both values, left alone.
 * "Roll back" then applies it (a new run with its own audit entries) and a sync writes the restored numbers.
 */
export function RollbackDialog({
  accountId,
  target,
  title,
  onClose,
}: {
  accountId: string;
  target: RollbackTarget;
  title: string;
  onClose: () => void;
}) {
  const plan = useRollback(accountId, target);
  const apply = useRollback(accountId, target);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    plan.mutate(true);
  }, [plan]);
  const result = apply.data ?? plan.data;
  const canApply = plan.data && plan.data.plan.counters.restored > 0 && !apply.data;
  return (
    <Dialog
      title={title}
      onClose={onClose}
      wide
      actions={
        canApply && (
          <button
            type="button"
            className="button-primary"
            disabled={apply.isPending}
            onClick={() => apply.mutate(false)}
          >
            Roll back {plan.data.plan.counters.restored} user(s)
          </button>
        )
      }
    >
      <ErrorNotice error={plan.error} title="The rollback could not be planned." />
      <ErrorNotice error={apply.error} title="The rollback was not applied." />
      {plan.isPending && <Loading label="Planning the rollback (nothing is changed)" />}
      {result && <RollbackPlanView result={result} />}
    </Dialog>
  );
}

function RollbackPlanView({ result }: { result: RollbackResult }) {
  const c = result.plan.counters;
  const listed = result.plan.users.filter((u) => u.action !== 'unchanged');
  return (
    <div className="stack">
      <p role="status" className="dialog-lead">
        <strong>
          {result.dryRun
            ? 'Plan: nothing was changed yet.'
            : `Rolled back${result.syncRunId ? '; a sync is writing the restored numbers to the tenant.' : '.'}`}
        </strong>{' '}
        <span className="muted">
          {c.restored} to restore ({c.tenantWrites} tenant write(s)), {c.conflicts} conflict(s) left alone,{' '}
          {c.unchanged} already as before{c.missing > 0 ? `, ${c.missing} user(s) no longer exist` : ''}.
        </span>
      </p>
      {listed.length > 0 && (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">The rollback per user</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Action</th>
                <th scope="col">Portal</th>
                <th scope="col">Tenant</th>
              </tr>
            </thead>
            <tbody>
              {listed.map((user) => (
                <tr key={user.userId}>
                  <td data-label="User">{user.email}</td>
                  <td data-label="Action">
                    <span className={user.action === 'conflict' ? 'badge badge-warn' : 'badge'}>
                      {user.action === 'conflict' ? 'conflict: left alone' : 'restore'}
                    </span>
                  </td>
                  <td data-label="Portal">
                    {user.action === 'restore'
                      ? user.portal.map((p) => (
                          <div key={p.field}>
                            {p.field}: {shown(p.now)} → {shown(p.restored)}
                          </div>
                        ))
                      : user.action === 'conflict' &&
                        user.changed.map((p) => (
                          <div key={p.field}>
                            {p.field}: {shown(p.operation)} after the change, {shown(p.now)} now
                          </div>
                        ))}
                  </td>
                  <td data-label="Tenant">
                    {user.action === 'restore' && user.tenant
                      ? `${shown(user.tenant.from)} → ${shown(user.tenant.to)}`
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
