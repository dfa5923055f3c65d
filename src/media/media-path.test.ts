import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpengineDaemon, rtpengineInstalled } from '../../test/support/rtpengine-daemon.js';
import { until } from '../../test/support/until.js';
import { RtpPeer } from './peer/rtp-peer.js';
import { RtpengineRelay } from './rtpengine-relay.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two-way audio through the real rtpengine: a plain-RTP peer stands for the PBX extension, an SDES-SRTP peer for
 * Teams' media processor. Each sends its own tone; each must receive the other's, decrypted and authenticated on
 * the Teams side, and the RFC 4733 digits pressed on either side.
 */
describe.skipIf(!rtpengineInstalled())('media path PBX <-> rtpengine <-> Teams', () => {
  let daemon: RtpengineDaemon;
  let relay: RtpengineRelay;
  const peers: RtpPeer[] = [];

  beforeAll(async () => {
    daemon = await RtpengineDaemon.start();
    relay = await RtpengineRelay.open({ target: daemon.target });
  });
  afterAll(async () => {
    for (const peer of peers) peer.close();
    relay?.close();
    await daemon?.stop();
  });

  async function pair(): Promise<{ pbx: RtpPeer; teams: RtpPeer }> {
    const pbx = await RtpPeer.open({ toneHz: 400 });
    const teams = await RtpPeer.open({ srtp: true, toneHz: 1000 });
    peers.push(pbx, teams);
    return { pbx, teams };
  }

  async function expectTwoWayAudio(pbx: RtpPeer, teams: RtpPeer, callId: string): Promise<void> {
    pbx.start();
    teams.start();
    await until(
      () => pbx.counts.received >= 50 && teams.counts.received >= 50,
      5000,
      'fifty packets each way',
    );
    expect(teams.counts.authFailures).toBe(0);
    expect(teams.toneFraction(400)).toBeGreaterThan(0.95);
    expect(pbx.toneFraction(1000)).toBeGreaterThan(0.95);
    expect(teams.toneFraction(1000)).toBe(0); // its own tone never comes back

    await pbx.sendDigit('1');
    await pbx.sendDigit('#');
    await teams.sendDigit('5');
    await until(() => teams.counts.digits === '1#' && pbx.counts.digits === '5', 3000, 'digits both ways');

    const stats = await relay.query(callId);
    expect(stats?.packets.pbx).toBeGreaterThan(50);
    expect(stats?.packets.teams).toBeGreaterThan(50);
    expect(stats?.packets.pbx).toBeLessThanOrEqual(pbx.counts.sent);
    expect(stats?.packets.teams).toBeLessThanOrEqual(teams.counts.sent);
    pbx.stop();
    teams.stop();
    expect(stats?.codec).toBe('PCMU/8000');
    const last = await relay.delete(callId);
    expect(last?.packets.pbx).toBeGreaterThanOrEqual(stats?.packets.pbx ?? Infinity);
    expect(last?.codec).toBe('PCMU/8000');
    expect(await relay.query(callId)).toBeUndefined();
  }

  it('PBX calls Teams: plain RTP in, SRTP out, tone and DTMF both ways', async () => {
    const { pbx, teams } = await pair();
    teams.setRemote(await relay.offer({ callId: 'p2t', fromTag: 'pbx', sdp: pbx.sdp(), toward: 'teams' }));
    pbx.setRemote(
      await relay.answer({ callId: 'p2t', fromTag: 'pbx', toTag: 'teams', sdp: teams.sdp(), toward: 'pbx' }),
    );
    await expectTwoWayAudio(pbx, teams, 'p2t');
  });

  it("block media (a hold): one party's packets stop reaching the other while the other way flows and its digits still pass; unblock brings them back", async () => {
    const { pbx, teams } = await pair();
    teams.setRemote(await relay.offer({ callId: 'held', fromTag: 'pbx', sdp: pbx.sdp(), toward: 'teams' }));
    pbx.setRemote(
      await relay.answer({ callId: 'held', fromTag: 'pbx', toTag: 'teams', sdp: teams.sdp(), toward: 'pbx' }),
    );
    pbx.start();
    teams.start();
    await until(() => pbx.counts.received >= 20 && teams.counts.received >= 20, 5000, 'media both ways');
    await relay.block({ callId: 'held', fromTag: 'pbx', blocked: true });
    await sleep(100); // packets already past rtpengine
    const before = { tone: teams.counts.byPayloadType[0] ?? 0, pbx: pbx.counts.received };
    await pbx.sendDigit('7'); // RFC 4733 events are not media: rtpengine lets them through
    await sleep(600);
    expect((teams.counts.byPayloadType[0] ?? 0) - before.tone).toBe(0);
    expect(teams.counts.digits).toBe('7');
    expect(pbx.counts.received - before.pbx).toBeGreaterThanOrEqual(20);
    await relay.block({ callId: 'held', fromTag: 'teams', blocked: true });
    await sleep(100);
    const silent = pbx.counts.received;
    await sleep(500);
    expect(pbx.counts.received - silent).toBe(0);
    await relay.block({ callId: 'held', fromTag: 'pbx', blocked: false });
    await relay.block({ callId: 'held', fromTag: 'teams', blocked: false });
    const after = { teams: teams.counts.received, pbx: pbx.counts.received };
    await until(
      () => teams.counts.received - after.teams >= 20 && pbx.counts.received - after.pbx >= 20,
      3000,
      'media both ways after unblock',
    );
    expect(teams.counts.authFailures).toBe(0);
    pbx.stop();
    teams.stop();
    await relay.delete('held');
    await expect(relay.block({ callId: 'held', fromTag: 'pbx', blocked: true })).rejects.toMatchObject({
      reason: 'relay_refused',
    });
  });

  it('Teams calls the PBX: SRTP in, plain RTP out, tone and DTMF both ways', async () => {
    const { pbx, teams } = await pair();
    pbx.setRemote(await relay.offer({ callId: 't2p', fromTag: 'teams', sdp: teams.sdp(), toward: 'pbx' }));
    teams.setRemote(
      await relay.answer({ callId: 't2p', fromTag: 'teams', toTag: 'pbx', sdp: pbx.sdp(), toward: 'teams' }),
    );
    await expectTwoWayAudio(pbx, teams, 't2p');
  });
});
