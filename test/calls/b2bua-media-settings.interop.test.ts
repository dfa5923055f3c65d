import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import type { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { freePort, kamailioInstalled } from '../sip/support/kamailio.js';
import { ALICE, EXTENSION, startCallHarness, until } from './support/b2bua-harness.js';
import { uacLateOffer, uasEarlyMedia } from './support/settings-scenarios.js';
import { registerScenario, uacScenario } from './support/sipp-scenarios.js';
import { startTeamsMedia, type TeamsMedia } from './support/teams-media.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const ready = kamailioInstalled() && hasSipp && rtpengineInstalled();
if (!ready)
  console.warn('B2BUA late offer / early DTMF tests skipped: kamailio, sipp and rtpengine are needed');

/**
 * Late offer and DTMF in early media through the real rtpengine (as in b2bua-audio.interop.test.ts): Teams' media
 * processor is an SDES-SRTP peer sending a 1 kHz tone and RFC 4733 digits, the desk phone is sipp echoing every
 * RTP packet back (`-rtp_echo`). What comes back to the Teams peer crossed rtpengine both ways.
 */
describe.skipIf(!ready)('B2BUA media: late offer and DTMF in early media, through rtpengine', () => {
  let media: TeamsMedia;
  let relay: RtpengineRelay;
  let teams: RtpPeer;
  let h: Awaited<ReturnType<typeof startCallHarness>>;
  beforeAll(async () => {
    media = await startTeamsMedia();
    ({ relay, teams } = media);
    // Answering a call to Teams, the peer first takes the offer rtpengine made it (its answer echoes the crypto tag).
    const mediaSdp = media.answerWith(() =>
      h.lastTeamsCall()?.status === undefined
        ? h.lastTeamsCall()?.incoming?.request.body.toString()
        : undefined,
    );
    h = await startCallHarness(media.pki, { relay, mediaSdp });
  });
  afterAll(async () => {
    await h?.stop();
    await media?.stop();
  });

  /** The Teams peer sends its tone and digits to `sdp`; resolves with what came back through the phone's echo. */
  async function echoed(sdp: string, digitsToSend: string) {
    teams.setRemote(sdp);
    const before = { received: teams.counts.received, digits: teams.counts.digits };
    teams.start();
    await until(() => teams.counts.received - before.received >= 30, 8000);
    for (const digit of digitsToSend) await teams.sendDigit(digit);
    await until(() => teams.counts.digits.length >= before.digits.length + digitsToSend.length, 3000);
    teams.stop();
    return {
      packets: teams.counts.received - before.received,
      digits: teams.counts.digits.slice(before.digits.length),
    };
  }

  it('late offer: the extension sends INVITE without SDP; Teams gets our offer, the PBX its answer in the ACK; audio both ways', async () => {
    const count = h.teamsCallsCount();
    h.proxies[0]!.setBehaviour(ALICE.number, {
      devices: 1,
      earlyMedia: false,
      outcome: 'answer',
      afterMs: 100,
    });
    const ext = await h.extension(uacLateOffer(4000), {
      service: ALICE.sipUsername,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    expect(await until(() => h.teamsCallsCount() > count && h.lastTeamsCall()?.status === 200, 8000)).toBe(
      true,
    );
    const offer = h.lastTeamsCall()!.incoming!.request.body.toString();
    expect(offer).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    expect(offer.match(/^a=crypto:.*$/gm)).toEqual([expect.stringMatching(/ AES_CM_128_HMAC_SHA1_80 /)]);
    // Audio reaches the phone only at the port its ACK named (the placeholder said port 9).
    const back = await echoed(offer, '73');
    expect(back.packets).toBeGreaterThanOrEqual(30);
    expect(back.digits).toBe('73');
    expect(teams.counts.authFailures).toBe(0);
    expect(teams.toneFraction(1000)).toBeGreaterThan(0.9);
    const run = await ext.done;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.at(-1)?.direction === 'pbx-to-teams');
    const record = h.recorder.records.at(-1)!;
    expect(record.result).toBe('answered');
    const ok = record.ladder!.find((e) => e.leg === 'pbx' && e.summary.startsWith('SIP/2.0 200'))!.text;
    expect(ok).toMatch(/^m=audio \d+ RTP\/AVP /m); // our offer to the PBX: plain RTP
    expect(ok).not.toMatch(/^a=(crypto|candidate)/m);
    expect(record.media?.packets.pbx).toBeGreaterThan(20);
  });

  it('DTMF in early media, extension -> Teams: digits pressed in Teams during its 183 cross both ways before the answer', async () => {
    const count = h.teamsCallsCount();
    h.proxies[0]!.setBehaviour(ALICE.number, {
      devices: 1,
      earlyMedia: true,
      outcome: 'answer',
      afterMs: 6000,
    });
    const ext = await h.extension(uacScenario({ kind: 'answered', talkMs: 200 }), {
      service: ALICE.sipUsername,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    expect(
      await until(() => h.teamsCallsCount() > count && h.recorder.events.at(-1) === 'changed ringing', 8000),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 300)); // the 183's answer went through rtpengine toward the PBX
    const back = await echoed(h.lastTeamsCall()!.incoming!.request.body.toString(), '19*');
    expect(h.lastTeamsCall()!.status).toBeUndefined(); // still ringing: early media
    expect(back.digits).toBe('19*');
    expect(back.packets).toBeGreaterThanOrEqual(30);
    expect((await ext.done).code).toBe(0);
  });

  it('DTMF in early media, Teams -> extension: the extension plays early media (183), digits from Teams cross both ways', async () => {
    const port = await freePort();
    await h.kamailio.rpc('ul.rm', 'location', `s:${EXTENSION.username}`).catch(() => undefined);
    const extra = ['-au', EXTENSION.username, '-ap', EXTENSION.password];
    expect((await (await h.extension(registerScenario(), { port, extra })).done).code).toBe(0);
    const answering = await h.extension(uasEarlyMedia(6000), {
      port,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    await new Promise((r) => setTimeout(r, 300));
    const call = h.proxies[0]!.callFromTeams(ALICE.number, EXTENSION.username, 'contoso.sbc.test');
    let early: Buffer | undefined;
    call.outgoing!.onProvisional = (response) => {
      if (response.status === 183 && response.body.length > 0) early = response.body;
    };
    expect(await until(() => early !== undefined, 8000)).toBe(true);
    const back = await echoed(early!.toString(), '42#');
    expect(call.status).toBeUndefined(); // not answered yet
    expect(back.digits).toBe('42#');
    expect(await until(() => call.status === 200, 10_000)).toBe(true);
    await h.proxies[0]!.hangUp(call.callId);
    expect((await answering.done).code).toBe(0);
  });
});
