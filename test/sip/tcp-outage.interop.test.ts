import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistrationAgent } from '../../src/sip/registration/registration.agent.js';
import { registerSipMetrics } from '../../src/sip/registration/registration.metrics.js';
import type { SipServiceConfig } from '../../src/sip/registration/registration.types.js';
import { SipStack } from '../../src/sip/stack/sip.stack.js';
import { until } from '../support/until.js';
import { freePort, Kamailio, kamailioInstalled } from './support/kamailio.js';

const installed = kamailioInstalled();
if (!installed) console.warn('TCP outage test SKIPPED: kamailio not installed.');

const USERS = 200;

/**
 * Issue 22: "A TCP PBX outage becomes a connection storm: 7,924 connection attempts in 40 s against one
 * unreachable PBX." While the PBX's TCP port is closed, the agent keeps trying to register its 200 users (REGISTER
 * attempts go on, each failing at once), but only one probe connection at a time goes to the PBX, backing off;
 * when Kamailio starts listening on that port, everyone registers without waiting out their own backoff.
 */
describe.skipIf(!installed)(
  'a PBX over TCP that does not answer: one probe, not one connection per user',
  () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('counts connection attempts against a closed port, then registers everyone when Kamailio answers', async () => {
      const port = await freePort(); // nothing listens there yet
      const stack = await SipStack.start({ host: '127.0.0.1', probe: { baseMs: 500, maxMs: 2000 } });
      const registry = new Registry();
      const agent = new RegistrationAgent(stack, { onState: () => undefined }, { ratePerSecond: 200 });
      registerSipMetrics(registry, agent, stack);
      cleanups.push(async () => {
        await agent.stop();
        await stack.stop();
      });
      const metric = async (name: string) => {
        const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
        return Number(line?.split(' ')[1] ?? NaN);
      };
      const service: SipServiceConfig = {
        sipDomain: 'pbx.test',
        proxyHost: '127.0.0.1',
        proxyPort: port,
        transport: 'tcp',
        expirySeconds: 300,
      };
      for (let n = 0; n < USERS; n++)
        agent.upsert({
          id: `user-${n}`,
          service,
          sipUsername: `t${n}`,
          authUsername: `t${n}`,
          password: `pw${n}`,
        });

      // Eight seconds of outage: every user tries (and retries), the PBX sees a handful of connection attempts.
      const outage = Date.now();
      await until(() => Date.now() - outage >= 8000, 10_000, 'eight seconds of outage', 250);
      const connects = await metric('callbridge_sip_tcp_connect_attempts_total');
      console.log(
        `8 s of TCP outage: ${agent.counters.attempts} REGISTER attempts, ${connects} connection attempts`,
      );
      expect(agent.counters.attempts).toBeGreaterThanOrEqual(USERS);
      expect(connects).toBeGreaterThanOrEqual(2);
      expect(connects).toBeLessThanOrEqual(12);
      expect(await metric('callbridge_sip_tcp_targets_down')).toBe(1);
      const failed = agent.status('user-0');
      expect(failed?.state).toBe('failed');
      expect(failed?.detail).toMatchObject({ statusCode: 503, final: false, retryAt: expect.any(String) });
      expect(failed?.detail.reason).toContain(`127.0.0.1:${port}`);

      const kamailio = await Kamailio.start({
        port,
        users: Array.from({ length: USERS }, (_, n) => ({ username: `t${n}`, password: `pw${n}` })),
      });
      cleanups.push(() => kamailio.dispose());
      // The next probe connects (at most 2 s away) and every user registers at once, paced: no per-user backoff.
      const took = await until(
        () => agent.stateCounts().registered === USERS,
        15_000,
        'everyone registered',
        100,
      );
      console.log(`PBX back: all ${USERS} registered ${took} ms after Kamailio started`);
      expect((await kamailio.registered()).size).toBe(USERS);
      expect(await metric('callbridge_sip_tcp_targets_down')).toBe(0);
      // One connection carries them all: the probe's.
      expect(await metric('callbridge_sip_tcp_connect_attempts_total')).toBeLessThanOrEqual(connects + 2);
    }, 60_000);
  },
);
