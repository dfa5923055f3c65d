import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { keys } from '../api/queries.js';
import { useStartSync, useSyncOverview } from '../api/sync-queries.js';
import { useTenantConnection } from '../api/tenant-queries.js';
import { CheckField } from '../components/field.js';
import { ErrorNotice, Loading } from '../components/status.js';
import { Link } from '../router.js';
import { ServiceFrame } from '../services/service-tabs.js';
import { useCan } from '../access/use-can.js';
import { DryRunDialog } from './dry-run-dialog.js';
import { SyncHistory } from './sync-history.js';
import { SyncProgress, SyncStatusBadge, syncStatusText } from './sync-status.js';

/** Service → Sync: Sync Now with its state, a dry run showing the plan, diagnostic syncs, and the history. */
export function SyncPage({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  return (
    <ServiceFrame accountId={accountId} serviceId={serviceId} tab="sync">
      {() => (
        <>
          <TenantNotice accountId={accountId} />
          <SyncNow accountId={accountId} serviceId={serviceId} />
          <SyncHistory accountId={accountId} serviceId={serviceId} />
        </>
      )}
    </ServiceFrame>
  );
}

function TenantNotice({ accountId }: { accountId: string }) {
  const connection = useTenantConnection(accountId);
  if (connection.data === undefined || connection.data?.consentState === 'granted') return null;
  return (
    <p className="notice notice-warn">
      The Microsoft 365 tenant is not connected, so a sync cannot read it.{' '}
      <Link to={`/accounts/${accountId}/microsoft-365`}>Connect the tenant</Link> first.
    </p>
  );
}

function SyncNow({ accountId, serviceId }: { accountId: string; serviceId: string }) {
  const overview = useSyncOverview(accountId, serviceId);
  const start = useStartSync(accountId, serviceId);
  const [diagnostic, setDiagnostic] = useState(false);
  const [dryRunOpen, setDryRunOpen] = useState(false);
  const can = useCan(accountId);
  useRefreshWhenDone(accountId, serviceId, overview.data?.lastRun?.finishedAt);
  if (overview.isPending) return <Loading label="Loading the sync state" />;
  if (overview.isError) return <ErrorNotice error={overview.error} />;
  const syncing = overview.data.status === 'syncing';
  return (
    <section className="card sync-card" aria-labelledby="sync-heading">
      <h2 id="sync-heading" className="visually-hidden">
        Sync now
      </h2>
      <div className="sync-head" role="status">
        <SyncStatusBadge status={overview.data.status} />
        <p className="sync-text">{syncStatusText(overview.data)}</p>
      </div>
      {syncing && <SyncProgress run={overview.data.lastRun} />}
      <ErrorNotice error={start.error} title="The sync could not start." />
      {can('sync.run') && (
        <>
          <div className="actions">
            <button
              type="button"
              className="button-primary"
              disabled={syncing || start.isPending}
              onClick={() => start.mutate({ dryRun: false, diagnostic })}
            >
              {syncing ? 'Syncing…' : 'Sync now'}
            </button>
            <button type="button" disabled={syncing} onClick={() => setDryRunOpen(true)}>
              Dry run…
            </button>
          </div>
          <CheckField
            label="Diagnostic sync"
            checked={diagnostic}
            onChange={(e) => setDiagnostic(e.target.checked)}
            hint="Logs every request to Microsoft and its answer (secrets and tokens removed), to send to support."
          />
        </>
      )}
      {dryRunOpen && (
        <DryRunDialog
          accountId={accountId}
          serviceId={serviceId}
          diagnostic={diagnostic}
          onClose={() => setDryRunOpen(false)}
        />
      )}
    </section>
  );
}

/**
 * When a sync ends (its finish time changes), what it changed is read again: the history, the users, and the
 * connection (a sync that finds consent withdrawn records it).
 */
function useRefreshWhenDone(accountId: string, serviceId: string, finishedAt: string | null | undefined) {
  const client = useQueryClient();
  const previous = useRef(finishedAt);
  useEffect(() => {
    if (previous.current === finishedAt) return;
    previous.current = finishedAt;
    void client.invalidateQueries({ queryKey: keys.syncRuns(accountId, serviceId) });
    void client.invalidateQueries({ queryKey: keys.users(accountId) });
    void client.invalidateQueries({ queryKey: keys.tenantConnection(accountId) });
  }, [client, accountId, serviceId, finishedAt]);
}
