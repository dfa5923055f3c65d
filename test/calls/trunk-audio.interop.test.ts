import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import type { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { freePort } from '../sip/support/kamailio.js';
import { rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { until } from './support/b2bua-harness.js';
import { carrierUasScenario } from './support/carrier-scenarios.js';
import { uacScenario } from './support/sipp-scenarios.js';
import { BOB, startTrunkHarness } from './support/trunk-harness.js';
import { startTeamsMedia, type TeamsMedia } from './support/teams-media.js';

const ready = spawnSync('sipp', ['-v']).status !== null && rtpengineInstalled();
if (!ready) console.warn('Trunk audio tests skipped: sipp and rtpengine are needed');

/**
 * Two-way audio on trunk calls through the real rtpengine: Teams' media processor is an SDES-SRTP peer sending a
 * 1 kHz tone; the carrier is sipp echoing every RTP packet (`-rtp_echo`). The tone coming back to the Teams peer,
 * decrypted and authenticated, crossed rtpengine twice, inbound (carrier -> Teams) and outbound (Teams -> carrier).
 */
describe.skipIf(!ready)('trunk audio: SRTP toward Teams, plain RTP toward the carrier', () => {
  let media: TeamsMedia;
  let relay: RtpengineRelay;
  let teams: RtpPeer;
  let h: Awaited<ReturnType<typeof startTrunkHarness>>;
  let answering = false;
  beforeAll(async () => {
    media = await startTeamsMedia();
    ({ relay, teams } = media);
    // Answering a call to Teams, the peer first takes the offer rtpengine made it (its answer echoes the crypto tag).
    const mediaSdp = media.answerWith(() =>
      answering ? h.lastTeamsCall()?.incoming?.request.body.toString() : undefined,
    );
    h = await startTrunkHarness(media.pki, { relay, mediaSdp });
  });
  afterAll(async () => {
    await h?.stop();
    await media?.stop();
  });

  async function teamsHearsItsToneBack(sdpTowardTeams: string): Promise<void> {
    teams.setRemote(sdpTowardTeams);
    const before = teams.counts.received;
    teams.start();
    await until(() => teams.counts.received - before >= 50, 8000);
    teams.stop();
    expect(teams.counts.received - before).toBeGreaterThanOrEqual(50);
    expect(teams.counts.authFailures).toBe(0);
    expect(teams.toneFraction(1000)).toBeGreaterThan(0.9);
  }

  it('the carrier calls Bob: the tone crosses rtpengine both ways', async () => {
    await h.configure({ addresses: [{ host: '127.0.0.1', port: 5060 }] });
    h.proxies[0]!.setBehaviour(BOB.number, {
      devices: 1,
      earlyMedia: false,
      outcome: 'answer',
      afterMs: 100,
    });
    answering = true;
    const carrier = await h.carrier(uacScenario({ kind: 'answered', talkMs: 4000 }), {
      service: BOB.number,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    expect(await until(() => h.lastTeamsCall()?.status === 200, 8000)).toBe(true);
    const invite = h.lastTeamsCall()!.incoming!.request.body.toString();
    expect(invite).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    await teamsHearsItsToneBack(invite);
    const run = await carrier.done;
    answering = false;
    expect(run.code, run.output).toBe(0);
    await until(() => h.recorder.records.at(-1)?.direction === 'pbx-to-teams');
    const record = h.recorder.records.at(-1)!;
    expect(record.media?.packets.pbx).toBeGreaterThan(40);
    expect(record.media?.packets.teams).toBeGreaterThan(40);
  });

  it('Bob calls out through the carrier: the tone crosses rtpengine both ways; plain RTP toward the carrier', async () => {
    const port = await freePort();
    await h.configure({ addresses: [{ host: '127.0.0.1', port }] });
    const carrier = await h.carrier(carrierUasScenario(), {
      port,
      extra: ['-rtp_echo', '-mp', String(await freePort())],
    });
    await new Promise((r) => setTimeout(r, 300));
    const call = h.proxies[0]!.callFromTeams(BOB.number, '+441632960999', 'contoso.sbc.test');
    expect(await until(() => call.status === 200, 10_000)).toBe(true);
    const answer = (call.peerAllow as { body: Buffer }).body.toString();
    await teamsHearsItsToneBack(answer);
    await h.proxies[0]!.hangUp(call.callId);
    expect((await carrier.done).code).toBe(0);
    await until(() => h.recorder.records.at(-1)?.direction === 'teams-to-pbx');
    const record = h.recorder.records.at(-1)!;
    const toCarrier = record.ladder!.find((e) => e.leg === 'pbx' && e.summary.startsWith('INVITE'))!.text;
    expect(toCarrier).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(toCarrier).not.toMatch(/^a=(crypto|candidate)/m);
    expect(record.media?.packets.teams).toBeGreaterThan(40);
  });
});
