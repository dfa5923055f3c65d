import { useState } from 'react';
import { ErrorNotice, Loading } from '../components/status.js';
import { Link } from '../router.js';
import { duration, resultText, when } from './call-format.js';
import { useCalls, type CallFilters } from './calls-queries.js';

/** A call log (a user's, or the account's with filters): newest first, failed calls in red, rows open the call. */
export function CallLog({ accountId, filters }: { accountId: string; filters: CallFilters }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const calls = useCalls(accountId, filters, cursors.at(-1));
  return (
    <section className="card" aria-labelledby="call-log-heading">
      <h2 id="call-log-heading">Call log</h2>
      {calls.isPending ? (
        <Loading label="Loading calls" />
      ) : calls.isError ? (
        <ErrorNotice error={calls.error} />
      ) : calls.data.items.length === 0 ? (
        <p className="muted">No calls yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table call-log">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Direction</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Result</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {calls.data.items.map((call) => (
                <tr key={call.id} className={call.failed ? 'call-failed' : undefined}>
                  <td>
                    <Link to={`/accounts/${accountId}/calls/${encodeURIComponent(call.id)}`}>
                      {when(call.startedAt)}
                    </Link>
                  </td>
                  <td>{call.direction === 'pbx-to-teams' ? 'PBX → Teams' : 'Teams → PBX'}</td>
                  <td className="mono">{call.from}</td>
                  <td className="mono">{call.to}</td>
                  <td>{resultText(call)}</td>
                  <td>{duration(call.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions">
        {cursors.length > 0 && (
          <button type="button" className="button-small" onClick={() => setCursors((c) => c.slice(0, -1))}>
            Newer calls
          </button>
        )}
        {calls.data?.nextCursor && (
          <button
            type="button"
            className="button-small"
            onClick={() => setCursors((c) => [...c, calls.data.nextCursor!])}
          >
            Older calls
          </button>
        )}
      </div>
    </section>
  );
}
