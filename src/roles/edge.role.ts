import type { Registry } from 'prom-client';
import type { AppContext } from '../app/context.js';
import type { B2bua } from '../calls/b2bua.js';
import { storeCustomerFqdns } from '../edge/customer-fqdns.js';
import { storeRouteLookup } from '../edge/edge-route.lookup.js';
import { registerEdgeMetrics } from '../edge/edge.metrics.js';
import { edgeSettingsFrom, type DemoEdgeDefaults } from '../edge/edge.settings.js';
import { TeamsEdge } from '../edge/teams-edge.js';
import { monitorEdgeAlerts } from '../alerts/edge-alerts.js';

/** The demo's Teams SIP emulator as the edge sees it: its certificates and where it listens. */
export interface DemoEdge extends DemoEdgeDefaults {
  /** The emulator's TLS port on loopback: every Microsoft proxy resolves to it. */
  proxyPort: number;
  /** Called with our signalling port, so the emulator's calls from Teams reach us. */
  attachSbc(port: number): void;
}

/**
 * The Teams edge, started with the sip role when a certificate and key are configured (CALLBRIDGE_SBC_CERT_FILE,
 * _KEY_FILE), or in the demo with its throw-away certificate against the Teams SIP emulator (the configured
 * proxies then resolve to the emulator on loopback, unless CALLBRIDGE_TEAMS_PROXIES names others). Calls from
 * Teams are routed by the carrier model and bridged to the PBX by the sip role's B2BUA (`calls`; without it
 * answered 480); refusals are logged with why.
 *
 * @example const edge = await startEdgeRole(ctx, metrics); // undefined when not configured
 */
export async function startEdgeRole(
  ctx: AppContext,
  metrics?: Registry,
  demo?: DemoEdge,
  calls?: B2bua,
): Promise<TeamsEdge | undefined> {
  const own = Boolean(ctx.config.sbcCertFile && ctx.config.sbcKeyFile);
  const settings = edgeSettingsFrom(ctx.config, demo);
  if (!settings) {
    ctx.logger.info('Teams edge off: set CALLBRIDGE_SBC_CERT_FILE and CALLBRIDGE_SBC_KEY_FILE to start it');
    return undefined;
  }
  const toEmulator = demo && !own && !ctx.config.teamsProxies ? demo.proxyPort : undefined;
  const edgeAlerts: { check?: () => void } = {};
  const edge = await TeamsEdge.start({
    settings,
    route: storeRouteLookup(ctx.store.handle.db, settings.baseDomain),
    customerFqdns: storeCustomerFqdns(ctx.store.handle.db, settings.baseDomain),
    ...(calls && { onCall: (call, route) => calls.fromTeams(call, route) }),
    onRefused: (event) => ctx.logger.warn({ edge: event }, 'Teams edge refused a request'),
    onHealthChanged: (event) => {
      ctx.logger[event.healthy ? 'info' : 'warn']({ edge: event }, 'Microsoft proxy health changed');
      edgeAlerts.check?.();
    },
    ...(toEmulator !== undefined && {
      resolveProxy: (proxy) =>
        Promise.resolve({ protocol: 'tls', address: '127.0.0.1', port: toEmulator, serverName: proxy.host }),
    }),
  });
  // Platform alerts (Calls 3): a proxy without OPTIONS 200 for 3 minutes, the certificate near its end.
  const monitor = monitorEdgeAlerts(edge, ctx.alerts.evaluator, ctx.logger);
  edgeAlerts.check = () => monitor.check();
  // Whoever stops the edge stops its alert checks too (the edge knows nothing of alerts).
  const stopEdge = edge.stop.bind(edge);
  edge.stop = async () => {
    monitor.stop();
    await stopEdge();
  };
  if (!own) demo?.attachSbc(edge.port);
  calls?.connectTeams(edge);
  if (metrics) registerEdgeMetrics(metrics, edge);
  ctx.logger.info(
    {
      port: edge.port,
      proxies: settings.proxies.map((p) => `${p.host}:${p.port}`),
      certificateDaysLeft: edge.certificate.daysLeft,
      customerOptions: settings.customerOptions === true,
      ...(toEmulator !== undefined && { demo: `Teams SIP emulator on 127.0.0.1:${toEmulator}` }),
    },
    'Teams edge listening',
  );
  return edge;
}

/**
 * Stop the edge after the calls: every call is ended first (BYE on both legs), because the BYEs toward Teams
 * leave on the edge's TLS connections; closed first, they failed silently and Teams kept the calls up until its
 * session timer ran out.
 */
export async function stopEdgeRole(edge: TeamsEdge, calls?: B2bua): Promise<void> {
  await calls?.endCalls();
  await edge.stop();
}
