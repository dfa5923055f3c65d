import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { B2bua } from '../../../src/calls/b2bua.js';
import { DEFAULT_CALL_SETTINGS, type CallUser } from '../../../src/calls/call-user.js';
import { FEDERATION_EDGE, SignallingRanges } from '../../../src/edge/edge.config.js';
import { TeamsEdge } from '../../../src/edge/teams-edge.js';
import { DEMO_PHONE_APP_DOMAIN, DEMO_TENANT_ID, demoSeed } from '../../../src/emulator/demo-tenant.seed.js';
import { EmulatorState } from '../../../src/emulator/emulator.state.js';
import { seedFileSchema } from '../../../src/emulator/seed.schema.js';
import { emulatorDirectory } from '../../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../../src/emulator/teams-sip/teams-sip.emulator.js';
import { ThrowawayCa } from '../../../src/emulator/teams-sip/throwaway-pki.js';
import type { MediaRelay } from '../../../src/media/media-relay.js';
import { RegistrationAgent } from '../../../src/sip/registration/registration.agent.js';
import { contactToken } from '../../../src/sip/registration/registration.record.js';
import { SipStack } from '../../../src/sip/stack/sip.stack.js';
import { freePort, Kamailio } from '../../sip/support/kamailio.js';
import type { CallRecorder } from '../../../src/calls/call-record.types.js';
import { MemoryRecorder } from './memory-recorder.js';
import { runSipp } from './sipp-runner.js';

/** Debra Berger (demo user 19): a Phone App user (Teams without Teams Phone), Teams Only, PBX user `debra`. */
export const DEBRA = {
  sipUsername: 'debra',
  password: 'debra-secret-19',
  address: 'debra.berger@contoso-demo.onmicrosoft.com',
};
export const DESK_PHONE = { username: '2001', password: 'ext-secret-2001' };

/**
 * A Phone App call path on loopback, every part real: Kamailio as the PBX (digest on Debra's INVITEs), our
 * registration stack with Debra registered, the Teams SIP emulator playing Microsoft's federation edge over the
 * demo tenant's live state (external access settings, coexistence modes), our Teams edge with the Phone App
 * domain, the B2BUA and the given media relay (rtpengine). sipp plays the desk phone 2001.
 */
export async function startPhoneAppHarness(options: {
  relay: MediaRelay;
  /** Teams' media processor's SDP (default: the published shape). */
  mediaSdp?: () => Buffer;
  /** Whose call it is in the store (default: ids of the harness's own). */
  owner?: { userId: string; accountId: string; serviceId: string };
  recorder?: CallRecorder;
}) {
  const stops: (() => Promise<void> | void)[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'callbridge-phone-app-'));
  stops.push(() => rm(dir, { recursive: true, force: true }));
  const ca = await ThrowawayCa.create(dir);
  const microsoft = await ca.issue('microsoft', {
    dnsNames: ['sip.pstnhub.microsoft.com', FEDERATION_EDGE.host],
  });
  const sbc = await ca.issue('sbc', { dnsNames: ['sbc.test', '*.sbc.test', DEMO_PHONE_APP_DOMAIN] });
  const state = new EmulatorState(seedFileSchema.parse(demoSeed()));
  const kamailio = await Kamailio.start({
    users: [
      { username: DEBRA.sipUsername, password: DEBRA.password },
      { username: DESK_PHONE.username, password: DESK_PHONE.password },
    ],
    challengeInvitesFrom: [DEBRA.sipUsername],
  });
  stops.push(() => kamailio.dispose());
  const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 200 } });
  stops.push(() => stack.stop());
  const agent = new RegistrationAgent(stack, { onState: () => undefined }, { ratePerSecond: 100 });
  stops.push(async () => void (await agent.stop()));
  const pbx = {
    sipDomain: 'pbx.test',
    proxyHost: '127.0.0.1',
    proxyPort: kamailio.port,
    transport: 'udp' as const,
  };
  const userId = options.owner?.userId ?? 'user-debra';
  agent.upsert({
    id: userId,
    service: { ...pbx, expirySeconds: 300 },
    sipUsername: DEBRA.sipUsername,
    authUsername: DEBRA.sipUsername,
    password: DEBRA.password,
    enabled: true,
  });
  const box: { edge?: TeamsEdge } = {};
  const teams = await TeamsSipEmulator.start({
    host: '127.0.0.1',
    ...microsoft,
    caFile: ca.ca.certFile,
    directory: emulatorDirectory(state),
    sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: box.edge!.port }),
    ...(options.mediaSdp && { mediaSdp: options.mediaSdp }),
  });
  stops.push(() => teams.stop());
  const edge = (box.edge = await TeamsEdge.start({
    settings: {
      baseDomain: 'sbc.test',
      host: '127.0.0.1',
      signallingPort: 0,
      ...sbc,
      caFile: ca.ca.certFile,
      proxies: [{ host: 'sip.pstnhub.microsoft.com', port: 5061 }],
      ranges: new SignallingRanges(['127.0.0.0/8']),
      sbcHeader: 'Callbridge/PhoneApp/test',
      optionsIntervalMs: 0,
      failoverAfterMs: 3000,
      federation: { domain: DEMO_PHONE_APP_DOMAIN, edge: FEDERATION_EDGE },
    },
    route: () => Promise.resolve({ kind: 'unknown-host' }),
    timers: { t1: 200 },
    resolveProxy: (proxy) =>
      Promise.resolve({ protocol: 'tls', address: '127.0.0.1', port: teams.port, serverName: proxy.host }),
  }));
  stops.push(() => edge.stop());
  const user: CallUser = {
    userId,
    accountId: options.owner?.accountId ?? 'account-contoso',
    serviceId: options.owner?.serviceId ?? 'service-pbx',
    number: null,
    customerFqdn: 'contoso.sbc.test',
    pbx: {
      ...pbx,
      sipUsername: DEBRA.sipUsername,
      authUsername: DEBRA.sipUsername,
      password: DEBRA.password,
    },
    settings: { ...DEFAULT_CALL_SETTINGS, ringTimeoutMs: 15_000 },
    phoneApp: { address: DEBRA.address },
  };
  const recorder = new MemoryRecorder();
  const errors: string[] = [];
  const b2bua = B2bua.attach({
    stack,
    teams: edge,
    relay: options.relay,
    recorder: options.recorder ?? recorder,
    directory: { find: (id) => Promise.resolve(id === userId ? user : undefined) },
    userForContact: (token) => agent.userForContact(token),
    contactTokenOf: (id) => contactToken(id),
    pbxSilenceMs: 3000,
    onError: (error, what) => errors.push(`${what}: ${String(error)}`),
  });
  stops.push(() => b2bua.stop());
  let runs = 0;
  /** The desk phone 2001 runs a scenario toward Kamailio. */
  const deskPhone = async (xml: string, opts: { port?: number; service?: string; extra?: string[] } = {}) => {
    const run = await runSipp(dir, `sipp-${++runs}`, xml, {
      port: opts.port ?? (await freePort()),
      remote: `127.0.0.1:${kamailio.port}`,
      ext: DESK_PHONE.username,
      ...(opts.service && { service: opts.service }),
      ...(opts.extra && { extra: opts.extra }),
    });
    stops.push(run.stop);
    return run.done;
  };
  const tenant = state.tenants.get(DEMO_TENANT_ID)!;
  return {
    state,
    tenant,
    teams,
    edge,
    b2bua,
    kamailio,
    agent,
    user,
    userId,
    recorder,
    errors,
    deskPhone,
    /** Calls the emulated Microsoft received from us. */
    toTeams: () => teams.calls.filter((c) => c.direction === 'to-teams'),
    async stop() {
      while (stops.length > 0) await stops.pop()!();
    },
  };
}
