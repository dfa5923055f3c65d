import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { MiniRegistrar } from '../../../test/sip/support/mini-registrar.js';
import { SipResolver, type DnsLookups } from '../dns/sip.resolver.js';
import { SipStack } from '../stack/sip.stack.js';
import { RegistrationAgent } from './registration.agent.js';
import type { RegistrationAgentOptions, RegistrationStatus, SipServiceConfig } from './registration.types.js';
import { until as waitUntil } from '../../../test/support/until.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

/** The agent's state is checked every 10 ms: the tests bound how long recovery takes. */
const until = (check: () => boolean, timeoutMs: number) => waitUntil(check, timeoutMs, 'the agent state', 10);

async function agentWith(options: RegistrationAgentOptions, resolver?: SipResolver) {
  const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 50, t2: 400, t4: 500 } });
  const events: { id: string; status: RegistrationStatus }[] = [];
  const agent = new RegistrationAgent(
    stack,
    { onState: (id, status) => events.push({ id, status }) },
    options,
    resolver,
  );
  stops.push(async () => {
    await agent.stop();
    await stack.stop();
  });
  return { agent, events, stack };
}

const user = (n: number, service: SipServiceConfig) => ({
  id: `user-${n}`,
  service,
  sipUsername: `10${n}`,
  authUsername: `10${n}`,
  password: 'secret',
});

describe('registration recovery', () => {
  it('fails over to the next SRV target when the first does not answer, then prefers the one that did', async () => {
    const registrar = await MiniRegistrar.start();
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    stops.push(
      () => registrar.stop(),
      () => new Promise((r) => silent.close(() => r())),
    );
    const dns: DnsLookups = {
      resolveSrv: async (name) =>
        name === '_sip._udp.pbx.test'
          ? [
              { name: 'dead.pbx.test', port: silent.address().port, priority: 10, weight: 0 },
              { name: 'live.pbx.test', port: registrar.port, priority: 20, weight: 0 },
            ]
          : [],
      resolve4: async () => ['127.0.0.1'],
      resolve6: async () => [],
    };
    const { agent } = await agentWith({ ratePerSecond: 100 }, new SipResolver(dns));
    const service: SipServiceConfig = { sipDomain: 'pbx.test', transport: 'udp', expirySeconds: 60 };
    agent.upsert(user(1, service));
    const first = await until(() => agent.status('user-1')?.state === 'registered', 8000);
    expect(first).toBeGreaterThan(3000); // Timer F (64 x 50 ms) on the dead target first
    agent.upsert(user(2, service));
    const second = await until(() => agent.status('user-2')?.state === 'registered', 3000);
    expect(second).toBeLessThan(1000);
  });

  it('reports "expiring" when paced refreshes land after the binding ran out', async () => {
    const registrar = await MiniRegistrar.start({ maxExpires: 1 });
    stops.push(() => registrar.stop());
    const { events, agent } = await agentWith({ ratePerSecond: 3, burst: 1 });
    const service: SipServiceConfig = {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: registrar.port,
      transport: 'udp',
      expirySeconds: 1,
    };
    for (let n = 0; n < 4; n++) agent.upsert(user(n, service));
    await until(() => events.some((e) => e.status.state === 'expiring'), 10_000);
    const expiring = events.find((e) => e.status.state === 'expiring')!;
    expect(expiring.status.detail.lastSuccessAt).toBeDefined();
    expect(agent.stateCounts().failed).toBe(0);
  });

  it('re-registers at once over a new TCP connection when the PBX drops the connection', async () => {
    let registrar = await MiniRegistrar.start();
    const port = registrar.stack.local('tcp').port;
    const { agent } = await agentWith({ ratePerSecond: 100 });
    const service: SipServiceConfig = {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: port,
      transport: 'tcp',
      expirySeconds: 3600,
    };
    agent.upsert(user(1, service));
    agent.upsert(user(2, service));
    await until(() => registrar.bindings.size === 2, 3000);
    await registrar.stop(); // closes the connection and forgets the bindings, like a restarted PBX
    registrar = await MiniRegistrar.startOn({ tcpPort: port });
    stops.push(() => registrar.stop());
    const took = await until(() => registrar.bindings.size === 2, 5000);
    expect(took).toBeLessThan(5000); // far sooner than the refresh at 55-80 % of an hour
    expect(agent.status('user-1')!.state).toBe('registered');
  });
});
