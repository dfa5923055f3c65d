import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallEndpoint } from '../../src/sip/dialog/call.endpoint.js';
import { TransportLayer } from '../../src/sip/transport/transport.layer.js';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  while (stops.length > 0) await stops.pop()!();
});

/** Let real socket I/O happen while timers are fake: turn the event loop until `done` or give up. */
async function settle(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 2_000 && !done(); turn++) await new Promise((r) => setImmediate(r));
}

/**
 * Timer G and H of RFC 3261 17.2.1 through the real UDP transport, under fake timers: our endpoint rejects an
 * INVITE with 486 and, with no ACK, resends it at 0.5, 1.5, 3.5, 7.5 s and then every T2 (4 s), until Timer H
 * (64*T1 = 32 s) ends the transaction; an ACK stops the resending. The peer is a plain UDP socket on loopback.
 */
describe('Timer H through the UDP transport', () => {
  async function setup() {
    const box: { endpoint?: CallEndpoint } = {};
    const transport = await TransportLayer.open(
      { host: '127.0.0.1' },
      { onMessage: (m) => box.endpoint?.receive(m) },
    );
    const endpoint = (box.endpoint = new CallEndpoint({
      transport,
      contact: (protocol) => `sip:callbridge@127.0.0.1:${transport.local(protocol).port}`,
      onInvite: (call) => call.reject(486),
    }));
    const peer: Socket = createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    const received: string[] = [];
    peer.on('message', (data: Buffer) => received.push(data.toString().split('\r\n')[0]!));
    stops.push(
      () => transport.close(),
      () => endpoint.stop(),
      () => new Promise<void>((resolve) => peer.close(() => resolve())),
    );
    const port = transport.local('udp').port;
    const send = (text: string) => peer.send(Buffer.from(text), port, '127.0.0.1');
    const peerPort = peer.address().port;
    const headers = (branch: string, method: string) =>
      [
        `Via: SIP/2.0/UDP 127.0.0.1:${peerPort};branch=${branch}`,
        'From: <sip:pbx@127.0.0.1>;tag=peer1',
        'To: <sip:callbridge@127.0.0.1>',
        `Call-ID: ${branch}@127.0.0.1`,
        `CSeq: 1 ${method}`,
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const invite = (branch: string) =>
      send(
        `INVITE sip:callbridge@127.0.0.1:${port} SIP/2.0\r\nContact: <sip:pbx@127.0.0.1:${peerPort}>\r\n${headers(branch, 'INVITE')}`,
      );
    // The ACK of a non-2xx belongs to the INVITE transaction: same branch, the To-tag of our 486.
    const ack = (branch: string, toTag: string) =>
      send(
        `ACK sip:callbridge@127.0.0.1:${port} SIP/2.0\r\n${headers(branch, 'ACK').replace('To: <sip:callbridge@127.0.0.1>', `To: <sip:callbridge@127.0.0.1>;tag=${toTag}`)}`,
      );
    return { endpoint, received, invite, ack };
  }

  const finals = (received: string[]) => received.filter((line) => line === 'SIP/2.0 486 Busy Here').length;

  it('resends the 486 on Timer G and gives up on Timer H at 32 s without an ACK', async () => {
    const { endpoint, received, invite } = await setup();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    invite('z9hG4bKtimerh1');
    await settle(() => finals(received) === 1);
    expect(received).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 486 Busy Here']);
    // Timer G: T1, 2*T1, 4*T1, then T2 (4 s) between resends.
    for (const [step, expected] of [
      [500, 2],
      [1_000, 3],
      [2_000, 4],
      [4_000, 5],
      [4_000, 6],
    ] as const) {
      await vi.advanceTimersByTimeAsync(step);
      await settle(() => finals(received) === expected);
      expect(finals(received)).toBe(expected);
    }
    expect(endpoint.sizes.inviteServers).toBe(1);
    await vi.advanceTimersByTimeAsync(32_000 - 11_500 - 1);
    await settle(() => finals(received) === 11);
    expect(finals(received)).toBe(11); // 11.5 s + 4 s steps: 15.5, 19.5, 23.5, 27.5, 31.5
    expect(endpoint.sizes.inviteServers).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // Timer H: 64*T1
    expect(endpoint.sizes.inviteServers).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    await settle(() => false);
    expect(finals(received)).toBe(11); // nothing after Timer H
  });

  it('stops resending once the ACK arrives', async () => {
    const { received, invite, ack } = await setup();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    invite('z9hG4bKtimerh2');
    await settle(() => finals(received) === 1);
    await vi.advanceTimersByTimeAsync(500);
    await settle(() => finals(received) === 2);
    ack('z9hG4bKtimerh2', 'any');
    await settle(() => false);
    await vi.advanceTimersByTimeAsync(32_000);
    await settle(() => false);
    expect(finals(received)).toBe(2);
  });
});
