import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort, RtpengineDaemon, rtpengineInstalled } from '../../../test/support/rtpengine-daemon.js';
import { MediaError } from '../media-error.js';
import { NgClient } from './ng-client.js';
import { dictAt, parseNgTarget } from './ng-types.js';

const pbxOffer = [
  'v=0',
  'o=pbx 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
].join('\r\n');

/** A UDP relay in front of rtpengine that drops the first `dropReplies` answers and counts what passes. */
async function lossyProxy(target: { host: string; port: number }, dropReplies: number) {
  const front: Socket = createSocket('udp4');
  const back: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => back.bind(0, '127.0.0.1', resolve));
  const requests: string[] = [];
  let client: { port: number; address: string } | undefined;
  let dropped = 0;
  front.on('message', (message, from) => {
    client = from;
    requests.push(message.toString());
    back.send(message, target.port, target.host);
  });
  back.on('message', (message) => {
    if (dropped < dropReplies) dropped += 1;
    else if (client) front.send(message, client.port, client.address);
  });
  return {
    port: front.address().port,
    requests,
    close: () => {
      front.close();
      back.close();
    },
  };
}

describe.skipIf(!rtpengineInstalled())('ng client against a real rtpengine', () => {
  let daemon: RtpengineDaemon;
  let client: NgClient;

  beforeAll(async () => {
    daemon = await RtpengineDaemon.start();
    client = await NgClient.open(daemon.target);
  });
  afterAll(async () => {
    client?.close();
    await daemon?.stop();
  });

  it('pings, offers, answers, queries and deletes a call', async () => {
    await client.ping();
    const offer = await client.offer({ 'call-id': 'c1', 'from-tag': 'f1', sdp: pbxOffer });
    expect(offer.result).toBe('ok');
    const port = Number(/m=audio (\d+) /.exec(offer.sdp)?.[1]);
    expect(port).toBeGreaterThanOrEqual(daemon.listen.portMin);
    expect(port).toBeLessThanOrEqual(daemon.listen.portMax);
    const answer = await client.answer({ 'call-id': 'c1', 'from-tag': 'f1', 'to-tag': 't1', sdp: pbxOffer });
    expect(answer.sdp).toMatch(/m=audio \d+ RTP\/AVP 0 101/);
    const query = await client.query({ 'call-id': 'c1' });
    expect(Object.keys(dictAt(query.tags) ?? {}).sort()).toEqual(['f1', 't1']);
    const deleted = await client.delete({ 'call-id': 'c1' });
    expect(deleted.result).toBe('ok');
    await expect(client.query({ 'call-id': 'c1' })).rejects.toMatchObject({ reason: 'relay_refused' });
  });

  it("rejects rtpengine's errors typed, with its error-reason", async () => {
    const error = await client
      .answer({ 'call-id': 'never-offered', 'from-tag': 'f', 'to-tag': 't', sdp: pbxOffer })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect(error).toMatchObject({ code: 'upstream_failed', reason: 'relay_refused' });
    expect((error as MediaError).details).toMatchObject({
      command: 'answer',
      errorReason: 'Unknown call-id',
    });
  });

  it('retransmits a lost exchange with the same cookie and resolves with the answer to the repeat', async () => {
    const proxy = await lossyProxy(daemon.target, 1);
    const lossy = await NgClient.open({ host: '127.0.0.1', port: proxy.port }, { retransmitMs: [100, 300] });
    try {
      const offer = await lossy.offer({ 'call-id': 'c2', 'from-tag': 'f2', sdp: pbxOffer });
      expect(proxy.requests).toHaveLength(2);
      expect(proxy.requests[1]).toBe(proxy.requests[0]);
      expect(offer.sdp).toMatch(/m=audio \d+ RTP\/AVP/);
    } finally {
      lossy.close();
      proxy.close();
      await client.delete({ 'call-id': 'c2' });
    }
  });

  it('times out after its retransmissions when nothing answers', async () => {
    const silent = await NgClient.open(
      { host: '127.0.0.1', port: await freeUdpPort() },
      { retransmitMs: [50], timeoutMs: 300 },
    );
    const started = Date.now();
    await expect(silent.ping()).rejects.toMatchObject({ reason: 'relay_timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    silent.close();
  });
});

describe('parseNgTarget', () => {
  it('reads udp:host:port and refuses anything else with the expected form', () => {
    expect(parseNgTarget('udp:127.0.0.1:22222')).toEqual({ host: '127.0.0.1', port: 22222 });
    expect(parseNgTarget('udp:[::1]:2223')).toEqual({ host: '::1', port: 2223 });
    expect(() => parseNgTarget('tcp:127.0.0.1:1')).toThrow(/udp:host:port/);
    expect(() => parseNgTarget('udp:127.0.0.1:70000')).toThrow(/udp:host:port/);
  });
});
