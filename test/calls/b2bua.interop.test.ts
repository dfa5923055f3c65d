import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refusal } from '../../src/calls/call-user.js';
import { freePort, kamailioInstalled } from '../sip/support/kamailio.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { ALICE, EXTENSION, startCallHarness, until } from './support/b2bua-harness.js';
import { registerScenario, uacScenario, uasScenario } from './support/sipp-scenarios.js';
import type { SignallingRelay } from './support/signalling-relay.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const ready = kamailioInstalled() && hasSipp;
if (!ready) console.warn('B2BUA interop tests skipped: kamailio and sipp are needed');

let pki: TeamsPki;
let h: Awaited<ReturnType<typeof startCallHarness>>;
beforeAll(async () => {
  if (!ready) return;
  pki = await createTeamsPki();
  h = await startCallHarness(pki);
});
afterAll(async () => {
  await h?.stop();
  await pki?.remove();
});
beforeEach(() => {
  if (!ready) return;
  h.user.settings = { ringTimeoutMs: 60_000, ringback: 'pass-through', holdMode: 'inactive' };
  delete h.user.refusal;
  for (const proxy of h.proxies) proxy.behaviours.clear();
  h.proxies[0]!.setBehaviour(ALICE.number, {
    devices: 1,
    earlyMedia: false,
    outcome: 'answer',
    afterMs: 100,
  });
});

const relay = () => h.relay as SignallingRelay;
const teamsCalls = () => h.proxies.flatMap((p) => p.calls);
async function nextRecord(count: number) {
  await until(() => h.recorder.records.length > count);
  return h.recorder.records[count]!;
}

/** The extension 2001 calls Alice's registered Contact through Kamailio. */
async function extensionCalls(plan: Parameters<typeof uacScenario>[0]) {
  const count = h.recorder.records.length;
  const run = await (await h.extension(uacScenario(plan), { service: ALICE.sipUsername })).done;
  return { run, record: await nextRecord(count) };
}

/** The extension registers with digest, then waits for a call with `plan`; resolves once it listens. */
async function extensionWaits(plan: Parameters<typeof uasScenario>[0]) {
  const port = await freePort();
  // A desk phone that moved ports: the PBX forgets the old binding, else it forks to both and waits on the dead one.
  await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION.username}`).catch(() => undefined);
  const extra = ['-au', EXTENSION.username, '-ap', EXTENSION.password];
  const registered = await (await h.extension(registerScenario(), { port, extra })).done;
  expect(registered.code, registered.output).toBe(0);
  const answering = await h.extension(uasScenario(plan), { port });
  await new Promise((r) => setTimeout(r, 300)); // sipp binds its socket
  return { done: answering.done }; // not the promise itself: awaiting this must not wait for sipp's end
}

describe.skipIf(!ready)('B2BUA: extension -> Teams (Kamailio, sipp, Teams emulator)', () => {
  it('the extension calls Alice: Teams rings her number from the customer subdomain, answers, the extension hangs up', async () => {
    const { run, record } = await extensionCalls({ kind: 'answered', talkMs: 300 });
    expect(run.code, run.output).toBe(0);
    const invite = teamsCalls().find((c) => c.callId === record.legs[1]?.sipCallId)!.incoming!.request;
    expect(invite.uri).toMatch(/^sip:\+4930111@sip\.pstnhub\.microsoft\.com:\d+;user=phone;transport=tls$/);
    expect(invite.headers.get('From')).toMatch(/^<sip:2001@contoso\.sbc\.test:\d+;user=phone>;tag=/);
    expect(invite.headers.get('Contact')).toMatch(/contoso\.sbc\.test/);
    expect(record).toMatchObject({
      direction: 'pbx-to-teams',
      result: 'answered',
      from: EXTENSION.username,
      to: ALICE.number,
      userId: h.userId,
    });
    expect(record.legs.map((l) => [l.side, l.finalStatus, l.hungUpBy])).toEqual([
      ['pbx', 200, 'pbx'],
      ['teams', 200, 'pbx'],
    ]);
    expect(record.legs[1]!.peer).toBe('sip.pstnhub.microsoft.com');
    // The offer went through the relay toward Teams, the answer toward the PBX, and the media was freed.
    const pbxCallId = record.legs[0]!.sipCallId;
    expect(
      relay()
        .offers.filter((o) => o.callId === pbxCallId)
        .map((o) => o.toward),
    ).toEqual(['teams']);
    expect(
      relay()
        .answers.filter((a) => a.callId === pbxCallId)
        .map((a) => a.toward),
    ).toEqual(['pbx']);
    expect(relay().deleted).toContain(pbxCallId);
    expect(record.ladder!.map((e) => `${e.leg} ${e.direction} ${e.summary.split(' ')[0]}`)).toEqual(
      expect.arrayContaining([
        'pbx in INVITE',
        'teams out INVITE',
        'teams in SIP/2.0',
        'pbx in BYE',
        'teams out BYE',
      ]),
    );
    await until(() => h.b2bua.activeCalls === 0 && h.edge.endpoint.dialogs.size === 0);
    expect([h.b2bua.activeCalls, h.b2bua.pbx.dialogs.size, h.edge.endpoint.dialogs.size]).toEqual([0, 0, 0]);
  });

  it('Teams busy (486) reaches the extension as 486; the record says busy', async () => {
    h.proxies[0]!.setBehaviour(ALICE.number, { outcome: 'busy' });
    const { run, record } = await extensionCalls({ kind: 'rejected', status: 486 });
    expect(run.code, run.output).toBe(0);
    expect(record.result).toBe('busy');
    expect(record.legs.map((l) => l.finalStatus)).toEqual([486, 486]);
  });

  it('Alice declines (603): the extension gets 603 and no other Microsoft proxy is tried', async () => {
    h.proxies[0]!.setBehaviour(ALICE.number, { outcome: 'decline' });
    const { run, record } = await extensionCalls({ kind: 'rejected', status: 603 });
    expect(run.code, run.output).toBe(0);
    expect(record.result).toBe('declined');
    const teamsCallId = record.legs[1]!.sipCallId;
    expect(teamsCalls().filter((c) => c.callId === teamsCallId)).toHaveLength(1);
  });

  it('no answer within the service ring timeout: Teams gets CANCEL (487), the extension 480', async () => {
    h.user.settings.ringTimeoutMs = 1500;
    h.proxies[0]!.setBehaviour(ALICE.number, { outcome: 'ring' });
    const started = Date.now();
    const { run, record } = await extensionCalls({ kind: 'rejected', status: 480 });
    expect(run.code, run.output).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(record.result).toBe('no-answer');
    const teams = teamsCalls().find((c) => c.callId === record.legs[1]!.sipCallId)!;
    await until(() => teams.status === 487);
    expect(teams.status).toBe(487);
  });

  it('the extension cancels while Teams rings: CANCEL reaches Teams, the record says cancelled', async () => {
    h.proxies[0]!.setBehaviour(ALICE.number, { outcome: 'ring' });
    const { run, record } = await extensionCalls({ kind: 'cancel-after-ringing' });
    expect(run.code, run.output).toBe(0);
    expect(record.result).toBe('cancelled');
    const teams = teamsCalls().find((c) => c.callId === record.legs[1]!.sipCallId)!;
    await until(() => teams.status === 487);
    expect(teams.status).toBe(487);
  });

  it.each([
    ['pass-through', ['180', '180', '183 sdp']],
    ['first-18x-only', ['180']],
    ['183-as-180', ['180', '180', '180']],
  ] as const)(
    'two Teams devices ring, then early media: under %s the PBX hears %j',
    async (profile, heard) => {
      h.user.settings.ringback = profile;
      h.proxies[0]!.setBehaviour(ALICE.number, {
        devices: 2,
        earlyMedia: true,
        outcome: 'answer',
        afterMs: 200,
      });
      const { run, record } = await extensionCalls({ kind: 'answered', talkMs: 100 });
      expect(run.code, run.output).toBe(0);
      const toPbx = record.ladder!.filter(
        (e) => e.leg === 'pbx' && e.direction === 'out' && /^SIP\/2\.0 18\d/.test(e.summary),
      );
      expect(toPbx.map((e) => e.summary.split(' ')[1]! + (/\r\n\r\nv=0/.test(e.text) ? ' sdp' : ''))).toEqual(
        heard,
      );
    },
  );

  it('an unlicensed user is refused 403 with the reason recorded; Microsoft sees nothing', async () => {
    h.user.refusal = refusal('user_not_callable', 'Alice holds no PBX user licence.');
    const before = teamsCalls().length;
    const { run, record } = await extensionCalls({ kind: 'rejected', status: 403 });
    expect(run.code, run.output).toBe(0);
    expect(record.result).toBe('refused');
    expect(record.refusal).toEqual({
      code: 'user_not_callable',
      message: 'Alice holds no PBX user licence.',
    });
    expect(teamsCalls().length).toBe(before);
  });
});

describe.skipIf(!ready)('B2BUA: Teams -> extension (Kamailio challenges Alice like her desk phone)', () => {
  it('Alice calls 2001 from Teams: INVITE as alice@pbx.test, 407 answered with her digest, answered, Teams hangs up', async () => {
    const count = h.recorder.records.length;
    const answering = await extensionWaits({ kind: 'answer' });
    const call = h.proxies[0]!.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
    expect(await until(() => call.status !== undefined, 10_000)).toBe(true);
    expect(call.status).toBe(200);
    await h.proxies[0]!.hangUp(call.callId);
    const run = await answering.done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    expect(record).toMatchObject({ direction: 'teams-to-pbx', result: 'answered', to: EXTENSION.username });
    expect(record.legs.map((l) => [l.side, l.finalStatus, l.hungUpBy])).toEqual([
      ['pbx', 200, 'teams'],
      ['teams', 200, 'teams'],
    ]);
    const pbx = record.ladder!.filter((e) => e.leg === 'pbx');
    const invites = pbx.filter((e) => e.direction === 'out' && e.summary.startsWith('INVITE'));
    expect(invites).toHaveLength(2);
    expect(invites[0]!.text).toMatch(/^From: <sip:alice@pbx\.test>;tag=/m);
    expect(pbx.some((e) => e.direction === 'in' && e.summary.startsWith('SIP/2.0 407'))).toBe(true);
    expect(invites[1]!.text).toMatch(/^Proxy-Authorization: Digest username="alice", \[removed\]$/m);
    expect(JSON.stringify(record.ladder)).not.toContain(ALICE.password);
    const teamsCallId = record.legs[1]!.sipCallId;
    expect(
      relay()
        .offers.filter((o) => o.callId === teamsCallId)
        .map((o) => o.toward),
    ).toEqual(['pbx']);
    expect(
      relay()
        .answers.filter((a) => a.callId === teamsCallId)
        .map((a) => a.toward),
    ).toEqual(['teams']);
  });

  it('the extension is busy: Teams gets 486', async () => {
    const answering = await extensionWaits({ kind: 'reject', status: 486 });
    const call = h.proxies[0]!.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
    await until(() => call.status !== undefined, 10_000);
    expect(call.status).toBe(486);
    expect((await answering.done).code).toBe(0);
  });

  it('Teams cancels while the extension rings: the extension gets CANCEL and answers 487', async () => {
    const count = h.recorder.records.length;
    const answering = await extensionWaits({ kind: 'ring-until-cancel' });
    const call = h.proxies[0]!.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
    await until(() => h.recorder.events.at(-1) === 'changed ringing', 10_000);
    await h.proxies[0]!.hangUp(call.callId);
    const run = await answering.done;
    expect(run.code, run.output).toBe(0);
    await until(() => call.status !== undefined);
    expect(call.status).toBe(487);
    expect((await nextRecord(count)).result).toBe('cancelled');
  });

  it('a PBX that does not answer at all: Teams hears 503 within 10 s, the record names the PBX', async () => {
    const port = h.user.pbx.proxyPort;
    h.user.pbx.proxyPort = await freePort(); // nothing listens there
    try {
      const count = h.recorder.records.length;
      const started = Date.now();
      const call = h.proxies[0]!.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
      await until(() => call.status !== undefined, 12_000);
      expect(call.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(10_000);
      const record = await nextRecord(count);
      expect(record.refusal?.code).toBe('pbx_unreachable');
    } finally {
      h.user.pbx.proxyPort = port;
    }
  });
});
