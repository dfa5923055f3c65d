import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID, demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const actor = { type: 'system', id: null, label: 'test', source: 'api' } as const;

describe.each(DIALECTS)('delta syncs after the first full read on %s', (dialect) => {
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
  const sync = (dryRun = false) => syncToEnd(t.ctx, accountId, serviceId, { dryRun });
  const portalUsers = () => t.ctx.store.repos.users.listForSync(accountId, serviceId);
  const byObject = async (objectId: string) => (await portalUsers()).find((u) => u.objectId === objectId);

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, { microsoftClients: fastClients });
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    accountId = account.id;
    serviceId = service.id;
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('reads the whole tenant on the first sync, then only changes: nothing changed plans nothing', async () => {
    const first = await sync();
    expect(first.counters).toMatchObject({ fullRead: 1 });
    const users = await portalUsers();
    const second = await sync();
    expect(second.counters).toMatchObject({ fullRead: 0, added: 0, updated: 0, removed: 0, conflicts: 0 });
    expect(second.plan).toEqual([]);
    // Unchanged users keep their stored state: the tenant totals still cover them.
    expect(second.counters['total']).toBeGreaterThan(30);
    expect(await portalUsers()).toEqual(users);
  });

  it('takes directory changes from the users delta and numbers from the Teams side, as a dry run showed', async () => {
    await admin('PATCH', `/users/${demoUserId(4)}`, { displayName: 'Renamed Four' });
    await admin('PATCH', `/users/${demoUserId(2)}`, { phoneNumber: '+442079460202' });
    await admin('DELETE', `/users/${demoUserId(6)}`);
    await admin('POST', '/users', {
      id: 'd3000000-0000-4000-8000-000000000999',
      userPrincipalName: 'new.starter@contoso-demo.onmicrosoft.com',
      displayName: 'New Starter',
      licences: ['ENTERPRISEPREMIUM'],
    });
    const dry = await sync(true);
    const run = await sync();
    expect(run.plan).toEqual(dry.plan);
    expect(run.counters).toMatchObject({ fullRead: 0, added: 1, removed: 1 });
    expect((await byObject(demoUserId(4)))?.displayName).toBe('Renamed Four');
    expect((await byObject(demoUserId(2)))?.phoneNumber).toBe('+442079460202');
    expect((await byObject(demoUserId(6)))?.tenantState).toBe('removed');
    expect(await byObject('d3000000-0000-4000-8000-000000000999')).toMatchObject({
      displayName: 'New Starter',
    });
  });

  it('writes a portal number on a delta sync and does not write it again on the next', async () => {
    const user = (await byObject(demoUserId(14)))!;
    await t.ctx.services.users.update(actor, accountId, user.id, { phoneNumber: '+442079460114' });
    const run = await sync();
    expect(run.counters).toMatchObject({ fullRead: 0, written: 1 });
    const again = await sync();
    expect(again.counters).toMatchObject({ fullRead: 0, written: 0 });
    expect(again.plan).toEqual([]);
  });

  it('merges a partial delta item onto the stored user: {id, displayName} keeps everything else', async () => {
    await admin('PATCH', `/users/${demoUserId(9)}`, { accountEnabled: false });
    const before = await sync();
    const ten = (await byObject(demoUserId(10)))!;
    const disabled = (await byObject(demoUserId(9)))!;
    expect(disabled.tenantState).toBe('disabled');
    await admin('PATCH', `/users/${demoUserId(10)}`, { displayName: 'Renamed Ten' });
    await admin('PATCH', `/users/${demoUserId(9)}`, { displayName: 'Renamed Nine' });
    // A Calling Plan user is never stored: the delta's partial item is read in full, and still excluded.
    await admin('PATCH', `/users/${demoUserId(33)}`, { displayName: 'Renamed Calling Plan' });
    const run = await sync();
    expect(run.counters).toMatchObject({ fullRead: 0, added: 0, updated: 2 });
    expect(run.counters['licensed']).toBe(before.counters['licensed']);
    expect(run.counters['total']).toBe(before.counters['total']);
    const pick = (u: typeof ten) => ({
      email: u.email,
      upn: u.upn,
      usageLocation: u.usageLocation,
      licences: u.licences,
      tenantState: u.tenantState,
      kind: u.kind,
      phoneNumber: u.phoneNumber,
    });
    const tenAfter = (await byObject(demoUserId(10)))!;
    expect(tenAfter.displayName).toBe('Renamed Ten');
    expect(pick(tenAfter)).toEqual(pick(ten));
    expect(tenAfter.licences).toEqual(['ENTERPRISEPREMIUM']);
    const disabledAfter = (await byObject(demoUserId(9)))!;
    expect(disabledAfter.displayName).toBe('Renamed Nine');
    expect(pick(disabledAfter)).toEqual(pick(disabled));
    expect(await byObject(demoUserId(33))).toBeUndefined();
    // Applied once: the next delta sync has nothing to do.
    expect((await sync()).counters).toMatchObject({ fullRead: 0, updated: 0 });
  });

  it('takes a partial licence change and a disabling from the delta', async () => {
    await admin('PATCH', `/users/${demoUserId(11)}`, { licences: [] });
    await admin('PATCH', `/users/${demoUserId(12)}`, { accountEnabled: false });
    const run = await sync();
    expect(run.counters).toMatchObject({ fullRead: 0 });
    expect(await byObject(demoUserId(11))).toMatchObject({ licences: [], usageLocation: 'GB' });
    expect(await byObject(demoUserId(12))).toMatchObject({
      tenantState: 'disabled',
      licences: ['ENTERPRISEPREMIUM'],
    });
  });

  it('clears a sync error once the number it was about is removed in the portal', async () => {
    const user = (await byObject(demoUserId(15)))!;
    await admin('PUT', '/faults', {
      operationFailure: "User lacks appropriate licenses to assign a 'CallingPlan' number",
    });
    await t.ctx.services.users.update(actor, accountId, user.id, { phoneNumber: '+442079460115' });
    const refused = await sync();
    expect(refused.counters).toMatchObject({ fullRead: 0, errors: 1 });
    const withError = await t.ctx.services.users.get(actor, accountId, user.id);
    expect(withError.syncError).toContain('lacks appropriate licenses');
    await admin('DELETE', '/faults');
    await t.ctx.services.users.update(actor, accountId, user.id, { phoneNumber: null });
    const next = await sync();
    expect(next.counters).toMatchObject({ fullRead: 0, errors: 0, written: 0 });
    expect((await t.ctx.services.users.get(actor, accountId, user.id)).syncError).toBeNull();
  });

  it('reads everything again when Microsoft no longer knows the delta position (410 syncStateNotFound)', async () => {
    await admin('PATCH', `/users/${demoUserId(5)}`, { displayName: 'Renamed Five' });
    expect((await admin('POST', '/delta/reset')).status).toBe(204);
    const run = await sync();
    expect(run.counters).toMatchObject({ fullRead: 1, removed: 0 });
    expect(run.log.map((l) => l.message).join('\n')).toMatch(/Reading the whole tenant: .*full re-read/);
    expect((await byObject(demoUserId(5)))?.displayName).toBe('Renamed Five');
    expect((await sync()).counters).toMatchObject({ fullRead: 0 });
  });
});
