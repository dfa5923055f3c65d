import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialProgress } from '../../src/calls/phone-app/dial-progress.js';
import { DEMO_PHONE_APP_CLIENT_ID, demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { DEBRA, DESK_PHONE, startPhoneAppHarness } from '../calls/support/phone-app-harness.js';
import { registerScenario, uasScenario } from '../calls/support/sipp-scenarios.js';
import { freePort, kamailioInstalled } from '../sip/support/kamailio.js';
import { fastClients } from '../support/demo-tenant-account.js';
import { phoneAppTenant, teamsSsoToken } from '../support/phone-app-tenant.js';
import { RtpengineDaemon, rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';

const ready = kamailioInstalled() && spawnSync('sipp', ['-v']).status !== null && rtpengineInstalled();

/**
 * Two Callbridge nodes on one PostgreSQL database: node A bridges calls (its B2BUA places the click-to-dial:
 * Kamailio as the PBX, sipp as the desk phone, rtpengine), node B has no call path. The tab's requests land on
 * either behind a load balancer: B reads the call's progress A wrote, and a hang-up sent to B ends the call on A.
 */
describe.skipIf(!ready)('Phone App calls across two nodes on PostgreSQL', () => {
  let emulator: RunningEmulator;
  let a: TestApp;
  let b: TestApp;
  let daemon: RtpengineDaemon;
  let relay: RtpengineRelay;
  let h: Awaited<ReturnType<typeof startPhoneAppHarness>>;
  let port: number;

  const config = { phoneAppClientId: DEMO_PHONE_APP_CLIENT_ID, publicUrl: 'https://voice.acme.example' };
  const call = async (
    node: TestApp,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    user = demoUserId(19),
  ) => {
    const response = await node.app.inject({
      method,
      url: `/api/v1/phone-app/${path}`,
      headers: { authorization: `Bearer ${await teamsSsoToken(emulator, user)}` },
      ...(method === 'POST' && { payload: { number: DESK_PHONE.username } }),
    });
    return response;
  };

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    a = await createTestApp('postgres', { microsoftClients: fastClients, config });
    const { accountId } = await phoneAppTenant(a, emulator);
    b = await createTestApp('postgres', { microsoftClients: fastClients, config, sameDatabaseAs: a });
    const debra = (await a.ctx.store.repos.users.findByObjectId(accountId, demoUserId(19)))!;
    daemon = await RtpengineDaemon.start();
    relay = await RtpengineRelay.open({ target: daemon.target });
    h = await startPhoneAppHarness({
      relay,
      owner: { userId: debra.id, accountId, serviceId: debra.serviceId },
      recorder: a.ctx.calls.recorder,
    });
    await until(() => h.agent.status(debra.id)?.state === 'registered', 5000, 'Debra registered');
    port = await freePort();
    const extra = ['-au', DESK_PHONE.username, '-ap', DESK_PHONE.password];
    expect((await h.deskPhone(registerScenario(), { port, extra })).code).toBe(0);
    a.ctx.services.phoneAppCalls.dialler = h.b2bua.phoneApp;
  }, 180_000);
  afterAll(async () => {
    if (a) a.ctx.services.phoneAppCalls.dialler = undefined;
    await h?.stop();
    relay?.close();
    await daemon?.stop();
    await b?.close();
    await a?.close();
    await emulator?.close();
  });

  it('node B follows a call node A placed, and a hang-up sent to node B ends it on node A within a second', async () => {
    const deskPhone = h.deskPhone(uasScenario({ kind: 'answer' }), { port });
    h.teams.setBehaviour(DEBRA.address, { outcome: 'answer', afterMs: 600 });
    // Node B cannot place calls itself: no call path runs there.
    expect((await call(b, 'POST', 'calls')).statusCode).toBe(503);
    const placed = await call(a, 'POST', 'calls');
    expect(placed.statusCode).toBe(202);
    const { callId } = placed.json<{ callId: string }>();
    // Straight away B knows the call (A wrote its row before answering), then sees it connect.
    const first = await call(b, 'GET', `calls/${callId}`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ callId, number: '2001' });
    const phases = new Set<string>();
    await until(
      async () => {
        const phase = (await call(b, 'GET', `calls/${callId}`)).json<DialProgress>().phase;
        phases.add(phase);
        return phase === 'answered';
      },
      15_000,
      'node B sees the call answered',
    );
    expect(phases.has('calling-teams') || phases.has('connecting')).toBe(true);
    // Another user's token finds nothing of Debra's call on either node.
    expect((await call(b, 'GET', `calls/${callId}`, demoUserId(20))).statusCode).toBe(404);
    expect((await call(b, 'DELETE', `calls/${callId}`, demoUserId(20))).statusCode).toBe(404);
    const asked = Date.now();
    expect((await call(b, 'DELETE', `calls/${callId}`)).statusCode).toBe(204);
    await until(
      () => h.b2bua.phoneApp.progress(h.userId, callId)?.phase === 'ended',
      5000,
      'A ended the call',
    );
    expect(Date.now() - asked).toBeLessThan(1500);
    await until(
      async () => (await call(b, 'GET', `calls/${callId}`)).json<DialProgress>().phase === 'ended',
      5000,
      'node B sees the call ended',
    );
    expect((await call(b, 'GET', `calls/${callId}`)).json()).toMatchObject({
      phase: 'ended',
      result: 'answered',
    });
    // The desk phone was hung up on (its scenario waits for the BYE).
    expect((await deskPhone).code).toBe(0);
    // Over: a second hang-up finds no call in progress.
    expect((await call(b, 'DELETE', `calls/${callId}`)).statusCode).toBe(404);
  }, 60_000);
});
