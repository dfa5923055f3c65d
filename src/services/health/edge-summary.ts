/**
 * The Teams edge as a customer's health page shows it: how many of Microsoft's proxies answer OPTIONS (the edge's
 * own base FQDN, and the customer's subdomains when per-customer OPTIONS are on), and the certificate's days left.
 * The edge is one per installation and runs in the sip role's process; an API process without it says so.
 */
import type { ProxyHealthState } from '../../edge/proxy-health.js';
import type { TeamsEdge } from '../../edge/teams-edge.js';

export type EdgeState = 'healthy' | 'degraded' | 'down' | 'not_running';

export interface EdgeSummary {
  state: EdgeState;
  healthyProxies: number;
  proxies: number;
  certificateDaysLeft: number | null;
  /** The customer's own subdomains' OPTIONS (only when per-customer OPTIONS are on). */
  subdomains: { fqdn: string; healthyProxies: number; proxies: number }[];
}

/** A certificate expiring within this many days makes the edge degraded (the alert's threshold too). */
export const CERTIFICATE_WARNING_DAYS = 14;

function stateOf(healthy: number, total: number, daysLeft: number | null): EdgeState {
  if (total === 0 || healthy === 0) return 'down';
  if (healthy < total || (daysLeft !== null && daysLeft < CERTIFICATE_WARNING_DAYS)) return 'degraded';
  return 'healthy';
}

const healthyCount = (proxies: ProxyHealthState[]) => proxies.filter((p) => p.healthy).length;

/**
 * The edge's summary for one customer (`fqdns`: the subdomains of the customer's services).
 *
 * @example edgeSummaryOf(undefined, []) // { state: 'not_running', ... }
 */
export function edgeSummaryOf(edge: TeamsEdge | undefined, fqdns: readonly string[]): EdgeSummary {
  if (!edge)
    return { state: 'not_running', healthyProxies: 0, proxies: 0, certificateDaysLeft: null, subdomains: [] };
  const proxies = edge.health.list();
  const daysLeft = edge.certificate.daysLeft;
  const wanted = new Set(fqdns.map((f) => f.toLowerCase()));
  const subdomains = edge.customers.enabled
    ? edge.customers
        .list()
        .filter((c) => wanted.has(c.fqdn))
        .map((c) => ({ fqdn: c.fqdn, healthyProxies: healthyCount(c.proxies), proxies: c.proxies.length }))
    : [];
  const healthy = healthyCount(proxies);
  return {
    state: stateOf(healthy, proxies.length, daysLeft),
    healthyProxies: healthy,
    proxies: proxies.length,
    certificateDaysLeft: daysLeft,
    subdomains,
  };
}
