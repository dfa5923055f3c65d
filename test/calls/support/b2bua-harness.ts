import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { B2bua } from '../../../src/calls/b2bua.js';
import { DEFAULT_CALL_SETTINGS, type CallUser } from '../../../src/calls/call-user.js';
import type { MediaRelay } from '../../../src/media/media-relay.js';
import { RegistrationAgent } from '../../../src/sip/registration/registration.agent.js';
import { contactToken } from '../../../src/sip/registration/registration.record.js';
import { SipStack } from '../../../src/sip/stack/sip.stack.js';
import { freePort, Kamailio } from '../../sip/support/kamailio.js';
import type { TeamsPki } from '../../sip/support/teams-pki.js';
import { MemoryRecorder } from './memory-recorder.js';
import { SignallingRelay } from './signalling-relay.js';
import { runSipp, type SippRun } from './sipp-runner.js';
import { startTeamsSide } from './teams-side.js';

/** Alice: a Callbridge user (Teams number +4930111) registered to the PBX as `alice`; 2001: a desk phone (sipp). */
export const ALICE = { sipUsername: 'alice', password: 'alice-secret-1', number: '+4930111' };
export const EXTENSION = { username: '2001', password: 'ext-secret-2001' };
/** A second desk phone, 2002 (a transfer target reached through the PBX). */
export const EXTENSION_2 = { username: '2002', password: 'ext-secret-2002' };
const TENANT_USER = { tenantId: 't1', userId: 'teams-alice', displayName: 'Alice', number: ALICE.number };
/** Bob: another Teams user of the tenant (not a Callbridge user), a transfer target. */
export const BOB = { tenantId: 't1', userId: 'teams-bob', displayName: 'Bob', number: '+4930222' };

export async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; !check() && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 20));
  return check();
}

/**
 * Everything a call test needs, all real and on loopback: Kamailio as the customer's PBX (registrar, proxy,
 * digest on INVITEs from Alice), our registration stack with Alice registered to it, three emulated Microsoft
 * proxies over mutual TLS, our Teams edge, and the B2BUA between them. sipp plays the desk phone. The relay is
 * the signalling stand-in unless a real one (rtpengine) is given.
 */
export async function startCallHarness(
  pki: TeamsPki,
  options: { relay?: MediaRelay; mediaSdp?: () => Buffer; teamsRefer?: boolean } = {},
) {
  const stops: (() => Promise<void> | void)[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'callbridge-calls-'));
  if (!process.env.KEEP_CALL_LOGS) stops.push(() => rm(dir, { recursive: true, force: true }));
  const kamailio = await Kamailio.start({
    users: [
      { username: ALICE.sipUsername, password: ALICE.password },
      { username: EXTENSION.username, password: EXTENSION.password },
      { username: EXTENSION_2.username, password: EXTENSION_2.password },
    ],
    challengeInvitesFrom: [ALICE.sipUsername],
  });
  stops.push(() => kamailio.dispose());
  const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 200 } });
  stops.push(() => stack.stop());
  const agent = new RegistrationAgent(stack, { onState: () => undefined }, { ratePerSecond: 100 });
  stops.push(async () => void (await agent.stop()));
  const userId = 'user-alice';
  agent.upsert({
    id: userId,
    service: {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: kamailio.port,
      transport: 'udp',
      expirySeconds: 300,
    },
    sipUsername: ALICE.sipUsername,
    authUsername: ALICE.sipUsername,
    password: ALICE.password,
    enabled: true,
  });
  await until(() => agent.status(userId)?.state === 'registered');
  const relay = options.relay ?? new SignallingRelay();
  const recorder = new MemoryRecorder();
  const user: CallUser = {
    userId,
    accountId: 'account-contoso',
    serviceId: 'service-pbx',
    number: ALICE.number,
    customerFqdn: 'contoso.sbc.test',
    pbx: {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: kamailio.port,
      transport: 'udp',
      sipUsername: ALICE.sipUsername,
      authUsername: ALICE.sipUsername,
      password: ALICE.password,
    },
    settings: { ...DEFAULT_CALL_SETTINGS },
  };
  const b2buaBox: { b2bua?: B2bua } = {};
  const { edge, proxies } = await startTeamsSide({
    pki,
    users: [TENANT_USER, BOB],
    ...(options.mediaSdp && { mediaSdp: options.mediaSdp }),
    route: (host, number) =>
      Promise.resolve(
        host !== 'contoso.sbc.test'
          ? { kind: 'unknown-host' }
          : number === ALICE.number
            ? { kind: 'found', accountId: user.accountId, serviceId: user.serviceId, userId }
            : { kind: 'unknown-number' },
      ),
    onCall: (call, route) => b2buaBox.b2bua?.fromTeams(call, route),
    stops,
  });
  const errors: string[] = [];
  const b2bua = (b2buaBox.b2bua = B2bua.attach({
    stack,
    teams: edge,
    relay,
    recorder,
    directory: { find: (id) => Promise.resolve(id === userId ? user : undefined) },
    userForContact: (token) => agent.userForContact(token),
    contactTokenOf: (id) => contactToken(id),
    pbxSilenceMs: 3000,
    ...(options.teamsRefer && { teamsRefer: true }),
    onError: (error, what) => errors.push(`${what}: ${String(error)}`),
  }));
  stops.push(() => b2bua.stop());

  let sippRuns = 0;
  /** Run the desk phone 2001 with a scenario toward Kamailio; resolves when sipp exits. */
  const extension = async (
    xml: string,
    options: { service?: string; port?: number; extra?: string[]; ext?: string } = {},
  ) => {
    const name = `sipp-${++sippRuns}`;
    const run = await runSipp(dir, name, xml, {
      port: options.port ?? (await freePort()),
      remote: `127.0.0.1:${kamailio.port}`,
      ext: options.ext ?? EXTENSION.username,
      ...(options.service && { service: options.service }),
      ...(options.extra && { extra: options.extra }),
    });
    stops.push(run.stop);
    return {
      done: run.done.then(async (result): Promise<SippRun> => {
        const log = await readFile(join(dir, `${name}.errors.log`), 'utf8').catch(() => '');
        return { code: result.code, output: `${result.output}\n${log.slice(-3000)}` };
      }),
    };
  };
  const toTeams = () => proxies.flatMap((p) => p.calls).filter((c) => c.direction === 'to-teams');
  return {
    /** Calls Microsoft's proxies received from us, and the last of them. */
    teamsCallsCount: () => toTeams().length,
    lastTeamsCall: () => toTeams().at(-1),
    kamailio,
    agent,
    edge,
    proxies,
    b2bua,
    relay,
    recorder,
    user,
    userId,
    errors,
    dir,
    extension,
    async stop() {
      while (stops.length > 0) await stops.pop()!();
    },
  };
}
