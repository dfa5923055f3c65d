import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { MiniRegistrar, type MiniRegistrarOptions } from '../../../test/sip/support/mini-registrar.js';
import { SipStack } from '../stack/sip.stack.js';
import { RegistrationAgent } from './registration.agent.js';
import type { RegistrationConfig, RegistrationStatus } from './registration.types.js';
import { until as waitUntil } from '../../../test/support/until.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(registrarOptions: MiniRegistrarOptions = {}, expirySeconds = 60) {
  const registrar = await MiniRegistrar.start(registrarOptions);
  const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 50, t2: 400, t4: 500 } });
  const events: { id: string; status: RegistrationStatus }[] = [];
  const agent = new RegistrationAgent(
    stack,
    { onState: (id, status) => events.push({ id, status }) },
    {
      ratePerSecond: 1000,
      backoffBaseMs: 100,
      backoffMaxMs: 400,
    },
  );
  cleanups.push(async () => {
    await agent.stop();
    await stack.stop();
    await registrar.stop();
  });
  const service = {
    sipDomain: 'pbx.test',
    proxyHost: '127.0.0.1',
    proxyPort: registrar.port,
    transport: 'udp' as const,
    expirySeconds,
  };
  const config = (n: number, password = 'secret'): RegistrationConfig => ({
    id: `user-${n}`,
    service,
    sipUsername: `10${n}`,
    authUsername: `auth10${n}`,
    password,
  });
  return { registrar, stack, agent, events, config };
}

/** The agent's state is checked every 10 ms: its steps take milliseconds on loopback. */
const until = (check: () => boolean, timeoutMs = 5000) => waitUntil(check, timeoutMs, 'the agent state', 10);

describe('RegistrationAgent against a loopback registrar', () => {
  it('registers users with digest, one Call-ID each, unique Contacts, pending then registered', async () => {
    const { registrar, agent, events, config } = await setup();
    for (let n = 0; n < 20; n++) agent.upsert(config(n));
    await until(() => agent.stateCounts().registered === 20);
    expect(registrar.bindings.size).toBe(20);
    const contacts = new Set([...registrar.bindings.values()].map((b) => b.contact));
    expect(contacts.size).toBe(20);
    expect(events.filter((e) => e.id === 'user-3').map((e) => e.status.state)).toEqual([
      'pending',
      'registered',
    ]);
    const status = agent.status('user-3')!;
    expect(Date.parse(status.detail.expiresAt!) - Date.now()).toBeGreaterThan(55_000);
    const first = registrar.seen.filter((s) => s.user === '103');
    expect(first.map((s) => s.authorized)).toEqual([false, true]);
    expect(new Set(first.map((s) => s.callId)).size).toBe(1);
  });

  it('refreshes before expiry with the same Call-ID, rising CSeq and pre-emptive credentials', async () => {
    const { registrar, agent, config } = await setup({ maxExpires: 2 });
    agent.upsert(config(1));
    await until(() => registrar.seen.filter((s) => s.authorized).length >= 3, 6000);
    const seen = registrar.seen;
    expect(new Set(seen.map((s) => s.callId)).size).toBe(1);
    expect(seen.map((s) => s.cseq)).toEqual([...seen.map((s) => s.cseq)].sort((a, b) => a - b));
    expect(seen.slice(2).every((s) => s.authorized)).toBe(true); // refreshes need no extra 401 round
    expect(agent.status('user-1')!.state).toBe('registered');
  });

  it('answers a 407 Proxy-Authenticate challenge with Proxy-Authorization', async () => {
    const { registrar, agent, config } = await setup({ proxyAuth: true });
    agent.upsert(config(1));
    await until(() => agent.status('user-1')?.state === 'registered');
    expect(registrar.seen.map((s) => s.authorized)).toEqual([false, true]);
  });

  it('stale=true after a correct answer is answered again with the new nonce, not taken as a wrong password', async () => {
    const { registrar, agent, config } = await setup({ staleOnce: true });
    agent.upsert(config(1));
    await until(() => agent.status('user-1')?.state === 'registered');
    expect(registrar.registers).toBe(3);
  });

  it('a wrong password is a final failure after two REGISTERs, with no retry storm', async () => {
    const { registrar, agent, config } = await setup();
    agent.upsert(config(1, 'wrong'));
    await until(() => agent.status('user-1')!.state === 'failed');
    expect(agent.status('user-1')!.detail).toMatchObject({ statusCode: 401, final: true });
    await new Promise((r) => setTimeout(r, 1000));
    expect(registrar.registers).toBe(2);
  });

  it('re-registers at once when the password is corrected, and ignores an unchanged upsert', async () => {
    const { registrar, agent, config } = await setup();
    agent.upsert(config(1, 'wrong'));
    await until(() => agent.status('user-1')!.state === 'failed');
    agent.upsert(config(1, 'wrong'));
    await new Promise((r) => setTimeout(r, 200));
    expect(registrar.registers).toBe(2);
    agent.upsert(config(1, 'secret'));
    await until(() => agent.status('user-1')!.state === 'registered');
  });

  it('retry() tries a finally failed registration again on demand', async () => {
    const { registrar, agent, config } = await setup({
      password: (user) => (user === '101' ? 'changed' : 'secret'),
    });
    agent.upsert(config(1, 'secret'));
    await until(() => agent.status('user-1')!.state === 'failed');
    expect(agent.retry('user-1')).toBe(true);
    expect(agent.status('user-1')!.state).toBe('pending');
    await until(() => agent.status('user-1')!.state === 'failed');
    expect(registrar.registers).toBe(4);
    expect(agent.retry('nobody')).toBe(false);
  });

  it('remove unregisters with Expires: 0 and forgets the user', async () => {
    const { registrar, agent, config } = await setup();
    agent.upsert(config(1));
    await until(() => registrar.bindings.has('101'));
    await agent.remove('user-1');
    expect(registrar.bindings.has('101')).toBe(false);
    expect(registrar.seen.at(-1)).toMatchObject({ expires: 0, authorized: true });
    expect(agent.status('user-1')).toBeUndefined();
    expect(agent.size).toBe(0);
  });

  it('a disabled user is not registered, and disabling a registered one unregisters it', async () => {
    const { registrar, agent, config } = await setup();
    agent.upsert({ ...config(1), enabled: false });
    agent.upsert(config(2));
    await until(() => registrar.bindings.has('102'));
    expect(agent.status('user-1')!.state).toBe('disabled');
    agent.upsert({ ...config(2), enabled: false });
    await until(() => agent.status('user-2')!.state === 'disabled');
    expect(registrar.bindings.size).toBe(0);
    expect(registrar.seen.every((s) => s.user !== '101')).toBe(true);
  });

  it('423 Interval Too Brief: retries with Min-Expires', async () => {
    const { registrar, agent, config } = await setup({ minExpires: 120 });
    agent.upsert(config(1));
    await until(() => agent.status('user-1')?.state === 'registered');
    expect(registrar.seen.at(-1)!.expires).toBe(120);
  });

  it('a 2xx granting no expiry backs off instead of looping', async () => {
    const { registrar, agent, config } = await setup({ maxExpires: 0 });
    agent.upsert(config(1));
    await until(() => agent.status('user-1')?.state === 'failed');
    expect(agent.status('user-1')!.detail).toMatchObject({ statusCode: 500, final: false });
    await new Promise((r) => setTimeout(r, 1000));
    expect(registrar.registers).toBeLessThan(12);
  });

  it('503 with Retry-After: failed (not final) and the retry waits for Retry-After', async () => {
    const { registrar, agent, config } = await setup({
      forceStatus: { status: 503, headers: { 'Retry-After': '1' } },
    });
    agent.upsert(config(1));
    await until(() => agent.status('user-1')?.state === 'failed');
    const status = agent.status('user-1')!;
    expect(status.detail).toMatchObject({ statusCode: 503, final: false });
    expect(Date.parse(status.detail.retryAt!) - Date.now()).toBeGreaterThan(800);
    await new Promise((r) => setTimeout(r, 600));
    expect(registrar.registers).toBe(1);
    await until(() => registrar.registers === 2, 2000);
  });

  it('no answer: Timer F, backoff, and registered once the PBX answers', async () => {
    const { agent, config } = await setup();
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const port = silent.address().port;
    cleanups.push(() => new Promise((r) => silent.close(() => r())));
    agent.upsert({ ...config(1), service: { ...config(1).service, proxyPort: port } });
    await until(() => agent.status('user-1')?.state === 'failed', 8000);
    expect(agent.status('user-1')!.detail).toMatchObject({ statusCode: 408, final: false });
  });

  it('answers OPTIONS 200, INVITE to a registered contact 480 and to an unknown one 404', async () => {
    const { registrar, stack, agent, config } = await setup();
    agent.upsert(config(1));
    await until(() => registrar.bindings.has('101'));
    const contact = /<sip:([^@]+)@/.exec(registrar.bindings.get('101')!.contact)![1]!;
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => socket.close(() => r())));
    const ask = (method: string, user: string): Promise<string> =>
      new Promise((resolve) => {
        socket.once('message', (data) => resolve(data.toString().split('\r\n')[0]!));
        const text = [
          `${method} sip:${user}@127.0.0.1:${stack.local('udp').port} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${socket.address().port};branch=z9hG4bK${method}${user}`,
          'From: <sip:pbx@127.0.0.1>;tag=p1',
          `To: <sip:${user}@127.0.0.1>`,
          `Call-ID: ${method}-${user}`,
          `CSeq: 1 ${method}`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        socket.send(text, stack.local('udp').port, '127.0.0.1');
      });
    expect(await ask('OPTIONS', contact)).toBe('SIP/2.0 200 OK');
    expect(await ask('INVITE', contact)).toBe('SIP/2.0 480 Temporarily Unavailable');
    expect(await ask('INVITE', 'nobody')).toBe('SIP/2.0 404 Not Found');
    expect(await ask('NOTIFY', contact)).toBe('SIP/2.0 405 Method Not Allowed');
  });
});
