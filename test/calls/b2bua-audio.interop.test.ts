import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneFrame } from '../../src/media/peer/g711.js';
import type { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import type { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { rtpengineInstalled, type RtpengineDaemon } from '../support/rtpengine-daemon.js';
import { freePort, kamailioInstalled } from '../sip/support/kamailio.js';
import { ALICE, BOB, EXTENSION, startCallHarness, until } from './support/b2bua-harness.js';
import {
  heldByFarEndScenario,
  holdResumeScenario,
  registerScenario,
  transferredScenario,
  uacScenario,
  uasScenario,
} from './support/sipp-scenarios.js';
import { startTeamsMedia, type TeamsMedia } from './support/teams-media.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const ready = kamailioInstalled() && hasSipp && rtpengineInstalled();
if (!ready) console.warn('B2BUA audio tests skipped: kamailio, sipp and rtpengine are needed');

/**
 * Two-way audio through the B2BUA and the real rtpengine: Teams' media processor is an SDES-SRTP peer
 * (AES_CM_128_HMAC_SHA1_80) sending a 1 kHz tone; the desk phone is sipp echoing every RTP packet back
 * (`-rtp_echo`). The tone coming back to the Teams peer, decrypted and authenticated, has crossed rtpengine twice
 * (SRTP -> RTP toward the PBX, RTP -> SRTP back); rtpengine's own counters show packets from both sides.
 */
describe.skipIf(!ready)('B2BUA audio: SRTP toward Teams, plain RTP toward the PBX, through rtpengine', () => {
  let media: TeamsMedia;
  let daemon: RtpengineDaemon;
  let relay: RtpengineRelay;
  let teams: RtpPeer;
  let h: Awaited<ReturnType<typeof startCallHarness>>;
  let answering = false;
  beforeAll(async () => {
    media = await startTeamsMedia();
    ({ daemon, relay, teams } = media);
    // Answering a call to Teams, the peer first takes the offer rtpengine made it (its answer echoes the crypto tag).
    const mediaSdp = media.answerWith(() =>
      answering ? h.lastTeamsCall()?.incoming?.request.body.toString() : undefined,
    );
    h = await startCallHarness(media.pki, { relay, mediaSdp, teamsRefer: true });
  });
  afterAll(async () => {
    await h?.stop();
    await media?.stop();
  });

  /** The Teams peer talks to what rtpengine gave Teams; resolves once its tone and digits came back through the echo. */
  async function teamsHearsItsToneBack(sdpTowardTeams: string): Promise<void> {
    teams.setRemote(sdpTowardTeams);
    const before = teams.counts.received;
    teams.start();
    await until(() => teams.counts.received - before >= 50, 8000);
    // RFC 4733 digits cross too: pressed in Teams, echoed by the phone, back through rtpengine both ways.
    const digits = teams.counts.digits;
    await teams.sendDigit('5');
    await teams.sendDigit('#');
    await until(() => teams.counts.digits === `${digits}5#`, 3000);
    expect(teams.counts.digits).toBe(`${digits}5#`);
    teams.stop();
    expect(teams.counts.received - before).toBeGreaterThanOrEqual(50);
    expect(teams.counts.authFailures).toBe(0);
    expect(teams.toneFraction(1000)).toBeGreaterThan(0.9);
  }

  /** The SDP sent toward Teams: SRTP with exactly one _80 crypto line, rtcp-mux, no ICE. */
  function expectTeamsSdp(sdp: string): void {
    expect(sdp).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    expect(sdp.match(/^a=crypto:.*$/gm)).toEqual([expect.stringMatching(/ AES_CM_128_HMAC_SHA1_80 inline:/)]);
    expect(sdp).toMatch(/^a=rtcp-mux/m);
    expect(sdp).not.toMatch(/^a=(candidate|ice-ufrag)/m);
  }

  it('extension -> Teams: two Teams devices ring, early media from one, the answer from the other: the tone crosses rtpengine both ways; SRTP only toward Teams', async () => {
    const count = h.teamsCallsCount();
    answering = true;
    const ext = await h.extension(uacScenario({ kind: 'answered', talkMs: 4000 }), {
      service: ALICE.sipUsername,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    expect(await until(() => h.teamsCallsCount() > count && h.lastTeamsCall()?.status === 200, 8000)).toBe(
      true,
    );
    const invite = h.lastTeamsCall()!.incoming!.request.body.toString();
    expectTeamsSdp(invite);
    await teamsHearsItsToneBack(invite);
    const run = await ext.done;
    answering = false;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.at(-1)?.direction === 'pbx-to-teams');
    const record = h.recorder.records.at(-1)!;
    const toPbx = record.ladder!.find((e) => e.leg === 'pbx' && e.summary.startsWith('SIP/2.0 200'))!.text;
    expect(toPbx).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(toPbx).not.toMatch(/^a=(crypto|candidate)/m);
    expect(record.media?.packets.pbx).toBeGreaterThan(40);
    expect(record.media?.packets.teams).toBeGreaterThan(40);
  });

  it('Teams -> extension: Alice calls 2001, the tone crosses rtpengine both ways', async () => {
    const port = await freePort();
    await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION.username}`).catch(() => undefined);
    const extra = ['-au', EXTENSION.username, '-ap', EXTENSION.password];
    expect((await (await h.extension(registerScenario(), { port, extra })).done).code).toBe(0);
    const answering = await h.extension(uasScenario({ kind: 'answer' }), {
      port,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    await new Promise((r) => setTimeout(r, 300));
    const call = h.proxies[0]!.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
    expect(await until(() => call.status === 200, 10_000)).toBe(true);
    const answer = (call.peerAllow as { body: Buffer }).body.toString();
    expectTeamsSdp(answer);
    await teamsHearsItsToneBack(answer);
    await h.proxies[0]!.hangUp(call.callId);
    expect((await answering.done).code).toBe(0);
    await until(() => h.recorder.records.at(-1)?.direction === 'teams-to-pbx');
    const record = h.recorder.records.at(-1)!;
    const toPbx = record
      .ladder!.filter((e) => e.leg === 'pbx' && e.summary.startsWith('INVITE'))
      .at(-1)!.text;
    expect(toPbx).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(toPbx).not.toMatch(/^a=(crypto|candidate)/m);
    expect(record.media?.packets.teams).toBeGreaterThan(40);
  });

  it('Teams holds and resumes: the hold reaches the phone as a=inactive through rtpengine, no media crosses during the hold (blocked at rtpengine although Teams keeps sending), and after the resume the tone crosses both ways again', async () => {
    const port = await freePort();
    await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION.username}`).catch(() => undefined);
    const extra = ['-au', EXTENSION.username, '-ap', EXTENSION.password];
    expect((await (await h.extension(registerScenario(), { port, extra })).done).code).toBe(0);
    const answering = await h.extension(heldByFarEndScenario(), {
      port,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    await new Promise((r) => setTimeout(r, 300));
    const proxy = h.proxies[0]!;
    const call = proxy.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
    expect(await until(() => call.status === 200, 10_000)).toBe(true);
    await teamsHearsItsToneBack((call.peerAllow as { body: Buffer }).body.toString());
    expect(await proxy.hold(call.callId)).toBe(200);
    const held = call.reinviteAnswer!.body.toString();
    expect(held).toMatch(/^a=inactive\r?$/m);
    // rtpengine 10.5 relays whatever arrives while the SDP says a=inactive (and sipp's echo ignores it): the B2BUA
    // blocks both parties' media at the relay during the hold. Teams keeps sending here; nothing comes back.
    teams.start();
    await new Promise((r) => setTimeout(r, 200)); // packets already on their way
    const duringHold = teams.counts.received;
    const sentDuringHold = teams.counts.sent;
    await new Promise((r) => setTimeout(r, 800));
    expect(teams.counts.sent - sentDuringHold).toBeGreaterThan(30);
    expect(teams.counts.received - duringHold).toBe(0);
    teams.stop();
    // The re-offer and re-answer keep the media path and the SRTP keys, and the media is unblocked: the resume
    // brings the audio back.
    expect(await proxy.resume(call.callId)).toBe(200);
    const resumed = call.reinviteAnswer!.body.toString();
    expectTeamsSdp(resumed);
    await teamsHearsItsToneBack(resumed);
    await proxy.hangUp(call.callId);
    const run = await answering.done;
    expect(run.code, run.output).toBe(0);
  });

  it.each([
    ['inactive', 'a=inactive', false],
    ['music-from-pbx', 'a=recvonly', true],
  ] as const)(
    'the extension holds with holdMode %s while its PBX plays music: the music reaches Teams only under music-from-pbx',
    async (holdMode, holdAnswer, musicPasses) => {
      h.user.settings.holdMode = holdMode;
      const file = join(h.dir, `music-${holdMode}.ulaw`);
      // Five seconds of a 400 Hz tone as raw PCMU: the PBX's music on hold.
      await writeFile(
        file,
        Buffer.concat(Array.from({ length: 250 }, (_, i) => toneFrame('PCMU', 400, i * 160))),
      );
      const count = h.teamsCallsCount();
      answering = true;
      const ext = await h.extension(holdResumeScenario(holdAnswer, 1500, { file, holdMs: 2500 }), {
        service: ALICE.sipUsername,
        extra: ['-mp', String(await freePort())],
      });
      expect(await until(() => h.teamsCallsCount() > count && h.lastTeamsCall()?.status === 200, 8000)).toBe(
        true,
      );
      const call = h.lastTeamsCall()!;
      const music = () => teams.counts.byPayloadType[0] ?? 0;
      const before = music();
      await until(() => music() - before >= 20, 3000); // the music reaches Teams before the hold
      expect(music() - before).toBeGreaterThanOrEqual(20);
      expect(await until(() => (call.reinvites?.length ?? 0) >= 1, 5000)).toBe(true);
      await new Promise((r) => setTimeout(r, 200)); // packets already on their way
      if (!musicPasses) {
        // Blocked once the re-INVITE's answer went back through the relay: no music for 300 ms, within 2 s.
        let last = music();
        let since = Date.now();
        const quiet = () => {
          if (music() !== last) [last, since] = [music(), Date.now()];
          return Date.now() - since >= 300;
        };
        expect(await until(quiet, 2000)).toBe(true);
      }
      const held = music();
      await new Promise((r) => setTimeout(r, 800));
      if (musicPasses) expect(music() - held).toBeGreaterThanOrEqual(30);
      else expect(music() - held).toBe(0);
      // The extension resumes: its media is unblocked and reaches Teams again.
      const resumed = music();
      expect(await until(() => music() - resumed >= 10, 4000)).toBe(true);
      const run = await ext.done;
      answering = false;
      expect(run.code, run.output).toBe(0);
    },
  );

  it("a transfer moves the media to a new relay call: the record's figures cover the whole call, before and after", async () => {
    const proxy = h.proxies[0]!;
    proxy.setBehaviour(BOB.number, { devices: 1, earlyMedia: false, outcome: 'answer', afterMs: 50 });
    const count = h.teamsCallsCount();
    const records = h.recorder.records.length;
    answering = true;
    const ext = await h.extension(transferredScenario(), {
      service: ALICE.sipUsername,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    expect(await until(() => h.teamsCallsCount() > count && h.lastTeamsCall()?.status === 200, 8000)).toBe(
      true,
    );
    const alice = h.lastTeamsCall()!;
    /** Teams talks until `n` packets came back through the echo; answers how many it sent meanwhile. */
    const talk = async (n: number) => {
      const [sent, received] = [teams.counts.sent, teams.counts.received];
      teams.start();
      await until(() => teams.counts.received - received >= n, 8000);
      teams.stop();
      await new Promise((r) => setTimeout(r, 100)); // the last echoes
      expect(teams.counts.received - received).toBeGreaterThanOrEqual(n);
      return teams.counts.sent - sent;
    };
    const before = await talk(100);
    expect(await proxy.transfer(alice.callId, BOB.userId)).toBe(202);
    const bob = () =>
      h.proxies.flatMap((p) => p.calls).find((c) => c.direction === 'to-teams' && c.to === BOB.number);
    expect(await until(() => bob()?.status === 200 && alice.dialog === undefined, 8000)).toBe(true);
    const after = await talk(50);
    await proxy.hangUp(bob()!.callId);
    const run = await ext.done;
    answering = false;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.length > records);
    const record = h.recorder.records[records]!;
    // What Teams sent before and after the transfer (rtpengine counts what reached it, so no more than that).
    expect(record.media?.packets.teams).toBeGreaterThan(after + before * 0.8);
    expect(record.media?.packets.teams).toBeLessThanOrEqual(before + after);
    expect(record.media?.packets.pbx).toBeGreaterThan(after + before * 0.8);
  });

  it('rtpengine stopped: a new call is refused at once (our 503, which the PBX passes on as 500), the record says why', async () => {
    await daemon.stop();
    await until(() => relay.status().state === 'unavailable', 5000);
    const count = h.recorder.records.length;
    // RFC 3261 section 16.7: a proxy turns a 503 into 500, so the desk phone sees 500.
    const refused = uacScenario({ kind: 'rejected', status: 500 });
    const ext = await h.extension(refused, { service: ALICE.sipUsername });
    const run = await ext.done;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.length > count);
    const record = h.recorder.records[count]!;
    expect(record.refusal?.code).toBe('media_unavailable');
    expect(record.refusal?.message).toMatch(/^No media relay: /);
  });
});
