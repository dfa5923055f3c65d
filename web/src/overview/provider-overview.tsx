import { useState } from 'react';
import { ErrorNotice, Loading } from '../components/status.js';
import { Link } from '../router.js';
import { useClientHealth } from './health-queries.js';
import type { ClientHealth } from './health-types.js';

const PAGE = 25;

const SEVERITY: Record<ClientHealth['severity'], [string, string]> = {
  critical: ['Critical', 'badge-bad'],
  warning: ['Warning', 'badge-warn'],
  ok: ['Healthy', 'badge-ok'],
};

/** A partner's clients, the unhealthiest first, with what is wrong with each (issue 18). */
export function ProviderOverview({ partnerId }: { partnerId: string }) {
  const [offset, setOffset] = useState(0);
  const page = useClientHealth(partnerId, offset, PAGE);
  return (
    <section className="card provider-overview" aria-labelledby="provider-heading">
      <h2 id="provider-heading">Customers' health</h2>
      {page.isPending ? (
        <Loading label="Loading the customers' health" />
      ) : page.isError ? (
        <ErrorNotice error={page.error} />
      ) : page.data.total === 0 ? (
        <p className="muted">No client accounts yet.</p>
      ) : (
        <>
          <p className="muted">
            {troubleSummary(page.data.items, page.data.total, offset)} Worst first; refreshed every 30
            seconds.
          </p>
          <div className="table-wrap">
            <table className="data-table provider-table" aria-busy={page.isPlaceholderData}>
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">State</th>
                  <th scope="col">What is wrong</th>
                  <th scope="col" className="number">
                    Failing users
                  </th>
                  <th scope="col" className="number">
                    Calls (1 h)
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((c) => (
                  <tr key={c.accountId}>
                    <td>
                      <Link to={`/accounts/${c.accountId}`}>{c.name}</Link>
                      {c.suspended && <span className="badge badge-warn">suspended</span>}
                    </td>
                    <td data-label="State">
                      <span className={`badge ${SEVERITY[c.severity][1]}`}>{SEVERITY[c.severity][0]}</span>
                    </td>
                    <td data-label="What is wrong">
                      {c.issues.length === 0 ? (
                        <span className="muted">Nothing</span>
                      ) : (
                        <ul className="plain-list issue-list">
                          {c.issues.map((i) => (
                            <li key={i.code} className={i.severity === 'critical' ? 'text-bad' : undefined}>
                              {i.message}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="number" data-label="Failing users">
                      {c.failingUsers.toLocaleString()}
                    </td>
                    <td className="number" data-label="Calls (1 h)">
                      {c.callsLastHour.attempts === 0
                        ? '–'
                        : `${c.callsLastHour.failed} failed of ${c.callsLastHour.attempts}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="actions pager-buttons">
            <span className="muted">
              {offset + 1}–{Math.min(offset + PAGE, page.data.total)} of {page.data.total}
            </span>
            {offset > 0 && (
              <button
                type="button"
                className="button-small"
                onClick={() => setOffset(Math.max(0, offset - PAGE))}
              >
                Previous
              </button>
            )}
            {offset + PAGE < page.data.total && (
              <button type="button" className="button-small" onClick={() => setOffset(offset + PAGE)}>
                Next
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

/** "1 critical, 2 with warnings on this page." from the page's rows (the worst are on the first page). */
function troubleSummary(items: ClientHealth[], total: number, offset: number): string {
  const critical = items.filter((c) => c.severity === 'critical').length;
  const warning = items.filter((c) => c.severity === 'warning').length;
  // Worst first: a first page without trouble means no customer has any.
  if (critical + warning === 0) return offset === 0 ? `All ${total} customers are healthy.` : '';
  const parts = [critical > 0 && `${critical} critical`, warning > 0 && `${warning} with warnings`].filter(
    Boolean,
  );
  return `${parts.join(', ')} on this page.`;
}
