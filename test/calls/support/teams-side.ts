import { SignallingRanges } from '../../../src/edge/edge.config.js';
import { TeamsEdge, type TeamsEdgeOptions } from '../../../src/edge/teams-edge.js';
import { staticDirectory, type TeamsUserRef } from '../../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../../src/emulator/teams-sip/teams-sip.emulator.js';
import type { TeamsPki } from '../../sip/support/teams-pki.js';

/** Microsoft's three Direct Routing proxies, as the call harnesses name them. */
const PROXIES = ['sip', 'sip2', 'sip3'].map((n) => ({ host: `${n}.pstnhub.microsoft.com`, port: 5061 }));

/** What differs between the call harnesses' Teams sides: who is in the tenant, and how the edge routes and bridges. */
export interface TeamsSideOptions {
  pki: TeamsPki;
  /** The tenant (`t1`, domain `contoso.sbc.test`) users the emulated proxies know. */
  users: TeamsUserRef[];
  mediaSdp?: () => Buffer;
  route: TeamsEdgeOptions['route'];
  onCall: TeamsEdgeOptions['onCall'];
  /** Where the started parts' stops go (in start order). */
  stops: (() => Promise<void> | void)[];
}

/**
 * The Teams side of the call harnesses: the three emulated Microsoft proxies and our edge toward them over mutual
 * TLS on loopback (the proxies' names resolved to the emulators), with the test timers both harnesses use.
 *
 * @example const { edge, proxies } = await startTeamsSide({ pki, users: [BOB], route, onCall, stops });
 */
export async function startTeamsSide(
  options: TeamsSideOptions,
): Promise<{ edge: TeamsEdge; proxies: TeamsSipEmulator[] }> {
  const { pki, stops } = options;
  const box: { edge?: TeamsEdge } = {};
  const proxies: TeamsSipEmulator[] = [];
  for (let i = 0; i < PROXIES.length; i++) {
    const proxy = await TeamsSipEmulator.start({
      host: '127.0.0.1',
      ...pki.microsoft,
      caFile: pki.caFile,
      directory: staticDirectory({ 'contoso.sbc.test': 't1' }, options.users),
      sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: box.edge!.port }),
      ...(options.mediaSdp && { mediaSdp: options.mediaSdp }),
    });
    proxies.push(proxy);
    stops.push(() => proxy.stop());
  }
  const edge = (box.edge = await TeamsEdge.start({
    settings: {
      baseDomain: 'sbc.test',
      host: '127.0.0.1',
      signallingPort: 0,
      ...pki.sbc,
      caFile: pki.caFile,
      proxies: PROXIES,
      ranges: new SignallingRanges(['127.0.0.0/8']),
      sbcHeader: 'Callbridge/B2BUA/test',
      optionsIntervalMs: 0,
      failoverAfterMs: 1500,
    },
    route: options.route,
    onCall: options.onCall,
    timers: { t1: 200 },
    resolveProxy: (proxy) =>
      Promise.resolve({
        protocol: 'tls',
        address: '127.0.0.1',
        port: proxies[PROXIES.findIndex((p) => p.host === proxy.host)]!.port,
        serverName: proxy.host,
      }),
  }));
  stops.push(() => edge.stop());
  return { edge, proxies };
}
