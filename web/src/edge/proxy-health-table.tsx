import type { TeamsProxyState } from '../api/types.js';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/** "403 Forbidden": Microsoft refused the certificate or Contact we presented (its reason is in lastError). */
export function refusedCertificate(proxy: TeamsProxyState): boolean {
  return proxy.lastStatus === 403;
}

/** The last OPTIONS (or call attempt) in words: status and round trip, or why it failed. */
function lastAnswer(proxy: TeamsProxyState): string {
  if (proxy.lastStatus === null) return 'not tried yet';
  if (proxy.lastStatus === 0) return `no answer${proxy.lastError ? `: ${proxy.lastError}` : ''}`;
  if (proxy.lastStatus === 200)
    return proxy.roundTripMs === null ? '200 OK' : `200 OK in ${proxy.roundTripMs} ms`;
  return proxy.lastError ?? String(proxy.lastStatus);
}

/** One row per Microsoft proxy: state by the 3-minute rule, last OPTIONS (time, answer, round trip), failures. */
export function ProxyHealthTable({ proxies, caption }: { proxies: TeamsProxyState[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Proxy</th>
            <th scope="col">State</th>
            <th scope="col">Last 200</th>
            <th scope="col">Last OPTIONS</th>
            <th scope="col">Answer</th>
            <th scope="col">Failures</th>
          </tr>
        </thead>
        <tbody>
          {proxies.map((p) => (
            <tr key={p.proxy} className={p.healthy ? undefined : 'row-problem'}>
              <td data-label="Proxy" className="col-name mono">
                {p.proxy}
              </td>
              <td data-label="State">
                {p.healthy ? (
                  <span className="badge badge-ok">healthy</span>
                ) : (
                  <span className="badge badge-bad">unhealthy</span>
                )}
              </td>
              <td data-label="Last 200">{when(p.lastOkAt)}</td>
              <td data-label="Last OPTIONS">{when(p.lastAttemptAt)}</td>
              <td data-label="Answer" className={p.lastStatus === 200 ? undefined : 'text-bad'}>
                {lastAnswer(p)}
              </td>
              <td data-label="Failures">
                {p.consecutiveFailures > 0
                  ? `${p.consecutiveFailures} in a row (${p.failures} in all)`
                  : p.failures > 0
                    ? `${p.failures} in all`
                    : 'none'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
