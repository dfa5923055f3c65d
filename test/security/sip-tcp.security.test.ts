import { connect, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistrationAgent } from '../../src/sip/registration/registration.agent.js';
import { registerSipMetrics } from '../../src/sip/registration/registration.metrics.js';
import { SipStack } from '../../src/sip/stack/sip.stack.js';
import { until } from '../support/until.js';

/**
 * Issue 14, "SIP over TCP: half-open connections never time out (50 of 50 open after 151 s; 400 raised the open
 * files from 31 to 431)". Inbound connections that say nothing are closed after an idle timeout, and one address
 * (and everyone together) can hold only so many; each refusal and idle close is counted in the metrics. The
 * timeouts are short here (configurable) so the test does not wait 150 s.
 */
describe('SIP over TCP: inbound connections are bounded and time out', () => {
  const sockets: Socket[] = [];
  let stack: SipStack | undefined;
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await stack?.stop();
    stack = undefined;
  });

  async function start(limits: { idleMs: number; maxPerAddress: number; maxInbound: number }) {
    stack = await SipStack.start({ host: '127.0.0.1', udpPort: 0, tcpPort: 0, inboundTcp: limits });
    const registry = new Registry();
    registerSipMetrics(registry, new RegistrationAgent(stack, { onState: () => undefined }), stack);
    return { port: stack.local('tcp').port, registry, stack };
  }

  /** Opens a connection that never sends anything (as a half-open peer looks from our side). */
  async function open(
    port: number,
    localAddress = '127.0.0.1',
  ): Promise<{ socket: Socket; closed: boolean }> {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    sockets.push(socket);
    const entry = { socket, closed: false };
    socket.on('error', () => undefined);
    socket.on('close', () => (entry.closed = true));
    await new Promise<void>((resolve) =>
      socket.once('connect', () => resolve()).once('close', () => resolve()),
    );
    return entry;
  }

  const metric = async (registry: Registry, name: string) => {
    const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };

  it('closes silent connections after the idle timeout and keeps at most the per-address cap', async () => {
    const { port, registry } = await start({ idleMs: 600, maxPerAddress: 10, maxInbound: 100 });
    const entries: { socket: Socket; closed: boolean }[] = [];
    for (let i = 0; i < 50; i++) entries.push(await open(port));
    // Over the per-address cap, connections are closed at once: 10 of 50 stay.
    await until(() => entries.filter((e) => !e.closed).length === 10, 5000, 'only 10 of 50 kept open');
    expect(stack!.inboundConnectionCount).toBe(10);
    // The 10 say nothing: they are closed once idle, so no descriptor stays held by a dead peer.
    await until(() => entries.every((e) => e.closed), 5000, 'idle connections closed');
    await until(() => stack!.inboundConnectionCount === 0, 2000, 'none left on our side');
    expect(await metric(registry, 'callbridge_sip_tcp_inbound_refused_total')).toBe(40);
    expect(await metric(registry, 'callbridge_sip_tcp_idle_closed_total')).toBe(10);
    expect(await metric(registry, 'callbridge_sip_tcp_inbound_connections')).toBe(0);
  });

  it('refuses connections beyond the global cap whatever their address', async () => {
    const { port, registry } = await start({ idleMs: 60_000, maxPerAddress: 10, maxInbound: 15 });
    const entries: { socket: Socket; closed: boolean }[] = [];
    for (const address of ['127.0.0.1', '127.0.0.2', '127.0.0.3'])
      for (let i = 0; i < 8; i++) entries.push(await open(port, address));
    await until(() => entries.filter((e) => !e.closed).length === 15, 5000, '15 of 24 kept open');
    expect(stack!.inboundConnectionCount).toBe(15);
    expect(await metric(registry, 'callbridge_sip_tcp_inbound_refused_total')).toBe(9);
    expect(await metric(registry, 'callbridge_sip_tcp_inbound_connections')).toBe(15);
  });

  it('keeps a peer that sends keep-alives (a live PBX flow) open past the idle timeout', async () => {
    const { port } = await start({ idleMs: 400, maxPerAddress: 10, maxInbound: 100 });
    const live = await open(port);
    const silent = await open(port);
    const pings = setInterval(() => live.socket.write('\r\n\r\n'), 100);
    try {
      await until(() => silent.closed, 5000, 'the silent one closed');
      const since = Date.now();
      await until(() => Date.now() - since > 1200, 3000, 'three idle periods');
      expect(live.closed).toBe(false);
    } finally {
      clearInterval(pings);
    }
  });
});
