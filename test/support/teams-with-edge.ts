import type { AppContext } from '../../src/app/context.js';
import type { B2bua } from '../../src/calls/b2bua.js';
import type { TeamsEdge } from '../../src/edge/teams-edge.js';
import type { TeamsDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import type { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import { startEdgeRole } from '../../src/roles/edge.role.js';
import type { TeamsPki } from '../sip/support/teams-pki.js';

/** What {@link startTeamsWithEdgeRole} starts: Microsoft's emulated proxy and our edge role facing it. */
export interface TeamsWithEdge {
  teams: TeamsSipEmulator;
  edge: TeamsEdge | undefined;
}

/**
 * Microsoft's SIP proxy (the emulator, mutual TLS with the test PKI) and the app's edge role carrying `calls`,
 * each pointed at the other: the emulator sends its INVITEs to the edge's port once the edge has it. With `media`,
 * Teams' media processor answers the offer Teams received last with that SRTP peer and starts sending at once,
 * as the interop tests that check audio need. Stop `teams` and `edge` when done.
 *
 * @example const { teams, edge } = await startTeamsWithEdgeRole(t.ctx, pki, role.calls, { directory });
 */
export async function startTeamsWithEdgeRole(
  ctx: AppContext,
  pki: TeamsPki,
  calls: B2bua | undefined,
  options: { directory: TeamsDirectory; media?: RtpPeer },
): Promise<TeamsWithEdge> {
  const box: { edgePort?: number } = {};
  const { media } = options;
  const teams: TeamsSipEmulator = await TeamsSipEmulator.start({
    host: '127.0.0.1',
    ...pki.microsoft,
    caFile: pki.caFile,
    directory: options.directory,
    sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: box.edgePort! }),
    ...(media && {
      mediaSdp: () => {
        const offer = teams.calls.at(-1)?.incoming?.request.body.toString();
        if (offer) {
          media.setRemote(offer);
          media.start();
        }
        return Buffer.from(media.sdp());
      },
    }),
  });
  const edge = await startEdgeRole(
    ctx,
    undefined,
    {
      ...pki.sbc,
      caFile: pki.caFile,
      ranges: ['127.0.0.0/8'],
      proxyPort: teams.port,
      attachSbc: (port) => void (box.edgePort = port),
    },
    calls,
  );
  return { teams, edge };
}
