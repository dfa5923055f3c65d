import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID, demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import type { AuthRequestCounts } from '../../src/emulator/emulator.state.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Token reuse across sync runs in one warm process: every run builds its Microsoft client afresh (as the worker
 * does), yet the app's token for each scope is asked for once while it is valid, a request in flight is shared by
 * the concurrent per-user reads, and the authority's metadata is read once.
 */
describe('tokens over 14 sync runs in a warm process', () => {
  let emulator: RunningEmulator;
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  const admin = (method: string, path: string, body?: object) =>
    fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body && { body: JSON.stringify(body) }),
    });
  const authRequests = async () =>
    (await (await fetch(`${emulator.url}/_emulator/auth-requests`)).json()) as AuthRequestCounts;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp('sqlite', { microsoftClients: fastClients });
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    accountId = account.id;
    serviceId = service.id;
    await fetch(`${emulator.url}/_emulator/auth-requests`, { method: 'DELETE' });
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('asks for each scope at most once and reads the authority metadata once', async () => {
    const perRun: number[] = [];
    let before = 0;
    for (let run = 1; run <= 14; run++) {
      // Users changed in Teams make each delta run read coexistence modes one by one, 8 at a time.
      for (let n = 1; n <= 8; n++)
        await admin('PATCH', `/users/${demoUserId(10 + n)}`, {
          coexistenceMode: run % 2 ? 'TeamsOnly' : null,
        });
      const done = await syncToEnd(t.ctx, accountId, serviceId);
      expect(done.error).toBeNull();
      const counts = await authRequests();
      const total = Object.values(counts.tokens).reduce((a, b) => a + b, 0);
      perRun.push(total - before);
      before = total;
    }
    const counts = await authRequests();
    console.info(
      `token requests per run: ${perRun.join(', ')}; by scope ${JSON.stringify(counts.tokens)}; discovery ${counts.discovery}`,
    );
    expect(Object.keys(counts.tokens).sort()).toEqual([
      '48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default',
      'https://graph.microsoft.com/.default',
    ]);
    for (const count of Object.values(counts.tokens)) expect(count).toBe(1);
    expect(counts.discovery).toBe(1);
  });
});
