import { afterEach, describe, expect, it } from 'vitest';
import { RegistrationAgent } from '../../src/sip/registration/registration.agent.js';
import type { RegistrationStatus, SipServiceConfig } from '../../src/sip/registration/registration.types.js';
import { SipStack } from '../../src/sip/stack/sip.stack.js';
import { until } from '../support/until.js';
import { Kamailio, kamailioInstalled } from './support/kamailio.js';

const installed = kamailioInstalled();
const USERS = 200;
const numbers = Array.from({ length: USERS }, (_, i) => String(3000 + i));

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

/**
 * Issue 21's scenario: Kamailio keeps registrations in memory, so after a restart it knows nobody. Before the
 * probe, Callbridge kept showing everyone registered until each refresh fell due (most of an hour).
 */
describe.skipIf(!installed)('a PBX that restarts and forgets its registrations (Kamailio, UDP)', () => {
  it('shows every user unconfirmed while Kamailio is down, and has all of them in ul.dump within seconds of its return', async () => {
    const kamailio = await Kamailio.start({
      users: numbers.map((n) => ({ username: n, password: `pw-${n}` })),
    });
    stops.push(() => kamailio.dispose());
    // T1 100 ms: a probe nobody answers gives up after Timer F = 6.4 s (32 s with the default T1).
    const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 100, t2: 800, t4: 1000 } });
    const states = new Map<string, RegistrationStatus>();
    const agent = new RegistrationAgent(
      stack,
      { onState: (id, s) => states.set(id, s) },
      { ratePerSecond: 500, probeIntervalMs: 1000 },
    );
    stops.push(async () => {
      await agent.stop();
      await stack.stop();
    });
    const service: SipServiceConfig = {
      sipDomain: kamailio.domain,
      proxyHost: '127.0.0.1',
      proxyPort: kamailio.port,
      transport: 'udp',
      expirySeconds: 3600, // refreshes are 33-48 minutes away: only the probe can bring the users back soon
    };
    for (const n of numbers) {
      agent.upsert({ id: `user-${n}`, service, sipUsername: n, authUsername: n, password: `pw-${n}` });
    }
    await until(() => agent.stateCounts().registered === USERS, 10_000, 'all registered');
    expect((await kamailio.registered()).size).toBe(USERS);
    // Kamailio answers OPTIONS (404 to the domain): once it did, its silence means it is gone.
    await until(() => agent.probesSent >= 2, 5000, 'an OPTIONS answered');

    await kamailio.stop();
    await until(() => agent.stateCounts().unconfirmed === USERS, 15_000, 'all unconfirmed');
    expect(agent.stateCounts().registered).toBe(0);
    expect(agent.pbxHealth(service)).toMatchObject({ reachable: false });
    expect(states.get(`user-${numbers[7]}`)?.state).toBe('unconfirmed');

    await kamailio.restart(); // same port, empty location table
    expect((await kamailio.registered()).size).toBe(0);
    const took = await until(
      async () => (await kamailio.registered()).size === USERS,
      10_000,
      'all users back in ul.dump',
    );
    expect(took).toBeLessThan(10_000);
    await until(() => agent.stateCounts().registered === USERS, 5000, 'all registered again');
    expect(agent.pbxHealth(service)).toMatchObject({ reachable: true });
    // One REGISTER round (challenge + answer) per user after the restart, no storm.
    const counts = await kamailio.registerCounts();
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(3);
  });
});
