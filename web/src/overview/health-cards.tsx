import { Link } from '../router.js';
import type { LicenceLine } from '../api/types.js';
import { useLicences } from '../api/tenant-queries.js';
import { ErrorNotice, Loading } from '../components/status.js';
import type { AccountHealth } from './health-types.js';

type Services = NonNullable<AccountHealth['services']>;
type Calls = NonNullable<AccountHealth['calls']>;
type Edge = NonNullable<AccountHealth['teamsEdge']>;

const when = (iso: string) => new Date(iso).toLocaleString();

const SYNC_LABEL: Record<NonNullable<Services[number]['lastSync']>['state'], [string, string]> = {
  succeeded: ['Synced', 'badge-ok'],
  warning: ['Synced with warnings', 'badge-warn'],
  failed: ['Sync failed', 'badge-bad'],
  queued: ['Sync queued', 'badge-info'],
  running: ['Syncing', 'badge-info'],
};

/** Each service: does its PBX answer, and how did its last sync end. */
export function ServicesHealth({ accountId, services }: { accountId: string; services: Services }) {
  const bad = services.some((s) => s.pbx?.reachable === false || s.lastSync?.state === 'failed');
  return (
    <section className={`card health-card ${bad ? 'health-bad' : 'health-ok'}`} aria-labelledby="svc-heading">
      <h2 id="svc-heading">PBX and sync</h2>
      {services.length === 0 && <p className="muted">No service yet: add the PBX first.</p>}
      <ul className="plain-list health-services">
        {services.map((s) => (
          <li key={s.id}>
            <Link to={`/accounts/${accountId}/services/${s.id}`}>{s.name}</Link>
            <span className="health-badges">
              {s.kind === 'pbx' &&
                (s.pbx === null ? (
                  <span className="badge">PBX not checked yet</span>
                ) : s.pbx.reachable ? (
                  <span className="badge badge-ok">PBX reachable</span>
                ) : (
                  <span className="badge badge-bad" title={s.pbx.reason ?? undefined}>
                    PBX unreachable
                  </span>
                ))}
              {s.lastSync ? (
                <Link
                  to={`/accounts/${accountId}/services/${s.id}/sync`}
                  className={`badge ${SYNC_LABEL[s.lastSync.state][1]}`}
                  title={s.lastSync.error ?? `Started ${when(s.lastSync.createdAt)}`}
                >
                  {SYNC_LABEL[s.lastSync.state][0]}
                </Link>
              ) : (
                <span className="badge">Never synced</span>
              )}
            </span>
            {s.pbx && !s.pbx.reachable && (
              <span className="muted health-detail">
                {s.pbx.lastConfirmedAt ? `No answer since ${when(s.pbx.lastConfirmedAt)}` : 'Never answered'}
                {s.pbx.reason ? ` (${s.pbx.reason})` : ''}
              </span>
            )}
            {s.lastSync?.state === 'failed' && s.lastSync.error && (
              <span className="muted health-detail">{s.lastSync.error}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Today's calls (since the viewer's midnight): attempts, answered, failed and the answer-seizure ratio. */
export function CallsToday({ accountId, calls }: { accountId: string; calls: Calls }) {
  const asr = calls.answerSeizureRatio === null ? '–' : `${Math.round(calls.answerSeizureRatio * 100)}%`;
  return (
    <section
      className={`card health-card ${calls.failed > 0 ? 'health-warn' : 'health-ok'}`}
      aria-labelledby="calls-heading"
    >
      <h2 id="calls-heading">Today's calls</h2>
      <dl className="health-numbers">
        <div>
          <dt>Calls</dt>
          <dd>{calls.attempts.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Answered</dt>
          <dd>{calls.answered.toLocaleString()}</dd>
        </div>
        <div className={calls.failed > 0 ? 'text-bad' : undefined}>
          <dt>Failed</dt>
          <dd>{calls.failed.toLocaleString()}</dd>
        </div>
        <div>
          <dt>
            <abbr title="Answer-seizure ratio: answered calls over all calls">ASR</abbr>
          </dt>
          <dd>{asr}</dd>
        </div>
      </dl>
      <p className="actions">
        <Link to={`/accounts/${accountId}/calls`}>Call log</Link>
        {calls.failed > 0 && <Link to={`/accounts/${accountId}/calls?result=failed`}>Failed calls</Link>}
      </p>
    </section>
  );
}

const EDGE_TEXT: Record<Edge['state'], [string, string]> = {
  healthy: ['Healthy', 'badge-ok'],
  degraded: ['Degraded', 'badge-warn'],
  down: ['Down', 'badge-bad'],
  not_running: ['Not running on this server', 'badge-idle'],
};

const EDGE_TONE: Record<Edge['state'], string> = {
  healthy: 'health-ok',
  degraded: 'health-warn',
  down: 'health-bad',
  not_running: '',
};

/** Microsoft's Direct Routing proxies as the edge sees them (OPTIONS answered within 3 minutes). */
export function TeamsEdgeHealth({ edge }: { edge: Edge }) {
  const [label, tone] = EDGE_TEXT[edge.state];
  return (
    <section className={`card health-card ${EDGE_TONE[edge.state]}`} aria-labelledby="edge-heading">
      <h2 id="edge-heading">
        Teams edge <span className={`badge ${tone}`}>{label}</span>
      </h2>
      {edge.state !== 'not_running' && (
        <p>
          {edge.healthyProxies} of {edge.proxies} Microsoft proxies answer.
          {edge.certificateDaysLeft !== null && ` Certificate: ${edge.certificateDaysLeft} days left.`}
        </p>
      )}
      {edge.subdomains.map((d) => (
        <p key={d.fqdn} className="muted">
          <span className="mono">{d.fqdn}</span>: {d.healthyProxies} of {d.proxies} proxies answer.
        </p>
      ))}
      {edge.state === 'not_running' && (
        <p className="muted">Calls to Teams are not carried by this server, or its certificate is not set.</p>
      )}
    </section>
  );
}

const SKU_LABEL: Record<LicenceLine['sku'], string> = {
  pbx_user: 'PBX users',
  trunk_user: 'Trunk users',
  phone_app_user: 'Phone App users',
};

/**
 * Licences held and used per SKU, with their warnings: read once from the licences route (their use is counted over
 * every user, too costly for the health answer that refreshes every 30 seconds).
 */
export function LicencesHealth({ accountId }: { accountId: string }) {
  const licences = useLicences(accountId);
  const warn = licences.data?.some((l) => l.warning) ?? false;
  return (
    <section
      className={`card health-card ${warn ? 'health-warn' : 'health-ok'}`}
      aria-labelledby="lic-heading"
    >
      <h2 id="lic-heading">Licences</h2>
      {licences.isPending && <Loading label="Loading licences" />}
      <ErrorNotice error={licences.error} />
      {licences.data?.length === 0 && <p className="muted">No licences held yet.</p>}
      <ul className="plain-list">
        {licences.data?.map((l) => (
          <li key={l.sku}>
            {SKU_LABEL[l.sku]}: <strong>{l.used}</strong> of {l.held} used
            {l.warning && <span className="health-detail text-bad">{l.warning}</span>}
          </li>
        ))}
      </ul>
      <p>
        <Link to={`/accounts/${accountId}/licences`}>Licences</Link>
      </p>
    </section>
  );
}
