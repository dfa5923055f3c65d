import { useState } from 'react';
import { ErrorNotice, Loading, PageTitle } from '../components/status.js';
import { Link, navigate, useLocation } from '../router.js';
import { KIND_LABELS, kindLabel, when } from './alert-labels.js';
import { useAlerts, type AlertFilters } from './alerts-queries.js';

/**
 * The account's alerts (and those of the accounts beneath it; a provider also sees the platform's), open first by
 * default, with filters kept in the address so a view can be shared.
 */
export function AlertsPage({ accountId }: { accountId: string }) {
  const { search } = useLocation();
  const filters: AlertFilters = { state: search.get('state') ?? 'open' };
  if (filters.state === 'all') delete filters.state;
  const kind = search.get('kind');
  if (kind) filters.kind = kind;
  const set = (key: 'state' | 'kind', value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    const query = next.toString();
    navigate(`/accounts/${accountId}/alerts${query ? `?${query}` : ''}`, { replace: true });
  };
  return (
    <section className="page">
      <PageTitle title="Alerts">Alerts</PageTitle>
      <p className="actions">
        <Link to={`/accounts/${accountId}/alerts/subscriptions`}>Webhook and email settings</Link>
      </p>
      <form className="filters" role="search" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>State</span>
          <select value={search.get('state') ?? 'open'} onChange={(e) => set('state', e.target.value)}>
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
            <option value="all">All</option>
          </select>
        </label>
        <label className="field">
          <span>Kind</span>
          <select value={kind ?? ''} onChange={(e) => set('kind', e.target.value)}>
            <option value="">Any</option>
            {Object.entries(KIND_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <AlertList key={JSON.stringify(filters)} accountId={accountId} filters={filters} />
    </section>
  );
}

function AlertList({ accountId, filters }: { accountId: string; filters: AlertFilters }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const alerts = useAlerts(accountId, filters, cursors.at(-1));
  return (
    <section className="card" aria-labelledby="alert-list-heading">
      <h2 id="alert-list-heading">{filters.state === 'open' ? 'Open alerts' : 'Alerts'}</h2>
      {alerts.isPending ? (
        <Loading label="Loading alerts" />
      ) : alerts.isError ? (
        <ErrorNotice error={alerts.error} />
      ) : alerts.data.items.length === 0 ? (
        <p className="muted">{filters.state === 'open' ? 'Nothing needs attention.' : 'No alerts.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table alert-list">
            <thead>
              <tr>
                <th scope="col">Opened</th>
                <th scope="col">Alert</th>
                <th scope="col">Account</th>
                <th scope="col">What to do</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {alerts.data.items.map((a) => (
                <tr key={a.id} className={a.state === 'open' ? `alert-${a.severity}` : undefined}>
                  <td>
                    {when(a.openedAt)}
                    {a.count > 1 && <div className="muted">seen {a.count} times</div>}
                  </td>
                  <td>
                    <strong>{kindLabel(a.kind)}</strong>
                    <div>{a.subjectLabel}</div>
                  </td>
                  <td>{a.accountName ?? 'Platform'}</td>
                  <td className="alert-message">{a.message}</td>
                  <td>
                    {a.state === 'open' ? (
                      <span className={`badge badge-${a.severity === 'critical' ? 'bad' : 'warn'}`}>
                        {a.severity === 'critical' ? 'Critical' : 'Warning'}
                      </span>
                    ) : (
                      <span className="badge">Resolved {a.resolvedAt ? when(a.resolvedAt) : ''}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions">
        {cursors.length > 0 && (
          <button type="button" className="button-small" onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer alerts
          </button>
        )}
        {alerts.data?.nextCursor && (
          <button
            type="button"
            className="button-small"
            onClick={() => setCursors((c) => [...c, alerts.data.nextCursor!])}
          >
            Older alerts
          </button>
        )}
      </div>
    </section>
  );
}
