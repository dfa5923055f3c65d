import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

/**
 * "Consent revoked" from where it surfaces: the tenant's administrator removed Callbridge's app (no service
 * principal), so the emulator refuses the app's token as Microsoft does (AADSTS7000229); the sync run fails, the
 * connection is marked revoked, and the sync job's own alert evaluation opens consent_revoked and sync_failed.
 */
describe('consent revoked in the tenant', () => {
  let emulator: RunningEmulator;
  let t: TestApp;

  beforeAll(async () => {
    const seed = demoSeed();
    for (const tenant of seed.tenants ?? []) tenant.consentedApps = [];
    emulator = await startEmulator({ seed });
    t = await createTestApp('sqlite', { microsoftClients: fastClients });
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('opens consent_revoked and sync_failed as soon as the sync is refused', async () => {
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    const run = await syncToEnd(t.ctx, account.id, service.id);
    expect(run.state).toBe('failed');
    expect(run.error).toContain('7000229');
    const connection = await t.ctx.store.repos.tenantConnections.findByAccount(account.id);
    expect(connection?.consentState).toBe('revoked');
    const open = await t.ctx.services.alerts.listOpen(system, account.id);
    expect(open.map((a) => a.kind).sort()).toEqual(['consent_revoked', 'sync_failed']);
    expect(open.find((a) => a.kind === 'consent_revoked')!.message).toContain('give consent again');
  });
});
