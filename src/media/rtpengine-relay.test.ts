import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpengineDaemon, rtpengineInstalled } from '../../test/support/rtpengine-daemon.js';
import { until } from '../../test/support/until.js';
import type { MediaRelayStatus } from './media-relay.js';
import { RtpengineRelay } from './rtpengine-relay.js';

const key = 'JPEaIxHegfuv53ykBPZk8hV0GO8kTiiqRMfHimEE';
const sdp = (lines: string[]): string => [...lines, ''].join('\r\n');

/** An extension's offer: G.711, G.729, telephone-event, a private origin address. */
const pbxOffer = sdp([
  'v=0',
  'o=pbx 1 1 IN IP4 192.168.1.20',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 0 8 18 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:18 G729/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=sendrecv',
]);

/** Teams' offer as Direct Routing sends it: `_32` listed first, `_80` twice (one with an MKI), ICE, SILK. */
const teamsOffer = sdp([
  'v=0',
  'o=- 0 0 IN IP4 52.114.1.1',
  's=session',
  'c=IN IP4 127.0.0.1',
  'b=CT:10000000',
  't=0 0',
  'm=audio 31000 RTP/SAVP 104 9 103 111 0 8 101 13',
  'a=rtcp:31001',
  'a=ice-ufrag:Rc0q',
  'a=ice-pwd:mJtcvAm3YdrWvnLkYFm2s5Ce',
  'a=candidate:1 1 UDP 2130706431 127.0.0.1 31000 typ host',
  'a=candidate:1 2 UDP 2130705918 127.0.0.1 31001 typ host',
  `a=crypto:0 AES_CM_128_HMAC_SHA1_32 inline:${key}|2^31`,
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:1`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`,
  'a=rtcp-mux',
  'a=rtpmap:104 SILK/16000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:103 SILK/8000',
  'a=rtpmap:111 SIREN/16000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=rtpmap:13 CN/8000',
  'a=ptime:20',
]);

const teamsAnswer = sdp([
  'v=0',
  'o=- 1 1 IN IP4 52.114.1.1',
  's=session',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 31000 RTP/SAVP 0 101',
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`,
  'a=rtcp-mux',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
]);

const pbxAnswer = sdp([
  'v=0',
  'o=pbx 2 2 IN IP4 192.168.1.20',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
]);

const lines = (text: string, prefix: string): string[] =>
  text.split('\r\n').filter((line) => line.startsWith(prefix));

/** What Teams must see: SAVP, one `_80` key with Microsoft's lifetime, rtcp-mux, no ICE, no DTLS, G.711/G.722 only. */
function expectTowardTeams(text: string): void {
  expect(lines(text, 'm=audio')[0]).toMatch(/^m=audio \d+ RTP\/SAVP [\d ]+$/);
  const crypto = lines(text, 'a=crypto:');
  expect(crypto).toHaveLength(1);
  expect(crypto[0]).toMatch(/^a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\|2\^31$/);
  expect(lines(text, 'a=rtcp-mux')).toHaveLength(1);
  expect(lines(text, 'a=ice-').concat(lines(text, 'a=candidate'), lines(text, 'a=fingerprint'))).toEqual([]);
  expect(lines(text, 'a=rtpmap:').map((line) => line.split(' ')[1])).toEqual(
    expect.arrayContaining([expect.stringMatching(/^(PCMU|PCMA|G722|telephone-event)\/8000$/)]),
  );
  expect(text).not.toMatch(/G729|SILK|SIREN|CN\//);
}

/** What the PBX must see: plain AVP, no crypto, no ICE, RTCP on the next port. */
function expectTowardPbx(text: string): void {
  const port = Number(/^m=audio (\d+) RTP\/AVP [\d ]+$/m.exec(text)?.[1]);
  expect(port).toBeGreaterThan(0);
  expect(lines(text, 'a=crypto')).toEqual([]);
  expect(lines(text, 'a=rtcp-mux')).toEqual([]);
  expect(lines(text, 'a=rtcp:')).toEqual([`a=rtcp:${port + 1}`]);
  expect(lines(text, 'a=ice-').concat(lines(text, 'a=candidate'))).toEqual([]);
  expect(text).not.toMatch(/SILK|SIREN|G729|CN\//);
}

describe.skipIf(!rtpengineInstalled())('rtpengine relay against the real daemon', () => {
  let daemon: RtpengineDaemon;
  let relay: RtpengineRelay;
  const changes: MediaRelayStatus[] = [];

  beforeAll(async () => {
    daemon = await RtpengineDaemon.start();
    relay = await RtpengineRelay.open({ target: daemon.target, onStatus: (status) => changes.push(status) });
  });
  afterAll(async () => {
    relay?.close();
    await daemon?.stop();
  });

  it('is available once rtpengine answers ping', () => {
    expect(relay.status()).toEqual({
      state: 'available',
      relay: `rtpengine udp:127.0.0.1:${daemon.target.port}`,
    });
  });

  it('PBX -> Teams: the offer gets one _80 key and rtcp-mux, the answer back to the PBX plain RTP', async () => {
    const toTeams = await relay.offer({ callId: 'p2t', fromTag: 'pbx1', sdp: pbxOffer, toward: 'teams' });
    expectTowardTeams(toTeams);
    expect(lines(toTeams, 'o=')[0]).toMatch(/IN IP4 127\.0\.0\.1$/); // the PBX's private address hidden
    expect(lines(toTeams, 'c=')).toEqual(['c=IN IP4 127.0.0.1']);
    const toPbx = await relay.answer({
      callId: 'p2t',
      fromTag: 'pbx1',
      toTag: 'teams1',
      sdp: teamsAnswer,
      toward: 'pbx',
    });
    expectTowardPbx(toPbx);
    expect(lines(toPbx, 'm=audio')[0]).toMatch(/ RTP\/AVP 0 101$/);
    expect(await relay.query('p2t')).toEqual({ packets: { pbx: 0, teams: 0 } });
    expect(await relay.delete('p2t')).toEqual({ packets: { pbx: 0, teams: 0 } });
  });

  it('Teams -> PBX: ICE, SILK and keys stripped toward the PBX; the answer to Teams picks an _80 line', async () => {
    const toPbx = await relay.offer({ callId: 't2p', fromTag: 'teams2', sdp: teamsOffer, toward: 'pbx' });
    expectTowardPbx(toPbx);
    expect(lines(toPbx, 'm=audio')[0]).toMatch(/ RTP\/AVP 9 0 8 101$/);
    const toTeams = await relay.answer({
      callId: 't2p',
      fromTag: 'teams2',
      toTag: 'pbx2',
      sdp: pbxAnswer,
      toward: 'teams',
    });
    expectTowardTeams(toTeams);
    // RFC 4568: the answer's tag names the offered line it accepts, one of Teams' two _80 lines (1 or 2), never _32's 0.
    expect(lines(toTeams, 'a=crypto:')[0]).toMatch(/^a=crypto:[12] /);
    // A second answer (the 200 after a 183) gets the same result.
    expectTowardTeams(
      await relay.answer({
        callId: 't2p',
        fromTag: 'teams2',
        toTag: 'pbx2',
        sdp: pbxAnswer,
        toward: 'teams',
      }),
    );
    await relay.delete('t2p');
  });

  it('copies the direction of a hold re-offer (the B2BUA turns sendonly into inactive for Teams)', async () => {
    for (const direction of ['sendonly', 'inactive']) {
      const held = pbxOffer.replace('a=sendrecv', `a=${direction}`);
      const toTeams = await relay.offer({
        callId: `hold-${direction}`,
        fromTag: 'pbx3',
        sdp: held,
        toward: 'teams',
      });
      expect(lines(toTeams, 'a=').filter((line) => /^a=(send|recv|inactive)/.test(line))).toEqual([
        `a=${direction}`,
      ]);
      expectTowardTeams(toTeams);
      await relay.delete(`hold-${direction}`);
    }
  });

  it('shrinks a Teams offer over 1,500 bytes to a small one toward a UDP PBX', async () => {
    const candidates = Array.from(
      { length: 24 },
      (_, i) =>
        `a=candidate:${i} 1 UDP ${2130706431 - i} 10.${i}.0.1 ${50000 + i} typ host generation 0 network-id ${i}`,
    );
    const big = teamsOffer.replace('a=rtcp-mux\r\n', `a=rtcp-mux\r\n${candidates.join('\r\n')}\r\n`);
    expect(big.length).toBeGreaterThan(1500);
    const toPbx = await relay.offer({ callId: 'big', fromTag: 'teams4', sdp: big, toward: 'pbx' });
    expectTowardPbx(toPbx);
    expect(toPbx.length).toBeLessThan(400);
    await relay.delete('big');
  });

  it('answers undefined for a call it no longer knows', async () => {
    expect(await relay.query('never-seen')).toBeUndefined();
    expect(await relay.delete('never-seen')).toBeUndefined();
  });

  it('a slow answer fails its own request only: rtpengine still answering ping keeps taking calls', async () => {
    const slow = await RtpengineRelay.open({
      target: daemon.target,
      requests: { retransmitMs: [50], timeoutMs: 300 },
      pingIntervalMs: 60_000,
    });
    try {
      process.kill(daemon.pid!, 'SIGSTOP'); // rtpengine falls behind (a busy machine), without going away
      await expect(
        slow.offer({ callId: 'slow', fromTag: 'f', sdp: pbxOffer, toward: 'teams' }),
      ).rejects.toMatchObject({ reason: 'relay_timeout' });
      process.kill(daemon.pid!, 'SIGCONT');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(slow.status().state).toBe('available');
      expectTowardTeams(
        await slow.offer({ callId: 'after-slow', fromTag: 'f', sdp: pbxOffer, toward: 'teams' }),
      );
    } finally {
      process.kill(daemon.pid!, 'SIGCONT');
      await slow.delete('slow').catch(() => undefined);
      await slow.delete('after-slow').catch(() => undefined);
      slow.close();
    }
  });

  it('turns unavailable within seconds when rtpengine stops, refuses offers typed, and recovers', async () => {
    await daemon.stop();
    const took = await until(() => relay.status().state === 'unavailable', 5000, 'relay unavailable');
    expect(took).toBeLessThan(3000);
    expect(relay.status()).toMatchObject({ reason: expect.stringContaining('did not answer "ping"') });
    await expect(
      relay.offer({ callId: 'down', fromTag: 'f', sdp: pbxOffer, toward: 'teams' }),
    ).rejects.toMatchObject({
      code: 'upstream_failed',
      reason: 'relay_unavailable',
      message: expect.stringContaining('No media relay: rtpengine at udp:127.0.0.1'),
    });
    await daemon.restart();
    await until(() => relay.status().state === 'available', 5000, 'relay available again');
    expect(changes.map((change) => change.state)).toEqual(['available', 'unavailable', 'available']);
  });
});

describe('rtpengine relay without rtpengine', () => {
  it('is unavailable with the reason it was given and refuses offers with it', async () => {
    const relay = await RtpengineRelay.open({
      unavailableReason: 'rtpengine is not installed (apt-get install rtpengine-daemon).',
    });
    expect(relay.status()).toEqual({
      state: 'unavailable',
      reason: 'rtpengine is not installed (apt-get install rtpengine-daemon).',
    });
    await expect(
      relay.offer({ callId: 'c', fromTag: 'f', sdp: pbxOffer, toward: 'teams' }),
    ).rejects.toMatchObject({
      reason: 'relay_unavailable',
      message: 'No media relay: rtpengine is not installed (apt-get install rtpengine-daemon).',
    });
    relay.close();
  });
});
