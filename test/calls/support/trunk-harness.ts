import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { B2bua } from '../../../src/calls/b2bua.js';
import { trunkRegistrationId } from '../../../src/calls/trunk/trunk-calls.types.js';
import { TrunkCalls } from '../../../src/calls/trunk/trunk-calls.js';
import type { TrunkDirectory, TrunkNumberHolder } from '../../../src/calls/trunk/trunk-directory.js';
import { TrunkLine } from '../../../src/calls/trunk/trunk-line.js';
import type { TrunkSettings } from '../../../src/domain/trunk.js';
import type { MediaRelay } from '../../../src/media/media-relay.js';
import { SipResolver } from '../../../src/sip/dns/sip.resolver.js';
import { contactToken } from '../../../src/sip/registration/registration.record.js';
import { SipStack } from '../../../src/sip/stack/sip.stack.js';
import { freePort } from '../../sip/support/kamailio.js';
import type { TeamsPki } from '../../sip/support/teams-pki.js';
import { MemoryRecorder } from './memory-recorder.js';
import { SignallingRelay } from './signalling-relay.js';
import { runSipp, type SippRun } from './sipp-runner.js';
import { startTeamsSide } from './teams-side.js';

/** The trunk customer: range +441235123400-499; Bob holds +441235123465 and shows the main number. */
export const ACCOUNT = 'account-trunk';
export const SERVICE = 'service-trunk';
export const RANGE = { start: '+441235123400', end: '+441235123499' };
export const BOB = { userId: 'user-bob', number: '+441235123465', callerId: '+441235123400' };
/** The Contact user part the trunk's registration carries (as the registration agent would have registered it). */
export const TRUNK_CONTACT = contactToken(trunkRegistrationId(SERVICE));

/** Another customer on the same carrier: its trunk claims Bob's number too (hostile), and holds +441235123477. */
export const OTHER = { accountId: 'account-other', serviceId: 'service-other', userId: 'user-eve' };

/** Numbers of the trunk held by users, as the store would answer (the store query has its own tests). */
const numberTable: TrunkDirectory = {
  holderOf: (accountId, serviceId, e164): Promise<TrunkNumberHolder> => {
    if (accountId === OTHER.accountId && serviceId === OTHER.serviceId)
      return Promise.resolve(
        e164 === BOB.number || e164 === '+441235123477'
          ? { kind: 'user', userId: OTHER.userId, number: e164 }
          : { kind: 'outside' },
      );
    if (accountId !== ACCOUNT || serviceId !== SERVICE) return Promise.resolve({ kind: 'outside' });
    if (e164 === BOB.number) return Promise.resolve({ kind: 'user', userId: BOB.userId, number: e164 });
    if (e164.length === RANGE.start.length && e164 >= RANGE.start && e164 <= RANGE.end)
      return Promise.resolve({ kind: 'unassigned', range: `${RANGE.start}-${RANGE.end}` });
    return Promise.resolve({ kind: 'outside' });
  },
  callerOf: (accountId, serviceId, userId) =>
    Promise.resolve(
      accountId === ACCOUNT && serviceId === SERVICE && userId === BOB.userId
        ? { number: BOB.number, callerId: BOB.callerId }
        : undefined,
    ),
};

/** Settings of the test trunk; tests change them through `h.configure`. */
export function trunkSettings(overrides: Partial<TrunkSettings> = {}): TrunkSettings {
  return {
    serviceId: SERVICE,
    accountId: ACCOUNT,
    kind: 'ip',
    domain: 'carrier.test',
    addresses: [],
    transport: 'udp',
    username: null,
    authUsername: null,
    passwordEnc: null,
    numberFormat: 'e164',
    numberPrefix: '',
    calledNumberFrom: 'request-uri',
    assertIdentity: true,
    maxChannels: null,
    codecs: ['PCMU', 'PCMA', 'telephone-event'],
    registrationState: null,
    registrationDetail: null,
    health: [],
    stateUpdatedAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/**
 * A carrier trunk's calls on loopback, all real: our SIP stack with the B2BUA and its trunk side, three emulated
 * Microsoft proxies over mutual TLS and our Teams edge; sipp plays the carrier (UAC toward our stack, UAS at the
 * trunk's addresses). The relay is the signalling stand-in unless a real one (rtpengine) is given.
 */
export async function startTrunkHarness(
  pki: TeamsPki,
  options: { relay?: MediaRelay; mediaSdp?: () => Buffer } = {},
) {
  const stops: (() => Promise<void> | void)[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'callbridge-trunk-'));
  if (!process.env.KEEP_CALL_LOGS) stops.push(() => rm(dir, { recursive: true, force: true }));
  const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 200 } });
  stops.push(() => stack.stop());
  const box: { b2bua?: B2bua } = {};
  const relay = options.relay ?? new SignallingRelay();
  const recorder = new MemoryRecorder();
  const { edge, proxies } = await startTeamsSide({
    pki,
    users: [{ tenantId: 't1', userId: 'teams-bob', displayName: 'Bob', number: BOB.number }],
    ...(options.mediaSdp && { mediaSdp: options.mediaSdp }),
    route: (host, number) =>
      Promise.resolve(
        host !== 'contoso.sbc.test'
          ? { kind: 'unknown-host' }
          : number === BOB.number
            ? { kind: 'found', accountId: ACCOUNT, serviceId: SERVICE, userId: BOB.userId }
            : { kind: 'unknown-number' },
      ),
    onCall: (call, route) => box.b2bua?.fromTeams(call, route),
    stops,
  });
  const trunks = new TrunkCalls({ directory: numberTable, customerFqdnOf: () => 'contoso.sbc.test' });
  const resolver = new SipResolver();
  const errors: string[] = [];
  const b2bua = (box.b2bua = B2bua.attach({
    stack,
    teams: edge,
    relay,
    recorder,
    directory: { find: () => Promise.resolve(undefined) },
    userForContact: (token) => (token === TRUNK_CONTACT ? trunkRegistrationId(SERVICE) : undefined),
    contactTokenOf: (id) => contactToken(id),
    pbxSilenceMs: 2000,
    trunks,
    onError: (error, what) => errors.push(`${what}: ${String(error)}`),
  }));
  stops.push(() => b2bua.stop());
  const service = { id: SERVICE, accountId: ACCOUNT, name: 'Carrier', country: 'GB' };

  let runs = 0;
  /** Run sipp as the carrier with a scenario; `remote` defaults to our stack. */
  const carrier = async (
    xml: string,
    args: { port?: number; ext?: string; service?: string; extra?: string[] },
  ) => {
    const name = `carrier-${++runs}`;
    const run = await runSipp(dir, name, xml, {
      port: args.port ?? (await freePort()),
      remote: `127.0.0.1:${stack.local('udp').port}`,
      ext: args.ext ?? '01632960001',
      ...(args.service && { service: args.service }),
      ...(args.extra && { extra: args.extra }),
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
    /** The last call Microsoft's proxies received from us. */
    lastTeamsCall: () => toTeams().at(-1),
    stack,
    proxies,
    edge,
    b2bua,
    trunks,
    relay,
    recorder,
    errors,
    carrier,
    /** Run the trunk with these settings (and password) from now on. */
    async configure(overrides: Partial<TrunkSettings>, password: string | null = null) {
      const line = await TrunkLine.open(trunkSettings(overrides), password, service, resolver);
      trunks.replace([line]);
      return line;
    },
    /** Run the test trunk and the other customer's trunk, both from the same carrier addresses. */
    async configureShared(overrides: Partial<TrunkSettings>) {
      const other = { id: OTHER.serviceId, accountId: OTHER.accountId, name: 'Other', country: 'GB' };
      const otherSettings = trunkSettings({
        ...overrides,
        serviceId: OTHER.serviceId,
        accountId: OTHER.accountId,
      });
      trunks.replace([
        await TrunkLine.open(trunkSettings(overrides), null, service, resolver),
        await TrunkLine.open(otherSettings, null, other, resolver),
      ]);
    },
    async stop() {
      while (stops.length > 0) await stops.pop()!();
    },
  };
}
