import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID, demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const actor = { type: 'system', id: null, label: 'test', source: 'api' } as const;

/**
 * Optional steps (coexistence modes, carrier-model objects) failing through the emulator's fault injection: the
 * run still takes users and numbers, ends `warning` naming the step and Microsoft's answer, keeps the values it
 * could not read, and the next run tries again.
 */
describe.each(DIALECTS)('optional sync steps that fail on %s', (dialect) => {
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
  const sync = () => syncToEnd(t.ctx, accountId, serviceId);
  const byObject = async (objectId: string) =>
    (await t.ctx.store.repos.users.listForSync(accountId, serviceId)).find((u) => u.objectId === objectId);
  const logOf = (run: { log: { message: string }[] }) => run.log.map((l) => l.message).join('\n');

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, { microsoftClients: fastClients });
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    accountId = account.id;
    serviceId = service.id;
    expect((await sync()).state).toBe('succeeded');
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('a Teams admin 404 on the coexistence listing: warning naming the step, modes kept, the next run reads them', async () => {
    expect((await byObject(demoUserId(29)))?.coexistenceMode).toBe('Islands');
    await admin('PATCH', `/users/${demoUserId(29)}`, { coexistenceMode: 'TeamsOnly' });
    await admin('PATCH', `/users/${demoUserId(4)}`, { displayName: 'Renamed Four' });
    await admin('POST', '/delta/reset');
    await admin('PUT', '/faults', { rates: { notFound: 1 }, pathPattern: '^/teams-admin/Teams\\.User/' });

    const degraded = await sync();
    expect(degraded.state).toBe('warning');
    expect(degraded.error).toBeNull();
    expect(degraded.counters).toMatchObject({ fullRead: 1, degradedSteps: 1 });
    expect(logOf(degraded)).toMatch(
      /Step "reading coexistence modes \(Teams admin API\)" did not complete: Microsoft answered HTTP 404 NotFound: "The resource '\/teams-admin\/Teams\.User\/users' was not found\."\. Coexistence modes keep their last known value/,
    );
    // The rest of the sync happened; the mode it could not read kept its last known value.
    expect((await byObject(demoUserId(4)))?.displayName).toBe('Renamed Four');
    expect((await byObject(demoUserId(29)))?.coexistenceMode).toBe('Islands');
    expect((await byObject(demoUserId(1)))?.coexistenceMode).toBe('TeamsOnly');

    await admin('DELETE', '/faults');
    const next = await sync();
    expect(next.state).toBe('succeeded');
    expect(next.counters).toMatchObject({ fullRead: 1 });
    expect(next.counters['degradedSteps']).toBeUndefined();
    expect(logOf(next)).toContain('the last sync could not read every value');
    expect((await byObject(demoUserId(29)))?.coexistenceMode).toBe('TeamsOnly');
  });

  it('a Teams admin outage (503) on the PSTN usage: warning naming the object and Microsoft’s text, retried next run', async () => {
    const names = carrierNamesOf(serviceId, t.ctx.config.sbcDomain);
    const user = (await byObject(demoUserId(12)))!;
    await t.ctx.services.users.update(actor, accountId, user.id, { phoneNumber: '+442079460412' });
    await admin('PUT', '/faults', {
      rates: { unavailable: 1 },
      pathPattern: 'OnlinePstnUsages',
      retryAfterSeconds: 0,
    });

    const degraded = await sync();
    expect(degraded.state).toBe('warning');
    expect(degraded.counters).toMatchObject({ degradedSteps: 1 });
    expect(logOf(degraded)).toContain(
      `Step "ensuring the PSTN usage ${names.pstnUsage} (carrier model)" did not complete: Microsoft answered HTTP 503 serviceNotAvailable: "Service is unavailable. Please try again". It stays pending and is retried automatically.`,
    );

    await admin('DELETE', '/faults');
    const next = await sync();
    expect(next.state).toBe('succeeded');
    const objects = await t.ctx.store.repos.tenantObjects.listByService(accountId, serviceId);
    expect(objects.find((o) => o.kind === 'pstn_usage')?.state).toBe('ready');
    expect((await byObject(demoUserId(12)))?.syncedLine).toBe('+442079460412');
  });
});
