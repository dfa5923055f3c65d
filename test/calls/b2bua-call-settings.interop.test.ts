import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CALL_SETTINGS } from '../../src/calls/call-user.js';
import { kamailioInstalled } from '../sip/support/kamailio.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { ALICE, EXTENSION, startCallHarness, until } from './support/b2bua-harness.js';
import { uacFrom, uacLateOffer, uacWithHeaders } from './support/settings-scenarios.js';
import type { SignallingRelay } from './support/signalling-relay.js';
import { uacScenario } from './support/sipp-scenarios.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const ready = kamailioInstalled() && hasSipp;
if (!ready) console.warn('B2BUA call settings tests skipped: kamailio and sipp are needed');

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
beforeEach(async () => {
  if (!ready) return;
  await until(() => h.b2bua.activeCalls === 0);
  h.user.settings = { ...DEFAULT_CALL_SETTINGS };
  h.user.country = 'DE';
  for (const proxy of h.proxies) proxy.behaviours.clear();
  h.proxies[0]!.setBehaviour(ALICE.number, {
    devices: 1,
    earlyMedia: false,
    outcome: 'answer',
    afterMs: 100,
  });
});

const teamsCalls = () => h.proxies.flatMap((p) => p.calls);

/** The extension 2001 calls Alice through Kamailio; resolves when sipp is done. */
function extensionCalls(plan: Parameters<typeof uacScenario>[0]) {
  return h.extension(uacScenario(plan), { service: ALICE.sipUsername }).then((run) => run.done);
}

/** A call that is up (answered, talking for `talkMs`), and its record once it ended. */
async function callInProgress(talkMs: number) {
  const events = h.recorder.events.length;
  const done = extensionCalls({ kind: 'answered', talkMs });
  const answered = () => h.recorder.events.slice(events).includes('changed answered');
  expect(await until(answered, 10_000)).toBe(true);
  const count = h.recorder.records.length;
  return {
    /** Its record: the first one that was answered since it started (the refused ones end first). */
    async ended() {
      const run = await done;
      expect(run.code, run.output).toBe(0);
      const mine = () => h.recorder.records.slice(count).find((r) => r.answeredAt !== undefined);
      await until(() => mine() !== undefined);
      return mine()!;
    },
  };
}

describe.skipIf(!ready)(
  'B2BUA limits from the service call settings (Kamailio, sipp, Teams emulator)',
  () => {
    it("a user's second call at once is refused: 486 with a Reason to the PBX, 503 to Teams; the limit frees as the call ends", async () => {
      h.user.settings.maxCallsPerUser = 1;
      const first = await callInProgress(4000);
      expect(h.b2bua.limits.callsOf(h.userId)).toBe(1);
      const teamsBefore = teamsCalls().filter((c) => c.direction === 'to-teams').length;

      const count = h.recorder.records.length;
      const second = await extensionCalls({ kind: 'rejected', status: 486 });
      expect(second.code, second.output).toBe(0);
      await until(() => h.recorder.records.length > count);
      const refused = h.recorder.records[count]!;
      expect(refused).toMatchObject({ result: 'refused', refusal: { code: 'user_call_limit' } });
      expect(refused.refusal!.message).toContain('the most the service allows per user');
      const answer = refused.ladder!.find((e) => e.leg === 'pbx' && e.summary.startsWith('SIP/2.0 486'))!;
      expect(answer.text).toMatch(/^Reason: SIP;cause=486;text="The user already has 1 call/m);
      expect(teamsCalls().filter((c) => c.direction === 'to-teams').length).toBe(teamsBefore); // Microsoft saw nothing

      const fromTeams = h.proxies[0]!.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
      await until(() => fromTeams.status !== undefined, 10_000);
      expect(fromTeams.status).toBe(503);
      await until(() => h.recorder.records.length > count + 1);
      expect(h.recorder.records[count + 1]).toMatchObject({
        direction: 'teams-to-pbx',
        result: 'refused',
        refusal: { code: 'user_call_limit' },
        legs: [{ side: 'teams', finalStatus: 503 }],
      });

      expect((await first.ended()).result).toBe('answered');
      expect(h.b2bua.limits.callsOf(h.userId)).toBe(0);
      const third = await extensionCalls({ kind: 'answered', talkMs: 100 });
      expect(third.code, third.output).toBe(0);
    });

    it("the service's limit refuses the next call with 503 and the service's code", async () => {
      h.user.settings.maxCallsPerService = 1;
      const first = await callInProgress(3000);
      const count = h.recorder.records.length;
      // Our 503 reaches the extension as 500: a proxy turns a 503 into 500 (RFC 3261 16.7 step 6), so that the
      // phone does not take it as the PBX itself being unavailable.
      const second = await extensionCalls({ kind: 'rejected', status: 500 });
      expect(second.code, second.output).toBe(0);
      await until(() => h.recorder.records.length > count);
      expect(h.recorder.records[count]).toMatchObject({
        result: 'refused',
        refusal: { code: 'service_call_limit', message: 'The service already has 1 call, its limit.' },
        legs: [{ side: 'pbx', finalStatus: 503 }],
      });
      expect((await first.ended()).result).toBe('answered');
    });

    it('the maximum duration ends an answered call with BYE both ways, a Reason on each, recorded', async () => {
      h.user.settings.maxCallDurationMs = 1500;
      const count = h.recorder.records.length;
      const started = Date.now();
      const run = await extensionCalls({ kind: 'answered-remote-bye' });
      expect(run.code, run.output).toBe(0);
      await until(() => h.recorder.records.length > count);
      const record = h.recorder.records[count]!;
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expect(record).toMatchObject({
        result: 'answered',
        refusal: { code: 'max_duration', message: "The call reached the service's maximum duration (2 s)." },
      });
      expect(record.legs.map((l) => [l.side, l.hungUpBy, l.reason])).toEqual([
        ['pbx', 'callbridge', "The call reached the service's maximum duration (2 s)."],
        ['teams', 'callbridge', "The call reached the service's maximum duration (2 s)."],
      ]);
      for (const leg of ['pbx', 'teams'] as const) {
        const bye = record.ladder!.find(
          (e) => e.leg === leg && e.direction === 'out' && e.summary.startsWith('BYE'),
        );
        expect(bye?.text, leg).toMatch(/^Reason: Q\.850;cause=102;text="The call reached/m);
      }
      // Microsoft answered our BYE 200 (the call ends only once both BYEs are answered).
      const answers = record.ladder!.filter((e) => e.leg === 'teams' && e.direction === 'in');
      expect(answers.some((e) => /^SIP\/2\.0 200/.test(e.summary) && /^CSEQ: \d+ BYE/im.test(e.text))).toBe(
        true,
      );
    });
  },
);

describe.skipIf(!ready)('B2BUA: the voicemail race settings', () => {
  it('a delay before ringing Teams: Microsoft gets the INVITE only after it', async () => {
    h.user.settings.teamsRingDelayMs = 1200;
    const count = h.recorder.records.length;
    const run = await extensionCalls({ kind: 'answered', talkMs: 100 });
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.length > count);
    const ladder = h.recorder.records[count]!.ladder!;
    const at = (leg: string, direction: string) =>
      Date.parse(
        ladder.find((e) => e.leg === leg && e.direction === direction && e.summary.startsWith('INVITE'))!.at,
      );
    expect(at('teams', 'out') - at('pbx', 'in')).toBeGreaterThanOrEqual(1200);
    expect(h.recorder.records[count]!.result).toBe('answered');
  });

  it("a call the PBX forwards on no answer is refused 480 when the PBX's voicemail should take it", async () => {
    h.user.settings.pbxNoAnswerToTeamsVoicemail = false;
    const diversion = 'Diversion: <sip:2002@pbx.test>;reason=no-answer;counter=1';
    const before = h.lastTeamsCall()?.callId;
    const count = h.recorder.records.length;
    const refused = await (
      await h.extension(uacWithHeaders({ kind: 'rejected', status: 480 }, [diversion]), {
        service: ALICE.sipUsername,
      })
    ).done;
    expect(refused.code, refused.output).toBe(0);
    await until(() => h.recorder.records.length > count);
    expect(h.recorder.records[count]).toMatchObject({
      result: 'refused',
      refusal: { code: 'pbx_voicemail_preferred' },
    });
    expect(h.lastTeamsCall()?.callId).toBe(before);

    // A forward for another reason still reaches Teams; with the switch on, so does the no-answer one.
    const busy = await (
      await h.extension(
        uacWithHeaders({ kind: 'answered', talkMs: 50 }, ['Diversion: <sip:2002@pbx.test>;reason=user-busy']),
        {
          service: ALICE.sipUsername,
        },
      )
    ).done;
    expect(busy.code, busy.output).toBe(0);
    h.user.settings.pbxNoAnswerToTeamsVoicemail = true;
    const toTeams = await (
      await h.extension(uacWithHeaders({ kind: 'answered', talkMs: 50 }, [diversion]), {
        service: ALICE.sipUsername,
      })
    ).done;
    expect(toTeams.code, toTeams.output).toBe(0);
  });
});

describe.skipIf(!ready)('B2BUA: late offer from the PBX (INVITE without SDP)', () => {
  it('Callbridge offers to Teams, sends its offer to the PBX in the 200 and takes the answer from the ACK', async () => {
    h.proxies[0]!.setBehaviour(ALICE.number, {
      devices: 1,
      earlyMedia: true,
      outcome: 'answer',
      afterMs: 200,
    });
    const count = h.recorder.records.length;
    const run = await (await h.extension(uacLateOffer(300), { service: ALICE.sipUsername })).done;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.length > count);
    const record = h.recorder.records[count]!;
    expect(record).toMatchObject({ result: 'answered', direction: 'pbx-to-teams' });
    expect(record.refusal).toBeUndefined();
    const pbxCallId = record.legs[0]!.sipCallId;
    const relay = h.relay as SignallingRelay;
    const offers = relay.offers.filter((o) => o.callId === pbxCallId);
    // First our placeholder for the PBX side (discard port), then the PBX's answer from its ACK.
    expect(offers.map((o) => o.toward)).toEqual(['teams', 'teams']);
    expect(offers[0]!.sdp).toMatch(/^m=audio 9 RTP\/AVP 0 8 9 101\r$/m);
    expect(offers[1]!.sdp).toMatch(/^m=audio \d+ RTP\/AVP 0 101$/m);
    expect(offers[1]!.sdp).not.toMatch(/^m=audio 9 /m);
    expect(relay.answers.filter((a) => a.callId === pbxCallId).map((a) => a.toward)).toEqual(['pbx', 'pbx']);

    const teamsInvite = h.proxies[0]!.calls.find((c) => c.callId === record.legs[1]!.sipCallId)!.incoming!
      .request;
    expect(teamsInvite.body.toString()).toMatch(/^m=audio /m); // Microsoft never sees an INVITE without SDP
    const toPbx = record.ladder!.filter((e) => e.leg === 'pbx' && e.direction === 'out');
    const ok = toPbx.find((e) => e.summary.startsWith('SIP/2.0 200'))!;
    // Our offer (here the stand-in relay's copy of Teams' answer; rtpengine's in the audio test).
    expect(ok.text).toMatch(/\r\n\r\nv=0\r\n[^]*^m=audio \d+ /m);
    // Teams' early media (a 183 with SDP) reaches the PBX as a 180 without SDP: no offer in an unreliable 18x.
    const early = toPbx.filter((e) => /^SIP\/2\.0 18\d/.test(e.summary));
    expect(early.length).toBeGreaterThan(0);
    for (const e of early) expect(e.text).not.toMatch(/\r\n\r\nv=0/);
  });
});

it.skipIf(!ready)(
  'late offer: an ACK without the answer ends the call with BYE both ways, the reason recorded',
  async () => {
    const count = h.recorder.records.length;
    const run = await (await h.extension(uacLateOffer(0, false), { service: ALICE.sipUsername })).done;
    expect(run.code, run.output).toBe(0); // the extension got our BYE and answered it
    await until(() => h.recorder.records.length > count);
    const record = h.recorder.records[count]!;
    expect(record.result).toBe('failed');
    expect(record.legs[0]!.reason).toMatch(/ACK without SDP/);
    const bye = record.ladder!.find(
      (e) => e.leg === 'teams' && e.direction === 'out' && e.summary.startsWith('BYE'),
    );
    expect(bye?.text).toMatch(/^Reason: SIP;cause=488;/m);
  },
);

describe.skipIf(!ready)('B2BUA: caller ID toward Teams in +E.164, privacy as Microsoft documents', () => {
  /** The extension calls Alice presenting `from` (and headers); the INVITE Microsoft received. */
  async function teamsInviteFor(from: string, headers: string[] = []) {
    const count = h.recorder.records.length;
    const scenario = uacFrom({ kind: 'answered', talkMs: 50 }, from, headers);
    const run = await (await h.extension(scenario, { service: ALICE.sipUsername })).done;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.length > count);
    const record = h.recorder.records[count]!;
    const call = h.proxies[0]!.calls.find((c) => c.callId === record.legs[1]!.sipCallId)!;
    return { record, invite: call.incoming!.request };
  }

  it("a national number from the PBX reaches Teams as +E.164 in the service's country", async () => {
    const { record, invite } = await teamsInviteFor('03012345678');
    expect(invite.headers.get('From')).toMatch(
      /^<sip:\+493012345678@contoso\.sbc\.test:\d+;user=phone>;tag=/,
    );
    expect(invite.headers.get('Privacy')).toBeUndefined();
    expect(record.from).toBe('+493012345678');
    const international = await teamsInviteFor('00441235123465');
    expect(international.invite.headers.get('From')).toMatch(/^<sip:\+441235123465@contoso/);
  });

  it('the asserted identity wins over From; an extension stays an extension', async () => {
    const { invite } = await teamsInviteFor('2001', ['P-Asserted-Identity: <sip:03098765432@pbx.test>']);
    expect(invite.headers.get('From')).toMatch(/^<sip:\+493098765432@contoso/);
    const plain = await teamsInviteFor('2001');
    expect(plain.invite.headers.get('From')).toMatch(/^<sip:2001@contoso/);
  });

  it('a hidden caller (Privacy: id, anonymous From): From anonymous toward Teams, the number only in PAI with Privacy: id', async () => {
    const { record, invite } = await teamsInviteFor('"Anonymous" <sip:anonymous@anonymous.invalid>', [
      'P-Asserted-Identity: <sip:03012345678@pbx.test>',
      'Privacy: id',
    ]);
    expect(invite.headers.get('From')).toMatch(/^"Anonymous" <sip:anonymous@anonymous\.invalid>;tag=/);
    expect(invite.headers.get('P-Asserted-Identity')).toMatch(
      /^<sip:\+493012345678@contoso\.sbc\.test:\d+;user=phone>$/,
    );
    expect(invite.headers.get('Privacy')).toBe('id');
    expect(record.result).toBe('answered');
  });
});
