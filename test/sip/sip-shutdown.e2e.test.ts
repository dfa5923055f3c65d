import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until.js';
import { freePort, Kamailio, kamailioInstalled } from './support/kamailio.js';
import { prepareInstallation, startServe, statesIn, type Installation } from './support/serve-process.js';

const installed = kamailioInstalled();
if (!installed) console.warn('SIP shutdown test SKIPPED: kamailio not installed.');

const USERS = 2000;
const RATE = 500;

/**
 * Issue 22: "On SIGTERM the process unregisters for 3 s only: about 620 of 1,980 users; the other ~1,360 stay
 * bound at the PBX to a dead process". A real `callbridge serve` with 2,000 users registered at a real Kamailio
 * gets SIGTERM: it exits 0 having unregistered every user (Kamailio's location table is empty) and the database
 * shows each of them `unregistered`.
 */
describe.skipIf(!installed)('a clean stop of callbridge serve unregisters everyone', () => {
  let kamailio: Kamailio;
  let installation: Installation;

  beforeAll(async () => {
    kamailio = await Kamailio.start({
      users: Array.from({ length: USERS }, (_, n) => ({ username: `u${n}`, password: `pw${n}` })),
    });
    installation = await prepareInstallation(kamailio, USERS);
  }, 120_000);
  afterAll(async () => {
    await kamailio?.dispose();
    if (installation) await rm(installation.dataDir, { recursive: true, force: true });
  });

  it('SIGTERM with 2,000 users registered: none left bound at Kamailio, all unregistered in the database', async () => {
    const serve = startServe({
      ...installation.env,
      CALLBRIDGE_SIP_PORT: String(await freePort()),
      CALLBRIDGE_SIP_REGISTER_RATE: String(RATE),
      CALLBRIDGE_SIP_SHUTDOWN_SECONDS: '120',
    });
    try {
      await until(
        async () => (await kamailio.registered()).size === USERS,
        60_000,
        `${USERS} bound at Kamailio`,
        500,
      );
      // The role writes states every second: wait until the database says so too.
      await until(
        async () => (await statesIn(installation)).get('registered') === USERS,
        30_000,
        'all registered in the database',
        500,
      );
      const stopping = Date.now();
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      const seconds = (Date.now() - stopping) / 1000;
      console.log(`shutdown of ${USERS} users at ${RATE} REGISTER/s: ${seconds.toFixed(1)} s`);
      expect((await kamailio.registered()).size).toBe(0);
      expect(Object.fromEntries(await statesIn(installation))).toEqual({ unregistered: USERS });
      expect(serve.output()).toContain('"unregistered":2000');
    } catch (error) {
      throw new Error(`${String(error)}\ncallbridge serve said:\n${serve.output().slice(-3000)}`, {
        cause: error,
      });
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, 240_000);

  it('the wait is bounded by CALLBRIDGE_SIP_SHUTDOWN_SECONDS: it exits in time and says who stays bound', async () => {
    const serve = startServe({
      ...installation.env,
      CALLBRIDGE_SIP_PORT: String(await freePort()),
      CALLBRIDGE_SIP_REGISTER_RATE: '250',
      CALLBRIDGE_SIP_SHUTDOWN_SECONDS: '2',
    });
    try {
      await until(async () => (await kamailio.registered()).size === USERS, 60_000, 'all bound', 500);
      await until(
        async () => (await statesIn(installation)).get('registered') === USERS,
        30_000,
        'all registered in the database',
        500,
      );
      const stopping = Date.now();
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      // 2 s of unregistering at 250/s leaves about 1,500 bound; the process does not wait for them.
      expect(Date.now() - stopping).toBeLessThan(15_000);
      const left = (await kamailio.registered()).size;
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(USERS);
      const logged = /"unregistered":(\d+),"unfinished":(\d+)/.exec(serve.output());
      const [confirmed, unfinished] = [Number(logged?.[1]), Number(logged?.[2])];
      expect(confirmed + unfinished).toBe(USERS);
      // Every unregistration the log counts as confirmed is gone at Kamailio; those still in flight when the wait
      // ended may or may not have reached it, so Kamailio holds at most the unfinished ones.
      expect(left).toBeLessThanOrEqual(unfinished);
      expect(left).toBeGreaterThan(unfinished - 125); // at most half a second of REGISTERs in flight at 250/s
      expect(Object.fromEntries(await statesIn(installation))).toEqual({ unregistered: USERS });
    } catch (error) {
      throw new Error(`${String(error)}\ncallbridge serve said:\n${serve.output().slice(-3000)}`, {
        cause: error,
      });
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, 240_000);
});
