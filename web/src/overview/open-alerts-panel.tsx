import { ErrorNotice, Loading } from '../components/status.js';
import { useOpenAlerts } from './health-queries.js';

/** The account's open alerts (`GET /accounts/{id}/alerts?state=open`), with a link to the alerts page. */
export function OpenAlertsPanel({ accountId }: { accountId: string }) {
  const alerts = useOpenAlerts(accountId);
  return (
    <section className="card health-card" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Open alerts</h2>
      {alerts.isPending ? (
        <Loading label="Loading alerts" />
      ) : alerts.isError ? (
        <ErrorNotice error={alerts.error} />
      ) : alerts.data === null ? (
        <p className="muted">Your role does not show alerts.</p>
      ) : alerts.data.length === 0 ? (
        <p className="muted">No open alerts.</p>
      ) : (
        <ul className="plain-list">
          {alerts.data.map((a) => (
            <li key={a.id}>
              <span className={`badge ${a.severity === 'critical' ? 'badge-bad' : 'badge-warn'}`}>
                {a.severity}
              </span>{' '}
              {a.subjectLabel}: {a.message}
              <span className="muted"> · since {new Date(a.openedAt).toLocaleString()}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
