import { useEffect, useRef } from 'react';
import { useStartSync, useSyncRun } from '../api/sync-queries.js';
import { Dialog } from '../components/dialog.js';
import { ErrorNotice, Loading } from '../components/status.js';
import { PlanView } from './plan-view.js';
import { SyncCounters } from './sync-counters.js';

/**
 * Starts a dry run as it opens, waits for it, and shows its plan: exactly what a sync would change in the portal
 * and in the tenant. Apply then starts the real sync (which plans again against the tenant as it is then).
 */
export function DryRunDialog({
  accountId,
  serviceId,
  diagnostic,
  onClose,
}: {
  accountId: string;
  serviceId: string;
  diagnostic: boolean;
  onClose: () => void;
}) {
  const dryRun = useStartSync(accountId, serviceId);
  const apply = useStartSync(accountId, serviceId);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    dryRun.mutate({ dryRun: true, diagnostic });
  }, [dryRun, diagnostic]);
  const run = useSyncRun(accountId, dryRun.data?.run.id);
  const finished = run.data && run.data.state !== 'queued' && run.data.state !== 'running';
  const usable = finished && run.data.state !== 'failed';
  const applyNow = () => apply.mutate({ dryRun: false, diagnostic }, { onSuccess: onClose });
  return (
    <Dialog
      title="Dry run: what a sync will change"
      onClose={onClose}
      wide
      actions={
        <button
          type="button"
          className="button-primary"
          disabled={!usable || apply.isPending}
          onClick={applyNow}
        >
          Apply: sync now
        </button>
      }
    >
      <ErrorNotice error={dryRun.error} title="The dry run could not start." />
      <ErrorNotice error={run.error} />
      <ErrorNotice error={apply.error} title="The sync could not start." />
      {!finished && !dryRun.error && (
        <div aria-live="polite">
          <Loading label="Reading the tenant and planning (nothing is changed)" />
          <progress aria-label="Dry run in progress" />
        </div>
      )}
      {finished && run.data.state === 'failed' && (
        <div className="notice notice-error" role="alert">
          The dry run failed: {run.data.error ?? 'see the sync history for its log.'}
        </div>
      )}
      {usable && (
        <div className="stack">
          <p role="status" className="dialog-lead">
            <strong>
              Dry run finished{run.data.state === 'warning' ? ' with conflicts' : ''}: nothing was changed
              yet.
            </strong>{' '}
            <span className="muted">
              Planned {new Date(run.data.finishedAt ?? run.data.createdAt).toLocaleTimeString()}. Apply starts
              the sync; it plans again against the tenant as it is then.
            </span>
          </p>
          <SyncCounters counters={run.data.counters} />
          <PlanView accountId={accountId} plan={run.data.plan} />
        </div>
      )}
    </Dialog>
  );
}
