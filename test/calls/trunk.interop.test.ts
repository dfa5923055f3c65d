import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallRecordInput } from '../../src/calls/call-record.types.js';
import { freePort } from '../sip/support/kamailio.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { until } from './support/b2bua-harness.js';
import { carrierUasScenario } from './support/carrier-scenarios.js';
import { uacScenario } from './support/sipp-scenarios.js';
import { BOB, OTHER, startTrunkHarness, TRUNK_CONTACT } from './support/trunk-harness.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
if (!hasSipp) console.warn('Trunk interop tests skipped: sipp is needed');

let pki: TeamsPki;
let h: Awaited<ReturnType<typeof startTrunkHarness>>;
beforeAll(async () => {
  if (!hasSipp) return;
  pki = await createTeamsPki();
  h = await startTrunkHarness(pki);
});
afterAll(async () => {
  await h?.stop();
  await pki?.remove();
});
beforeEach(async () => {
  if (!hasSipp) return;
  for (const proxy of h.proxies) proxy.behaviours.clear();
  h.proxies[0]!.setBehaviour(BOB.number, { devices: 1, earlyMedia: false, outcome: 'answer', afterMs: 100 });
  await h.configure({ addresses: [{ host: '127.0.0.1', port: 5060 }] });
});

const teamsCalls = () => h.proxies.flatMap((p) => p.calls);
async function nextRecord(count: number): Promise<CallRecordInput> {
  await until(() => h.recorder.records.length > count, 15_000);
  return h.recorder.records[count]!;
}

/** The carrier calls `dialled` from 01632960001 (a GB national number). */
async function carrierCalls(dialled: string, plan: Parameters<typeof uacScenario>[0]) {
  const count = h.recorder.records.length;
  const run = await (await h.carrier(uacScenario(plan), { service: dialled })).done;
  return { run, record: await nextRecord(count) };
}

/** The carrier listens at `port` and takes one call; resolves once sipp listens. */
async function carrierWaits(port: number, plan: Parameters<typeof carrierUasScenario>[0] = {}) {
  const run = await h.carrier(carrierUasScenario(plan), { port });
  await new Promise((r) => setTimeout(r, 300)); // sipp binds its socket
  return { done: run.done };
}

/** Bob calls `dialled` from Teams; resolves with the emulated call once Teams has a final answer. */
async function bobCalls(dialled: string) {
  const call = h.proxies[0]!.callFromTeams(BOB.number, dialled, 'contoso.sbc.test');
  await until(() => call.status !== undefined, 15_000);
  return call;
}

describe.skipIf(!hasSipp)('trunk inbound: the carrier (sipp) calls a number of the trunk', () => {
  it.each([
    ['e164', '', '+441235123465'],
    ['e164-no-plus', '', '441235123465'],
    ['national', '9', '901235123465'],
  ] as const)(
    'a %s number (prefix %j) %s reaches Bob in Teams as +441235123465',
    async (numberFormat, numberPrefix, dialled) => {
      await h.configure({ addresses: [{ host: '127.0.0.1', port: 5060 }], numberFormat, numberPrefix });
      const { run, record } = await carrierCalls(dialled, { kind: 'answered', talkMs: 200 });
      expect(run.code, run.output).toBe(0);
      expect(record).toMatchObject({
        direction: 'pbx-to-teams',
        result: 'answered',
        userId: BOB.userId,
        to: BOB.number,
        from: '+441632960001',
      });
      const invite = teamsCalls().find((c) => c.callId === record.legs[1]?.sipCallId)!.incoming!.request;
      expect(invite.uri).toMatch(
        /^sip:\+441235123465@sip\.pstnhub\.microsoft\.com:\d+;user=phone;transport=tls$/,
      );
      expect(invite.headers.get('From')).toMatch(/^<sip:\+441632960001@contoso\.sbc\.test/);
      expect(h.trunks.line('service-trunk')!.channels).toBe(0);
    },
  );

  it('a number in the range held by nobody: 404 with the range named, recorded with advice; Teams sees nothing', async () => {
    const before = teamsCalls().length;
    const { run, record } = await carrierCalls('+441235123466', { kind: 'rejected', status: 404 });
    expect(run.code, run.output).toBe(0);
    expect(record.refusal?.code).toBe('trunk_number_unassigned');
    expect(record.refusal?.message).toContain('+441235123466 is in the range +441235123400-+441235123499');
    expect(record.to).toBe('+441235123466');
    expect(record.userId).toBeUndefined();
    expect(record.legs[0]).toMatchObject({ side: 'pbx', finalStatus: 404 });
    expect(teamsCalls().length).toBe(before);
  });

  it('a number outside every range: 404, recorded with what to check', async () => {
    const { run, record } = await carrierCalls('+441235999999', { kind: 'rejected', status: 404 });
    expect(run.code, run.output).toBe(0);
    expect(record.refusal?.code).toBe('trunk_number_outside_ranges');
    expect(record.refusal?.message).toContain('number format (e164)');
  });

  it("a registration trunk: the carrier rings our registered Contact with the number in To; Bob's call is bridged", async () => {
    // The carrier's proxy is elsewhere (127.0.0.2): the Contact it rings, not the source, names the trunk.
    await h.configure({
      kind: 'registration',
      addresses: [{ host: '127.0.0.2', port: 5060 }],
      calledNumberFrom: 'to',
    });
    const count = h.recorder.records.length;
    const xml = uacScenario({ kind: 'answered', talkMs: 200 }).replace(
      'To: <sip:[service]@pbx.test>',
      'To: <sip:441235123465@carrier.test>',
    );
    const run = await (await h.carrier(xml, { service: TRUNK_CONTACT })).done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    expect(record).toMatchObject({ result: 'answered', userId: BOB.userId, to: BOB.number });
  });

  it("two customers' trunks on one carrier address: each number goes to the trunk holding it; one claimed twice to neither", async () => {
    await h.configureShared({ addresses: [{ host: '127.0.0.1', port: 5060 }] });
    const eve = await carrierCalls('+441235123477', { kind: 'rejected', status: 404 }); // Eve has no Teams line
    expect(eve.record).toMatchObject({
      accountId: OTHER.accountId,
      userId: OTHER.userId,
      to: '+441235123477',
    });
    const twice = await carrierCalls(BOB.number, { kind: 'rejected', status: 404 });
    expect(twice.record.refusal?.message).toContain('held on more than one trunk');
    const count = h.recorder.records.length;
    const before = h.b2bua.counters.fromTrunk;
    const stray = await (
      await h.carrier(uacScenario({ kind: 'rejected', status: 404 }), { service: '+449999' })
    ).done;
    expect(stray.code, stray.output).toBe(0);
    expect(h.b2bua.counters.fromTrunk).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.recorder.records.length).toBe(count); // claimed by nobody: no customer's record shows it
  });

  it('an INVITE from an address that is not the trunk: refused, no call is bridged', async () => {
    await h.configure({ addresses: [{ host: '127.0.0.2', port: 5060 }] });
    const before = { teams: teamsCalls().length, unknown: h.b2bua.counters.unknownContact };
    const run = await (
      await h.carrier(uacScenario({ kind: 'rejected', status: 404 }), { service: BOB.number })
    ).done;
    expect(run.code, run.output).toBe(0);
    expect(h.b2bua.counters.unknownContact).toBe(before.unknown + 1);
    expect(teamsCalls().length).toBe(before.teams);
  });
});

describe.skipIf(!hasSipp)('trunk outbound: Bob calls out from Teams through the carrier (sipp)', () => {
  it('the carrier gets the number and caller ID in its format with PAI; answered; Teams hangs up', async () => {
    const port = await freePort();
    await h.configure({ addresses: [{ host: '127.0.0.1', port }], numberFormat: 'e164-no-plus' });
    const count = h.recorder.records.length;
    const carrier = await carrierWaits(port);
    const call = await bobCalls('+441632960999');
    expect(call.status).toBe(200);
    await h.proxies[0]!.hangUp(call.callId);
    const run = await carrier.done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    expect(record).toMatchObject({ direction: 'teams-to-pbx', result: 'answered', userId: BOB.userId });
    const invite = record.ladder!.find((e) => e.leg === 'pbx' && e.summary.startsWith('INVITE'))!;
    expect(invite.summary).toBe('INVITE sip:441632960999@carrier.test;user=phone SIP/2.0');
    expect(invite.text).toMatch(/^From: <sip:441235123400@carrier\.test>;tag=/m);
    expect(invite.text).toMatch(/^P-Asserted-Identity: <sip:441235123400@carrier\.test;user=phone>$/m);
    expect(invite.text).not.toMatch(/^Privacy:/m);
  });

  it('digest on 401 with the trunk credentials: answered', async () => {
    const port = await freePort();
    await h.configure({ addresses: [{ host: '127.0.0.1', port }], username: 'trunk-77' }, 'carrier-secret');
    const carrier = await carrierWaits(port, {
      digest: { username: 'trunk-77', password: 'carrier-secret' },
    });
    const call = await bobCalls('+441632960999');
    expect(call.status).toBe(200);
    await h.proxies[0]!.hangUp(call.callId);
    const run = await carrier.done;
    expect(run.code, run.output).toBe(0);
  });

  it('wrong trunk credentials: the carrier refuses (403) and Teams hears 403, recorded', async () => {
    const port = await freePort();
    await h.configure({ addresses: [{ host: '127.0.0.1', port }], username: 'trunk-77' }, 'not-the-password');
    const count = h.recorder.records.length;
    const carrier = await carrierWaits(port, {
      digest: { username: 'trunk-77', password: 'carrier-secret' },
    });
    const call = await bobCalls('+441632960999');
    expect(call.status).toBe(403);
    expect((await carrier.done).code).toBe(0);
    const record = await nextRecord(count);
    expect(record.legs.find((l) => l.side === 'pbx')).toMatchObject({ finalStatus: 403 });
    expect(JSON.stringify(record.ladder)).not.toContain('not-the-password');
  });

  it("fails over to the trunk's second address when the first does not answer, and marks the first unhealthy", async () => {
    const [dead, live] = [await freePort(), await freePort()];
    const line = await h.configure({
      addresses: [
        { host: '127.0.0.1', port: dead },
        { host: '127.0.0.1', port: live },
      ],
    });
    const count = h.recorder.records.length;
    const carrier = await carrierWaits(live);
    const call = await bobCalls('+441632960999');
    expect(call.status).toBe(200);
    await h.proxies[0]!.hangUp(call.callId);
    expect((await carrier.done).code).toBe(0);
    const record = await nextRecord(count);
    expect(record.legs.find((l) => l.side === 'pbx')!.peer).toBe(`127.0.0.1:${live}`);
    expect(line.addresses[0]).toMatchObject({ label: `127.0.0.1:${dead}`, healthy: false });
    expect(line.callTargets()[0]!.label).toBe(`127.0.0.1:${live}`); // the next call goes to the healthy one first
  });

  it('channel limit: with one channel busy, a second call gets 503 with Reason toward Teams, recorded', async () => {
    const port = await freePort();
    await h.configure({ addresses: [{ host: '127.0.0.1', port }], maxChannels: 1 });
    const carrier = await carrierWaits(port);
    const first = await bobCalls('+441632960999');
    expect(first.status).toBe(200);
    const count = h.recorder.records.length;
    const second = await bobCalls('+441632960998');
    expect(second.status).toBe(503);
    const record = await nextRecord(count);
    expect(record.refusal).toMatchObject({ code: 'trunk_channels_full' });
    expect(record.refusal!.message).toContain('All 1 channels of the trunk "Carrier" are in use');
    expect(record.legs.find((l) => l.side === 'teams')).toMatchObject({ finalStatus: 503 });
    await h.proxies[0]!.hangUp(first.callId);
    expect((await carrier.done).code).toBe(0);
    await until(() => h.trunks.line('service-trunk')!.channels === 0);
    expect(h.trunks.line('service-trunk')!.channels).toBe(0);
  });
});
