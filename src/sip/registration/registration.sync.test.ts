import { afterEach, describe, expect, it } from 'vitest';
import { loopbackAgent } from '../../../test/sip/support/loopback-agent.js';
import { syncRegistrations } from './registration.sync.js';
import type { RegistrationConfig, SipServiceConfig } from './registration.types.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

describe('syncRegistrations', () => {
  it('registers new users, leaves unchanged ones alone and unregisters the ones no longer listed', async () => {
    const { registrar, agent } = await loopbackAgent(stops);
    const service: SipServiceConfig = {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: registrar.port,
      transport: 'udp',
      expirySeconds: 60,
    };
    const config = (n: number): RegistrationConfig => ({
      id: `u${n}`,
      service,
      sipUsername: `${n}`,
      authUsername: `${n}`,
      password: 'secret',
    });
    await syncRegistrations(agent, [1, 2, 3].map(config));
    for (let i = 0; i < 300 && registrar.bindings.size < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(registrar.bindings.size).toBe(3);
    const before = registrar.registers;
    const result = await syncRegistrations(agent, [2, 3].map(config));
    expect(result).toEqual({ upserted: 2, removed: 1 });
    expect([...registrar.bindings.keys()].sort()).toEqual(['2', '3']);
    expect(registrar.registers - before).toBe(1); // only the unregister of user 1
    expect(agent.ids().sort()).toEqual(['u2', 'u3']);
  });
});
