import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { loopbackAgent } from '../../../test/sip/support/loopback-agent.js';
import { registerSipMetrics } from './registration.metrics.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

describe('registerSipMetrics', () => {
  it('exposes states and counters that follow the agent, counters never going down', async () => {
    const { registrar, stack, agent } = await loopbackAgent(stops);
    const registry = new Registry();
    registerSipMetrics(registry, agent, stack);
    const service = {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: registrar.port,
      transport: 'udp' as const,
      expirySeconds: 60,
    };
    for (const [n, password] of [
      ['1', 'secret'],
      ['2', 'secret'],
      ['3', 'wrong'],
    ] as const) {
      agent.upsert({ id: n, service, sipUsername: n, authUsername: n, password });
    }
    const started = Date.now();
    while (agent.stateCounts().registered + agent.stateCounts().failed < 3 && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const text = await registry.metrics();
    expect(text).toContain('callbridge_sip_registrations{state="registered"} 2');
    expect(text).toContain('callbridge_sip_registrations{state="failed"} 1');
    expect(text).toContain('callbridge_sip_register_attempts_total 3');
    expect(text).toContain('callbridge_sip_register_successes_total 2');
    expect(text).toContain('callbridge_sip_auth_challenges_total 3');
    expect(text).toMatch(/callbridge_sip_requests_sent_total 6\b/);
    expect(await registry.metrics()).toContain('callbridge_sip_register_attempts_total 3');
  });
});
