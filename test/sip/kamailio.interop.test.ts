import { createSocket, type Socket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistrationAgent } from '../../src/sip/registration/registration.agent.js';
import type {
  RegistrationConfig,
  RegistrationStatus,
} from '../../src/sip/registration/registration.types.js';
import { SipStack } from '../../src/sip/stack/sip.stack.js';
import { Kamailio, kamailioInstalled } from './support/kamailio.js';
import { until } from '../support/until.js';

const installed = kamailioInstalled();
if (!installed) {
  console.warn(
    'SIP interop tests SKIPPED: kamailio/kamcmd not installed (apt-get install kamailio sip-tester).',
  );
}

const users = ['1001', '1002', '1003', '1004', '1005', '1006'].map((n) => ({
  username: `a${n}`,
  password: `pw-${n}`,
}));
const crowd = Array.from({ length: 300 }, (_, i) => String(2000 + i));
users.push(...crowd.map((n) => ({ username: `a${n}`, password: `pw-${n}` })));

interface Harness {
  agent: RegistrationAgent;
  stack: SipStack;
  states: Map<string, RegistrationStatus>;
  config: (
    n: string,
    transport: 'udp' | 'tcp',
    options?: { password?: string; expirySeconds?: number },
  ) => RegistrationConfig;
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

async function agentFor(kamailio: Kamailio): Promise<Harness> {
  const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 100, t2: 800, t4: 1000 } });
  const states = new Map<string, RegistrationStatus>();
  const agent = new RegistrationAgent(
    stack,
    { onState: (id, s) => states.set(id, s) },
    {
      ratePerSecond: 500,
      backoffBaseMs: 250,
      backoffMaxMs: 1000,
    },
  );
  stops.push(async () => {
    await agent.stop();
    await stack.stop();
  });
  const config: Harness['config'] = (n, transport, options = {}) => ({
    id: `user-${n}`,
    service: {
      sipDomain: kamailio.domain,
      proxyHost: '127.0.0.1',
      proxyPort: kamailio.port,
      transport,
      expirySeconds: options.expirySeconds ?? 300,
    },
    sipUsername: n,
    authUsername: `a${n}`,
    password: options.password ?? `pw-${n}`,
  });
  return { agent, stack, states, config };
}

describe.skipIf(!installed)('registration against Kamailio (UDP and TCP)', () => {
  let kamailio: Kamailio;
  beforeAll(async () => {
    kamailio = await Kamailio.start({ users });
  });
  afterAll(async () => {
    await kamailio?.dispose();
  });

  it('registers users over UDP and TCP, as Kamailio ul.dump shows, with the auth username for digest', async () => {
    const { agent, states, config } = await agentFor(kamailio);
    agent.upsert(config('1001', 'udp'));
    agent.upsert(config('1002', 'udp'));
    agent.upsert(config('1004', 'tcp'));
    await until(() => agent.stateCounts().registered === 3, 5000, 'three registered');
    const registered = await kamailio.registered();
    expect(['1001', '1002', '1004'].every((aor) => registered.has(aor))).toBe(true);
    expect(await kamailio.contactsOf('1004')).toEqual([
      expect.stringMatching(/^sip:cb[\w-]+@127\.0\.0\.1:\d+;transport=tcp$/),
    ]);
    expect(await kamailio.contactsOf('1001')).toEqual([
      expect.stringMatching(/^sip:cb[\w-]+@127\.0\.0\.1:\d+$/),
    ]);
    expect(states.get('user-1001')!.state).toBe('registered');
    await agent.remove('user-1002');
    expect((await kamailio.registered()).has('1002')).toBe(false);
  });

  it('registers 300 users paced at 500/s, half over TCP, all present in ul.dump, none failed', async () => {
    const { agent, config } = await agentFor(kamailio);
    const started = Date.now();
    crowd.forEach((n, i) => agent.upsert(config(n, i % 2 === 0 ? 'udp' : 'tcp')));
    await until(() => agent.stateCounts().registered === crowd.length, 10_000, 'all registered');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450); // the pacer spreads them (burst 50, then 500/s)
    const registered = await kamailio.registered();
    expect(crowd.every((n) => registered.has(n))).toBe(true);
    expect(agent.stateCounts().failed).toBe(0);
  });

  it('a wrong password fails with 401 after one answered challenge and sends no more REGISTERs', async () => {
    const { agent, config } = await agentFor(kamailio);
    agent.upsert(config('1003', 'udp', { password: 'not-the-password' }));
    await until(() => agent.status('user-1003')?.state === 'failed', 5000, 'failed');
    expect(agent.status('user-1003')!.detail).toMatchObject({ statusCode: 401, final: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await kamailio.registerCounts()).get('1003')).toBe(2);
    agent.upsert(config('1003', 'udp'));
    await until(() => agent.status('user-1003')?.state === 'registered', 5000, 'registered after the fix');
    expect((await kamailio.registered()).has('1003')).toBe(true);
  });

  it('answers requests Kamailio relays to the registered contact: OPTIONS 200, INVITE 480', async () => {
    const { agent, config } = await agentFor(kamailio);
    agent.upsert(config('1005', 'udp'));
    await until(() => agent.status('user-1005')?.state === 'registered', 5000, 'registered');
    const caller = createSocket('udp4');
    await new Promise<void>((r) => caller.bind(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => caller.close(() => r())));
    expect(await send(caller, kamailio, 'OPTIONS', '1005')).toBe('SIP/2.0 200 OK');
    expect(await send(caller, kamailio, 'INVITE', '1005')).toBe('SIP/2.0 480 Temporarily Unavailable');
    expect(await send(caller, kamailio, 'INVITE', '1006')).toBe('SIP/2.0 404 Not Found'); // not registered
  });
});

describe.skipIf(!installed)('PBX stopped and restarted', () => {
  it('re-registers UDP and TCP users within the refresh + backoff bound after Kamailio restarts', async () => {
    const kamailio = await Kamailio.start({ users });
    stops.push(() => kamailio.dispose());
    const { agent, config } = await agentFor(kamailio);
    agent.upsert(config('1001', 'udp', { expirySeconds: 4 }));
    agent.upsert(config('1004', 'tcp', { expirySeconds: 4 }));
    await until(() => agent.stateCounts().registered === 2, 5000, 'registered');
    await kamailio.stop();
    await new Promise((r) => setTimeout(r, 3000)); // refreshes fail meanwhile: timeouts on UDP, refused on TCP
    await kamailio.restart();
    // Bound: a refresh is due within 80 % of 4 s; failures back off at most 1 s; plus UDP retransmission slack.
    const took = await until(async () => (await kamailio.registered()).size === 2, 8000, 're-registered');
    expect(took).toBeLessThan(8000);
    // The restarted Kamailio starts with empty memory: these REGISTERs reached the new instance.
    const counts = await kamailio.registerCounts();
    expect(counts.get('1001')).toBeGreaterThanOrEqual(1);
    expect(counts.get('1004')).toBeGreaterThanOrEqual(1);
    expect(agent.stateCounts().registered + agent.stateCounts().expiring).toBe(2);
  });
});

describe.skipIf(!installed)('SHA-256 digest (RFC 8760)', () => {
  it('registers against Kamailio configured for SHA-256', async () => {
    const kamailio = await Kamailio.start({ users, algorithm: 'SHA-256' });
    stops.push(() => kamailio.dispose());
    const { agent, config } = await agentFor(kamailio);
    agent.upsert(config('1001', 'udp'));
    agent.upsert(config('1002', 'udp', { password: 'wrong' }));
    await until(() => agent.status('user-1001')?.state === 'registered', 5000, 'registered');
    await until(() => agent.status('user-1002')?.state === 'failed', 5000, 'failed');
    expect([...(await kamailio.registered())]).toEqual(['1001']);
  });
});

/** Send one request through Kamailio to `user` and return the first final response's status line. */
function send(socket: Socket, kamailio: Kamailio, method: string, user: string): Promise<string> {
  const branch = `z9hG4bK${method}${user}${Date.now()}`;
  const local = socket.address();
  const lines = [
    `${method} sip:${user}@${kamailio.domain} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local.port};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:caller@${kamailio.domain}>;tag=t${branch}`,
    `To: <sip:${user}@${kamailio.domain}>`,
    `Call-ID: ${branch}`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:caller@127.0.0.1:${local.port}>`,
    'Content-Length: 0',
    '',
    '',
  ];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no final answer to ${method}`)), 4000);
    const onMessage = (data: Buffer): void => {
      const text = data.toString();
      const status = text.split('\r\n')[0]!;
      if (!text.includes(branch) || /^SIP\/2\.0 1\d\d/.test(status)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      if (method === 'INVITE') socket.send(ackFor(text, lines, branch), kamailio.port, '127.0.0.1');
      resolve(status);
    };
    socket.on('message', onMessage);
    socket.send(lines.join('\r\n'), kamailio.port, '127.0.0.1');
  });
}

/** ACK for a non-2xx final to an INVITE: same branch, To with the response's tag (RFC 3261 section 17.1.1.3). */
function ackFor(response: string, inviteLines: string[], branch: string): string {
  const to = /^To: (.*)$/m.exec(response)?.[1] ?? '';
  return inviteLines
    .filter((l) => !l.startsWith('Contact'))
    .map((l) => (l.startsWith('INVITE') ? l.replace('INVITE', 'ACK') : l))
    .map((l) => (l.startsWith('To:') ? `To: ${to.trim()}` : l))
    .map((l) => (l.startsWith('CSeq') ? 'CSeq: 1 ACK' : l))
    .map((l) => (l.startsWith('Via') ? l.replace(/branch=[^;]+/, `branch=${branch}`) : l))
    .join('\r\n');
}
