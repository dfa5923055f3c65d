import { DEFAULT_CALL_SETTINGS } from '../../src/calls/call-user.js';
import { spawnSync } from 'node:child_process';
import type { Dialog } from '../../src/sip/dialog/dialog.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, kamailioInstalled } from '../sip/support/kamailio.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { ALICE, BOB, EXTENSION, EXTENSION_2, startCallHarness, until } from './support/b2bua-harness.js';
import {
  answerCheckingHeaders,
  answerCheckingScenario,
  heldByFarEndScenario,
  holdResumeScenario,
  registerScenario,
  transferredScenario,
  uacScenario,
  uasScenario,
  withInviteHeaders,
} from './support/sipp-scenarios.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const ready = kamailioInstalled() && hasSipp;
if (!ready) console.warn('B2BUA mid-call tests skipped: kamailio and sipp are needed');

let pki: TeamsPki;
let h: Awaited<ReturnType<typeof startCallHarness>>;
beforeAll(async () => {
  if (!ready) return;
  pki = await createTeamsPki();
  h = await startCallHarness(pki, { teamsRefer: true });
});
afterAll(async () => {
  await h?.stop();
  await pki?.remove();
});
beforeEach(() => {
  if (!ready) return;
  h.user.settings = { ...DEFAULT_CALL_SETTINGS };
  h.proxies[0]!.behaviours.clear();
  h.proxies[0]!.setBehaviour(ALICE.number, { devices: 1, earlyMedia: false, outcome: 'answer', afterMs: 50 });
});

async function nextRecord(count: number) {
  await until(() => h.recorder.records.length > count, 8000);
  return h.recorder.records[count]!;
}

/** The SDP of each re-INVITE Microsoft received in the call with this Call-ID. */
function reinvitesAtTeams(callId: string | undefined): string[] {
  const call = h.proxies.flatMap((p) => p.calls).find((c) => c.callId === callId);
  return (call?.reinvites ?? []).map((r) => r.body.toString());
}

describe.skipIf(!ready)('B2BUA mid-call: hold and resume from the PBX (sipp through Kamailio)', () => {
  it("holdMode 'inactive': the extension's sendonly hold reaches Teams as a=inactive, the resume as sendrecv, the extension is answered inactive", async () => {
    const count = h.recorder.records.length;
    const xml = holdResumeScenario('a=inactive');
    const run = await (await h.extension(xml, { service: ALICE.sipUsername })).done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    expect(record.result).toBe('answered');
    const [hold, resume] = reinvitesAtTeams(record.legs[1]?.sipCallId);
    expect(hold).toMatch(/^a=inactive\r?$/m);
    expect(hold).not.toMatch(/^a=(sendonly|recvonly|sendrecv)/m);
    expect(resume).toBeDefined();
    expect(resume).not.toMatch(/^a=(inactive|sendonly|recvonly)/m);
    expect(h.errors).toEqual([]);
  });

  it("holdMode 'music-from-pbx': Teams gets sendrecv so the PBX's music reaches it, the extension is answered recvonly", async () => {
    h.user.settings.holdMode = 'music-from-pbx';
    const count = h.recorder.records.length;
    const run = await (
      await h.extension(holdResumeScenario('a=recvonly'), { service: ALICE.sipUsername })
    ).done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    const [hold] = reinvitesAtTeams(record.legs[1]?.sipCallId);
    expect(hold).toMatch(/^a=sendrecv\r?$/m);
    expect(hold).not.toMatch(/^a=(inactive|sendonly)/m);
  });
});

describe.skipIf(!ready)('B2BUA mid-call: hold and resume from Teams', () => {
  it('Alice holds and resumes in Teams: the extension gets a=inactive then an offer without it, Teams gets 200 each time', async () => {
    const port = await freePort();
    await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION.username}`).catch(() => undefined);
    const extra = ['-au', EXTENSION.username, '-ap', EXTENSION.password];
    const registered = await (await h.extension(registerScenario(), { port, extra })).done;
    expect(registered.code, registered.output).toBe(0);
    const answering = await h.extension(heldByFarEndScenario(), { port });
    await new Promise((r) => setTimeout(r, 300));
    const teams = h.proxies[0]!;
    const call = teams.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
    expect(await until(() => call.status === 200, 10_000)).toBe(true);
    expect(await teams.hold(call.callId)).toBe(200);
    expect(call.held).toBe(true);
    expect(await teams.resume(call.callId)).toBe(200);
    expect(call.held).toBe(false);
    await teams.hangUp(call.callId);
    const run = await answering.done;
    expect(run.code, run.output).toBe(0);
  });
});

describe.skipIf(!ready)('B2BUA mid-call: transfers from Teams', () => {
  it('REFER advertised: Alice transfers the extension to Bob in Teams; the new INVITE goes back to Microsoft with Refer-To and Referred-By verbatim, NOTIFYs report progress, the extension ends up talking to Bob', async () => {
    h.proxies[0]!.setBehaviour(BOB.number, { devices: 1, earlyMedia: false, outcome: 'answer', afterMs: 50 });
    const calls = h.teamsCallsCount();
    const count = h.recorder.records.length;
    const ext = await h.extension(transferredScenario(), { service: ALICE.sipUsername });
    const alice = await answeredTeamsCall(calls);
    expect(alice.incoming!.request.headers.get('Allow')).toMatch(/\bREFER\b/);
    const proxy = h.proxies.find((p) => p.calls.includes(alice))!;
    expect(await proxy.transfer(alice.callId, BOB.userId)).toBe(202);
    expect(await until(() => teamsCallTo(BOB.number)?.status === 200, 8000)).toBe(true);
    const bob = teamsCallTo(BOB.number)!;
    const invite = bob.incoming!.request;
    expect(invite.uri).toMatch(/^sip:sip\.pstnhub\.microsoft\.com:5061;transport=tls;x-m=8:orgid:teams-bob$/);
    expect(bob.referredBy).toMatch(/^<sip:sip\.pstnhub\.microsoft\.com:5061;x-m=8:orgid:\w+;x-t=/);
    expect(await until(() => alice.notifies?.at(-1) === 'SIP/2.0 200 OK\r\n', 5000)).toBe(true);
    expect(alice.notifies?.[0]).toBe('SIP/2.0 100 Trying\r\n');
    // Microsoft ends Alice's leg on the final NOTIFY; the call goes on with Bob.
    expect(await until(() => alice.dialog === undefined, 5000)).toBe(true);
    expect(h.b2bua.activeCalls).toBe(1);
    await proxy.hangUp(bob.callId);
    const run = await ext.done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    expect(record.result).toBe('answered');
    expect(record.legs.find((l) => l.side === 'teams')?.sipCallId).toBe(bob.callId);
    expect(h.errors).toEqual([]);
  });

  it('REFER advertised: Alice transfers the extension to the number 2002; back through Microsoft, which calls it through Callbridge as Alice: the PBX rings 2002 with her digest, and 2001 ends up bridged to it', async () => {
    const port = await freePort();
    await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION_2.username}`).catch(() => undefined);
    const auth = ['-au', EXTENSION_2.username, '-ap', EXTENSION_2.password];
    const registered = await (
      await h.extension(registerScenario(), { port, extra: auth, ext: EXTENSION_2.username })
    ).done;
    expect(registered.code, registered.output).toBe(0);
    const target = await h.extension(uasScenario({ kind: 'answer' }), { port, ext: EXTENSION_2.username });
    await new Promise((r) => setTimeout(r, 300));
    const calls = h.teamsCallsCount();
    const ext = await h.extension(transferredScenario(), { service: ALICE.sipUsername });
    const alice = await answeredTeamsCall(calls);
    const proxy = h.proxies.find((p) => p.calls.includes(alice))!;
    expect(await proxy.transfer(alice.callId, `4:${EXTENSION_2.username}`)).toBe(202);
    expect(await until(() => teamsCallTo(EXTENSION_2.username)?.status === 200, 10_000)).toBe(true);
    const toNumber = teamsCallTo(EXTENSION_2.username)!;
    expect(toNumber.incoming!.request.uri).toMatch(/;x-m=4:2002$/);
    const onward = proxy.find(toNumber.onward!);
    expect(onward.status).toBe(200); // Microsoft's call to 2002 through Callbridge, as Alice
    expect(await until(() => alice.notifies?.at(-1) === 'SIP/2.0 200 OK\r\n', 5000)).toBe(true);
    expect(await until(() => alice.dialog === undefined, 5000)).toBe(true);
    await proxy.hangUp(onward.callId); // 2002 is released
    expect((await target.done).code).toBe(0);
    await proxy.hangUp(toNumber.callId); // and 2001
    const run = await ext.done;
    expect(run.code, run.output).toBe(0);
    expect(h.errors).toEqual([]);
  });

  it('REFER not advertised: Teams transfers internally; its re-INVITE moving the media reaches the extension and its NOTIFY is answered 200', async () => {
    const teamsOptions = h.edge.endpoint.options;
    const allow = teamsOptions.allow;
    teamsOptions.allow = undefined;
    try {
      const calls = h.teamsCallsCount();
      const ext = await h.extension(transferredScenario(), { service: ALICE.sipUsername });
      const alice = await answeredTeamsCall(calls);
      expect(alice.incoming!.request.headers.get('Allow')).not.toMatch(/\bREFER\b/);
      const proxy = h.proxies.find((p) => p.calls.includes(alice))!;
      expect(await proxy.transfer(alice.callId, BOB.userId)).toBe('internal');
      expect(alice.reinviteAnswer?.status).toBe(200); // the extension took the new media (its scenario checks)
      const notify = await proxy.endpoint.dialogs.request(
        alice.dialog!,
        'NOTIFY',
        { Event: 'refer', 'Subscription-State': 'terminated', 'Content-Type': 'message/sipfrag' },
        Buffer.from('SIP/2.0 200 OK\r\n'),
      );
      expect(notify.status).toBe(200);
      await proxy.hangUp(alice.callId);
      const run = await ext.done;
      expect(run.code, run.output).toBe(0);
    } finally {
      teamsOptions.allow = allow;
    }
  });
});

function teamsCallTo(number: string) {
  return h.proxies
    .flatMap((p) => p.calls)
    .filter((c) => c.direction === 'to-teams' && c.to === number)
    .at(-1);
}

/** The next call Microsoft receives from us after `calls` of them, once answered. */
async function answeredTeamsCall(calls: number) {
  expect(await until(() => h.teamsCallsCount() > calls && h.lastTeamsCall()?.status === 200, 8000)).toBe(
    true,
  );
  return h.lastTeamsCall()!;
}

describe.skipIf(!ready)('B2BUA mid-call: INVITE with Replaces from Teams', () => {
  it("Teams replaces Alice's leg (a call queue handing the call on): the PBX leg is re-INVITEd toward the new Teams dialog, the replaced dialog gets our BYE, the call goes on", async () => {
    const calls = h.teamsCallsCount();
    const count = h.recorder.records.length;
    const ext = await h.extension(transferredScenario(), { service: ALICE.sipUsername });
    const alice = await answeredTeamsCall(calls);
    const proxy = h.proxies.find((p) => p.calls.includes(alice))!;
    const replacing = proxy.replace(alice.callId);
    expect(replacing.outgoing!.request.headers.get('Replaces')).toContain(alice.callId);
    expect(await until(() => replacing.status === 200, 8000)).toBe(true);
    expect(await until(() => alice.dialog === undefined, 3000)).toBe(true); // our BYE of the replaced leg
    expect(h.b2bua.activeCalls).toBe(1);
    await proxy.hangUp(replacing.callId);
    const run = await ext.done;
    expect(run.code, run.output).toBe(0);
    const record = await nextRecord(count);
    expect(record.result).toBe('answered');
    expect(record.legs.find((l) => l.side === 'teams')?.sipCallId).toBe(replacing.callId);
    expect(h.errors).toEqual([]);
  });

  it('Replaces naming a dialog Callbridge does not have is refused 481', async () => {
    const proxy = h.proxies[0]!;
    const unknown: Pick<Dialog, 'callId' | 'localTag' | 'remoteTag' | 'remoteTarget'> = {
      callId: 'no-such-call',
      localTag: 'a',
      remoteTag: 'b',
      remoteTarget: `sip:contoso.sbc.test:${h.edge.port};transport=tls`,
    };
    const call = proxy.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test', unknown as Dialog);
    expect(await until(() => call.status !== undefined, 5000)).toBe(true);
    expect(call.status).toBe(481);
  });
});

describe.skipIf(!ready)('B2BUA: forwarding and simultaneous ring from Teams', () => {
  it("History-Info on Microsoft's INVITE reaches the extension as Diversion (most recent first, RFC 6044 reasons)", async () => {
    const port = await freePort();
    await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION.username}`).catch(() => undefined);
    const extra = ['-au', EXTENSION.username, '-ap', EXTENSION.password];
    expect((await (await h.extension(registerScenario(), { port, extra })).done).code).toBe(0);
    const expected =
      'sip:\\+4930555@pbx\\.test.;reason=user-busy;counter=1, .sip:\\+4930111@pbx\\.test.;reason=unconditional;counter=1';
    const answering = await h.extension(answerCheckingScenario('Diversion', expected), { port });
    await new Promise((r) => setTimeout(r, 300));
    const proxy = h.proxies[0]!;
    const historyInfo =
      `<sip:${ALICE.number}@sip.pstnhub.microsoft.com:5061;user=phone?Reason=SIP%3Bcause%3D302%3Btext%3D%22Moved%20temporarily%22>;index=1,` +
      '<sip:+4930555@sip.pstnhub.microsoft.com:5061;user=phone?Reason=SIP%3Bcause%3D486%3Btext%3D%22Busy%22>;index=1.1';
    const call = proxy.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test', undefined, {
      'History-Info': historyInfo,
    });
    expect(await until(() => call.status !== undefined, 10_000)).toBe(true);
    expect(call.status).toBe(200);
    await proxy.hangUp(call.callId);
    const run = await answering.done;
    expect(run.code, run.output).toBe(0);
  });
});

/** A PSTN caller (not a Callbridge user): the From of a call Microsoft forwards on for Alice. */
const PSTN_CALLER = '+447700900123';

/**
 * Microsoft forwards or simultaneously rings a call for Alice to her desk phone's number 2001 through the SBC (the
 * emulator's `forwardFromTeams`, History-Info as Microsoft documents it): the extension must get it *as Alice*
 * (From her AOR, the PBX's digest answered with her credentials) with a Diversion naming her, although the caller
 * is an outside number no user has.
 */
async function forwardedToExtension(kind: 'forward' | 'simultaneous-ring', diversion: string) {
  const port = await freePort();
  await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION.username}`).catch(() => undefined);
  const extra = ['-au', EXTENSION.username, '-ap', EXTENSION.password];
  expect((await (await h.extension(registerScenario(), { port, extra })).done).code).toBe(0);
  const answering = await h.extension(
    answerCheckingHeaders({ From: '^ *.sip:alice@pbx\\.test.;tag=', Diversion: diversion }),
    { port },
  );
  await new Promise((r) => setTimeout(r, 300));
  const count = h.recorder.records.length;
  const proxy = h.proxies[0]!;
  const call = proxy.forwardFromTeams(
    { caller: PSTN_CALLER, user: ALICE.number, target: EXTENSION.username, kind },
    'contoso.sbc.test',
  );
  expect(await until(() => call.status !== undefined, 10_000)).toBe(true);
  expect(call.status).toBe(200);
  await proxy.hangUp(call.callId);
  const run = await answering.done;
  expect(run.code, run.output).toBe(0);
  const record = await nextRecord(count);
  expect(record.userId).toBe(h.userId);
  expect(record.from).toBe(PSTN_CALLER);
  const invites = record.ladder!.filter((e) => e.leg === 'pbx' && e.summary.startsWith('INVITE'));
  // Challenged by the PBX (407), then sent again with Alice's digest: her credentials, like her desk phone.
  expect(record.ladder!.some((e) => e.leg === 'pbx' && e.summary.startsWith('SIP/2.0 407'))).toBe(true);
  expect(invites.at(-1)!.text).toMatch(/^Proxy-Authorization: Digest .*username="alice"/m);
}

describe.skipIf(!ready)(
  'B2BUA: calls Microsoft forwards or simultaneously rings from Alice to the PBX',
  () => {
    it('a PSTN caller calls Alice, who forwards to her desk phone: the PBX INVITE goes out as Alice (her digest) with Diversion naming her, reason unconditional', async () => {
      await forwardedToExtension(
        'forward',
        '^ *.sip:\\+4930111@pbx\\.test.;reason=unconditional;counter=1[[:space:]]*$',
      );
    });

    it('a PSTN caller calls Alice, whose simultaneous ring includes her desk phone: the PBX INVITE goes out as Alice with Diversion naming her', async () => {
      await forwardedToExtension(
        'simultaneous-ring',
        '^ *.sip:\\+4930111@pbx\\.test.;reason=unknown;counter=1[[:space:]]*$',
      );
    });
  },
);

describe.skipIf(!ready)('B2BUA: voicemail deposit toward Teams', () => {
  it("the PBX forwards a call for Alice's extension (no answer) to her Contact: Microsoft gets ;opaque=app:voicemail and her voicemail answers", async () => {
    const calls = h.teamsCallsCount();
    const xml = withInviteHeaders(uacScenario({ kind: 'answered', talkMs: 200 }), [
      `Diversion: <sip:${ALICE.sipUsername}@pbx.test>;reason=no-answer;counter=1`,
    ]);
    const run = await (await h.extension(xml, { service: ALICE.sipUsername })).done;
    expect(run.code, run.output).toBe(0);
    const deposit = h.proxies.flatMap((p) => p.calls).filter((c) => c.direction === 'to-teams')[calls]!;
    expect(deposit.incoming!.request.uri).toMatch(
      /^sip:\+4930111@sip\.pstnhub\.microsoft\.com:\d+;user=phone;transport=tls;opaque=app:voicemail$/,
    );
    expect(deposit.voicemail).toBe(true);
  });
});
