import { DemoPbx } from '../../src/demo/demo-pbx.js';
import type { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { RtpengineDaemon } from './rtpengine-daemon.js';
import { startTeamsWithEdgeRole } from './teams-with-edge.js';
import type { TestApp } from './test-app.js';

/** What test calls need besides the app: give these to createTestApp's `config`. */
export const TEST_CALL_CONFIG = {
  sipHost: '127.0.0.1',
  sipPort: 0,
  sbcDomain: 'sbc.test',
  sbcHost: '127.0.0.1',
  sbcSignallingPort: 0,
} as const;

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** The users of the rig: name, number, SIP password at the demo PBX. */
export const RIG_USERS = [
  { name: 'alice', number: '+4930111', password: 'alice-demo-pw-1' },
  { name: 'bob', number: '+4930222', password: 'bob-demo-pw-1' },
] as const;

export interface TestCallRig {
  accountId: string;
  serviceId: string;
  /** Callbridge user ids by name. */
  users: Record<(typeof RIG_USERS)[number]['name'], string>;
  pbx: DemoPbx;
  teams: TeamsSipEmulator;
  /** Teams' media processor: an SDES-SRTP peer sending a 1000 Hz tone. */
  teamsMedia: RtpPeer;
  stop(): Promise<void>;
}

/**
 * Everything a test call crosses, real: an account with two users registered at the demo PBX (our stack's
 * registrar), the sip and edge roles as `serve` wires them, rtpengine, and the Teams SIP emulator over mutual TLS
 * as Microsoft, whose media processor answers with an SRTP peer keyed for rtpengine's offer.
 */
export async function startTestCallRig(t: TestApp): Promise<TestCallRig> {
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const pki: TeamsPki = await createTeamsPki('sbc.test');
    stops.push(() => pki.remove());
    const daemon = await RtpengineDaemon.start();
    stops.push(() => daemon.stop());
    const relay = await RtpengineRelay.open({ target: daemon.target });
    stops.push(() => relay.close());
    const passwords = new Map<string, string>(RIG_USERS.map((u) => [u.name, u.password]));
    const pbx = await DemoPbx.start({ passwordOf: (u) => passwords.get(u) });
    stops.push(() => pbx.stop());
    const teamsMedia = await RtpPeer.open({ srtp: true, toneHz: 1000 });
    stops.push(() => teamsMedia.close());
    const { services } = t.ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    const client = await services.accounts.create(system, {
      name: 'Contoso',
      kind: 'client',
      parentId: partner.id,
    });
    await services.subscriptions.create(system, client.id, { sku: 'pbx_user', quantity: 5 });
    const service = await services.voiceServices.create(system, client.id, {
      name: 'Demo PBX',
      sipDomain: 'pbx.demo.example',
      proxyHost: '127.0.0.1',
      proxyPort: pbx.port,
      transport: 'udp',
    });
    const users = {} as TestCallRig['users'];
    for (const u of RIG_USERS)
      users[u.name] = (
        await services.users.create(system, client.id, {
          serviceId: service.id,
          email: `${u.name}@contoso.example`,
          displayName: u.name === 'alice' ? 'Alice Example' : 'Bob Example',
          phoneNumber: u.number,
          sipUsername: u.name,
          sipPassword: u.password,
        })
      ).id;
    const role: SipRole = await startSipRole(t.ctx, undefined, { relay });
    stops.push(() => role.stop());
    const fqdn = carrierNamesOf(service.id, 'sbc.test').domain;
    const { teams, edge } = await startTeamsWithEdgeRole(t.ctx, pki, role.calls, {
      directory: staticDirectory(
        { [fqdn]: 't1' },
        RIG_USERS.map((u) => ({
          tenantId: 't1',
          userId: `teams-${u.name}`,
          displayName: u.name,
          number: u.number,
        })),
      ),
      media: teamsMedia,
    });
    stops.push(() => teams.stop());
    stops.push(() => edge?.stop());
    // Registered at the PBX, and that state written to the users table (the sip role flushes every second).
    const registered = async () => {
      const states = await Promise.all(
        Object.values(users).map(
          async (id) => (await t.ctx.store.repos.users.findById(client.id, id))?.registrationState,
        ),
      );
      return states.every((state) => state === 'registered');
    };
    for (let i = 0; i < 150 && !(await registered()); i++) await new Promise((r) => setTimeout(r, 100));
    return { accountId: client.id, serviceId: service.id, users, pbx, teams, teamsMedia, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
