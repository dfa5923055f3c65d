import { Counter, Gauge, type Registry } from 'prom-client';
import type { TeamsEdge } from './teams-edge.js';

/** A counter mirroring a number that only grows, read at scrape time. */
function mirror(registry: Registry, name: string, help: string, read: () => number): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      if (value > last) this.inc(value - last);
      last = value;
    },
  });
}

/**
 * Register the Teams edge metrics (read at scrape time): each proxy's health, OPTIONS round trip and failures, the
 * certificate's days left, failovers, and refused requests by reason. Alerts ("Calls 3") watch
 * `callbridge_teams_proxy_healthy == 0` and `callbridge_teams_certificate_days_left < 14`.
 *
 * @example registerEdgeMetrics(registry, edge)
 */
export function registerEdgeMetrics(registry: Registry, edge: TeamsEdge): void {
  const perProxy = (
    name: string,
    help: string,
    read: (p: ReturnType<TeamsEdge['health']['list']>[number]) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['proxy'],
      registers: [registry],
      collect() {
        this.reset();
        for (const proxy of edge.health.list()) {
          const value = read(proxy);
          if (value !== undefined) this.set({ proxy: proxy.proxy }, value);
        }
      },
    });
  perProxy(
    'callbridge_teams_proxy_healthy',
    "1 when the proxy answered OPTIONS 200 within 3 minutes (Microsoft's rule).",
    (p) => (p.healthy ? 1 : 0),
  );
  perProxy('callbridge_teams_proxy_rtt_seconds', 'Round trip of the last OPTIONS answered 200.', (p) =>
    p.roundTripMs === undefined ? undefined : p.roundTripMs / 1000,
  );
  perProxy(
    'callbridge_teams_proxy_failures',
    'Failed OPTIONS and call attempts since start.',
    (p) => p.failures,
  );
  new Gauge({
    name: 'callbridge_teams_certificate_days_left',
    help: 'Days until the edge certificate expires (reloaded from its files when they change).',
    registers: [registry],
    collect() {
      this.set(edge.certificate.daysLeft);
    },
  });
  mirror(
    registry,
    'callbridge_teams_failovers_total',
    'Calls moved to the next Microsoft proxy.',
    () => edge.counters.failovers,
  );
  new Gauge({
    name: 'callbridge_teams_refused_requests',
    help: 'Requests refused since start, by reason (source outside the ranges, unknown host, unknown number).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.set({ reason: 'source' }, edge.counters.refusedSource);
      this.set({ reason: 'unknown-host' }, edge.counters.unknownHost);
      this.set({ reason: 'unknown-number' }, edge.counters.unknownNumber);
    },
  });
}
