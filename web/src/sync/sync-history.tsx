import { useState } from 'react';
import { useSyncRun, useSyncRuns } from '../api/sync-queries.js';
import type { SyncRun } from '../api/types.js';
import { Dialog } from '../components/dialog.js';
import { ErrorNotice, Loading } from '../components/status.js';
import { useCan } from '../access/use-can.js';
import { PlanView } from './plan-view.js';
import { RollbackDialog } from './rollback-dialog.js';
import { SyncCounters } from './sync-counters.js';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function duration(run: SyncRun): string {
  if (!run.startedAt || !run.finishedAt) return '';
  const ms = new Date(run.finishedAt).getTime() - new Date(run.startedAt).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The finish time; only the time when the run finished on the day it started. */
function finished(run: SyncRun): string {
  if (!run.finishedAt) return run.state === 'queued' ? 'queued' : 'running';
  const end = new Date(run.finishedAt);
  const sameDay = new Date(run.startedAt ?? run.createdAt).toDateString() === end.toDateString();
  return sameDay ? end.toLocaleTimeString() : end.toLocaleString();
}

const TRIGGERS: Record<SyncRun['trigger'], string> = {
  person: 'by hand',
  schedule: 'on schedule',
  change: 'after a change',
};

/** Past syncs and dry runs of the service, newest first, each with its counters and a way to read its log. */
export function SyncHistory({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  const runs = useSyncRuns(accountId, serviceId);
  const [open, setOpen] = useState<SyncRun>();
  const [rollingBack, setRollingBack] = useState<SyncRun>();
  const can = useCan(accountId);
  const undoable = (run: SyncRun) =>
    !run.dryRun && (run.state === 'succeeded' || run.state === 'warning') && can('sync.run');
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">Sync history</h2>
      {runs.isPending && <Loading label="Loading the sync history" />}
      <ErrorNotice error={runs.error} />
      {runs.data?.length === 0 && <p className="empty">No syncs yet.</p>}
      {runs.data && runs.data.length > 0 && (
        <div className="table-wrap">
          <table className="data-table history-table">
            <caption className="visually-hidden">Sync history, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <th scope="col">Started by</th>
                <th scope="col">Result</th>
                <th scope="col">Counters</th>
                <th scope="col">
                  <span className="visually-hidden">Log</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.data.map((run) => (
                <tr key={run.id}>
                  <td data-label="Started">{when(run.startedAt ?? run.createdAt)}</td>
                  <td data-label="Finished">
                    <span>
                      {finished(run)} <span className="muted">{duration(run)}</span>
                    </span>
                  </td>
                  <td data-label="Started by">
                    <div>
                      {run.startedBy} <span className="muted">{TRIGGERS[run.trigger]}</span>
                      {run.dryRun && <span className="badge">dry run</span>}
                      {run.diagnostic && <span className="badge">diagnostic</span>}
                    </div>
                  </td>
                  <td data-label="Result">
                    <div>
                      <span className={`run-state run-${run.state}`}>{run.state}</span>
                      {run.error && <p className="row-problem">{run.error}</p>}
                    </div>
                  </td>
                  <td data-label="Counters">
                    <SyncCounters counters={run.counters} />
                  </td>
                  <td>
                    <button type="button" className="button-small" onClick={() => setOpen(run)}>
                      Log<span className="visually-hidden"> of the run started {when(run.createdAt)}</span>
                    </button>
                    {undoable(run) && (
                      <button type="button" className="button-small" onClick={() => setRollingBack(run)}>
                        Roll back
                        <span className="visually-hidden"> the run started {when(run.createdAt)}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <RunLogDialog accountId={accountId} run={open} onClose={() => setOpen(undefined)} />}
      {rollingBack && (
        <RollbackDialog
          accountId={accountId}
          target={{ kind: 'sync_run', id: rollingBack.id }}
          title={`Roll back the sync of ${when(rollingBack.startedAt ?? rollingBack.createdAt)}`}
          onClose={() => setRollingBack(undefined)}
        />
      )}
    </section>
  );
}

/** A run's readable log (every exchange with Microsoft for a diagnostic run) and the plan it carried out. */
function RunLogDialog({ accountId, run, onClose }: { accountId: string; run: SyncRun; onClose: () => void }) {
  const details = useSyncRun(accountId, run.id);
  const title = `${run.dryRun ? 'Dry run' : 'Sync'} of ${when(run.startedAt ?? run.createdAt)}`;
  return (
    <Dialog title={title} onClose={onClose} wide>
      {details.isPending && <Loading label="Loading the log" />}
      <ErrorNotice error={details.error} />
      {details.data && (
        <>
          <SyncCounters counters={details.data.counters} />
          <h3>Log</h3>
          {details.data.log.length === 0 ? (
            <p className="muted">No log lines yet.</p>
          ) : (
            <ol className="run-log">
              {details.data.log.map((line, i) => (
                <li key={i} className={`log-${line.level}`}>
                  <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time>
                  {line.level !== 'info' && <span className="log-level">{line.level}</span>}
                  <span className="log-message">{line.message}</span>
                </li>
              ))}
            </ol>
          )}
          <details className="run-plan">
            <summary>The plan of this run</summary>
            <PlanView accountId={accountId} plan={details.data.plan} />
          </details>
        </>
      )}
    </Dialog>
  );
}
