import type { SyncOverview, SyncRun, SyncStatus } from '../api/types.js';

export const SYNC_STATUS: Record<SyncStatus, { label: string; icon: string; tone: string }> = {
  never_synced: { label: 'Never synced', icon: '○', tone: 'idle' },
  up_to_date: { label: 'Up to date', icon: '✓', tone: 'ok' },
  changes_queued: { label: 'Changes queued', icon: '●', tone: 'info' },
  syncing: { label: 'Syncing', icon: '↻', tone: 'info' },
  warning: { label: 'Warning', icon: '!', tone: 'warn' },
  failed: { label: 'Failed', icon: '✕', tone: 'bad' },
};

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** What the state means and what to do, in a sentence. */
export function syncStatusText({ status, lastRun, queuedChanges }: SyncOverview): string {
  switch (status) {
    case 'never_synced':
      return 'This service has not been synced yet. A dry run shows what the first sync will do.';
    case 'up_to_date':
      return `Everything set in the portal is in the tenant. Last sync ${when(lastRun?.finishedAt)}.`;
    case 'changes_queued': {
      const queued = `${queuedChanges === 1 ? 'One user’s number was' : `${queuedChanges} users’ numbers were`} changed in the portal and ${queuedChanges === 1 ? 'is' : 'are'} not in the tenant yet: sync to write ${queuedChanges === 1 ? 'it' : 'them'}.`;
      // A number Microsoft refused stays queued: say so, or the last run's problems would go unseen.
      return lastRun?.state === 'warning'
        ? `${queued} The last sync (${when(lastRun.finishedAt)}) finished with problems: see the users’ messages and its log below.`
        : queued;
    }
    case 'syncing':
      return lastRun?.state === 'queued'
        ? 'The sync is queued and starts in a moment.'
        : `Syncing since ${when(lastRun?.startedAt)}: reading the tenant, then applying the changes.`;
    case 'warning': {
      const problems = `The last sync (${when(lastRun?.finishedAt)}) finished with problems: some users could not be updated or have conflicting numbers. See its log below.`;
      // The server ranks a warning above queued changes (a refused number stays queued): say both.
      if (queuedChanges <= 0) return problems;
      return `${problems} ${queuedChanges === 1 ? 'One user’s number is' : `${queuedChanges} users’ numbers are`} still to be written to the tenant.`;
    }
    case 'failed':
      return `The last sync failed: ${lastRun?.error ?? 'see its log below'}`;
  }
}

/** The state as the field knows it: a green tick, blue for queued changes, red for failed; shape and text too. */
export function SyncStatusBadge({ status }: { status: SyncStatus }) {
  const { label, icon, tone } = SYNC_STATUS[status];
  return (
    <span className={`sync-status sync-${tone}`} data-status={status}>
      <span className={status === 'syncing' ? 'sync-icon spinning' : 'sync-icon'} aria-hidden="true">
        {icon}
      </span>
      {label}
    </span>
  );
}

/** How far a running sync is, when the API tells (determinate bar), else an indeterminate bar. */
export function SyncProgress({ run }: { run: SyncRun | null }) {
  const { done, of, phase } = run?.progress ?? {};
  const known = typeof done === 'number' && typeof of === 'number' && of > 0;
  const label = known ? `${phase ?? 'applying'}: ${done} of ${of}` : 'Sync in progress';
  return (
    <div className="sync-progress">
      <progress aria-label={label} {...(known && { value: done, max: of })} />
      {known && <span className="hint">{label}</span>}
    </div>
  );
}

export const RUN_STATES: Record<SyncRun['state'], string> = {
  queued: 'queued',
  running: 'running',
  succeeded: 'succeeded',
  warning: 'warning',
  failed: 'failed',
};
