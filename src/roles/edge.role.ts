import type { Registry } from 'prom-client';
import type { AppContext } from '../app/context.js';
import type { B2bua } from '../calls/b2bua.js';
import { storeRouteLookup } from '../edge/edge-route.lookup.js';
import { registerEdgeMetrics } from '../edge/edge.metrics.js';
import { edgeSettingsFrom } from '../edge/edge.settings.js';
import { TeamsEdge } from '../edge/teams-edge.js';

/**
 * The Teams edge, started with the sip role when a certificate and key are configured (CALLBRIDGE_SBC_CERT_FILE,
 * _KEY_FILE); without them it stays off, so the demo's `npm start` is unchanged. Calls from Teams are routed by
 * the carrier model and bridged to the PBX by the sip role's B2BUA (`calls`; without it answered 480); refusals are
 * logged with why.
 *
 * @example const edge = await startEdgeRole(ctx, metrics); // undefined when not configured
 */
export async function startEdgeRole(
  ctx: AppContext,
  metrics?: Registry,
  calls?: B2bua,
): Promise<TeamsEdge | undefined> {
  const settings = edgeSettingsFrom(ctx.config);
  if (!settings) {
    ctx.logger.info('Teams edge off: set CALLBRIDGE_SBC_CERT_FILE and CALLBRIDGE_SBC_KEY_FILE to start it');
    return undefined;
  }
  const edge = await TeamsEdge.start({
    settings,
    route: storeRouteLookup(ctx.store.handle.db, settings.baseDomain),
    ...(calls && { onCall: (call, route) => calls.fromTeams(call, route) }),
    onRefused: (event) => ctx.logger.warn({ edge: event }, 'Teams edge refused a request'),
    onHealthChanged: (event) =>
      ctx.logger[event.healthy ? 'info' : 'warn']({ edge: event }, 'Microsoft proxy health changed'),
  });
  calls?.connectTeams(edge);
  if (metrics) registerEdgeMetrics(metrics, edge);
  ctx.logger.info(
    {
      port: edge.port,
      proxies: settings.proxies.map((p) => `${p.host}:${p.port}`),
      certificateDaysLeft: edge.certificate.daysLeft,
    },
    'Teams edge listening',
  );
  return edge;
}
