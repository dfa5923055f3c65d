import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { TENANT_OBJECTS_JOB } from '../../src/services/sync/tenant-objects.service.js';
import { demoTenantAccount, fastClients } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const HOUR = 3_600_000;

/**
 * Issue 14: suspending an account changed nothing. A suspended account (or one beneath a suspended partner) is
 * read-only for everyone, its syncs are neither started nor scheduled nor run, and its imports are refused;
 * reactivation restores all of it.
 */
describe.each(DIALECTS)('a suspended account on %s', (dialect) => {
  let emulator: RunningEmulator;
  let t: TestApp;
  let partnerId: string;
  let accountId: string;
  let serviceId: string;
  let userId: string;
  let clientOwner: string;
  let partnerOwner: string;
  let clock = Date.now();

  const call = (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(typeof payload === 'string' && { 'content-type': 'text/csv' }),
      },
      ...(payload !== undefined && { payload: payload as string }),
    });
  const setStatus = (token: string, id: string, status: 'active' | 'suspended') =>
    call(token, 'PATCH', `/accounts/${id}`, { status });
  const rename = (token: string) =>
    call(token, 'PATCH', `/accounts/${accountId}/users/${userId}`, { displayName: `Anna ${Date.now()}` });
  const startSync = (token: string) =>
    call(token, 'POST', `/accounts/${accountId}/services/${serviceId}/sync`, { dryRun: false });
  const importCsv = (token: string) =>
    call(
      token,
      'POST',
      `/accounts/${accountId}/services/${serviceId}/import?dryRun=true`,
      'email,display_name\nnew@contoso.example,New\n',
    );
  const scheduler = () => t.ctx.createScheduler({ now: () => new Date(clock) });
  const runs = () => t.ctx.services.sync.history(system, accountId, serviceId);

  async function owner(email: string, onAccount: string): Promise<string> {
    await t.ctx.services.administrators.create(system, {
      email,
      password: 'long enough password',
      mustChangePassword: false,
    });
    await t.ctx.services.administrators.grantRole(system, onAccount, email, 'account_owner');
    return (await t.ctx.services.administrators.createToken(system, email, 'test')).token;
  }

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, { microsoftClients: fastClients });
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    accountId = account.id;
    partnerId = account.parentId!;
    serviceId = service.id;
    await t.ctx.store.repos.services.update(accountId, serviceId, { syncIntervalMinutes: 5 });
    await t.ctx.services.subscriptions.create(system, accountId, { sku: 'pbx_user', quantity: 10 });
    userId = (
      await t.ctx.services.users.create(system, accountId, {
        serviceId,
        email: 'anna@contoso.example',
        displayName: 'Anna',
      })
    ).id;
    clientOwner = await owner(`owner-${dialect}@contoso.test`, accountId);
    partnerOwner = await owner(`owner-${dialect}@provider.test`, partnerId);
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it('is suspended by its partner, never by its own administrators, who cannot lift it either', async () => {
    expect((await setStatus(clientOwner, accountId, 'suspended')).statusCode).toBe(403);
    const suspended = await setStatus(partnerOwner, accountId, 'suspended');
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json()).toMatchObject({ status: 'suspended' });
    const lift = await setStatus(clientOwner, accountId, 'active');
    expect(lift.statusCode).toBe(403);
    expect((await call(t.token, 'GET', `/accounts/${accountId}`)).json()).toMatchObject({
      status: 'suspended',
    });
  });

  it('keeps reads and refuses every write, sync and import with account_suspended saying whom to contact', async () => {
    expect((await call(clientOwner, 'GET', `/accounts/${accountId}/users/${userId}`)).statusCode).toBe(200);
    expect((await call(clientOwner, 'GET', `/accounts/${accountId}/services`)).statusCode).toBe(200);
    const roles = await call(clientOwner, 'GET', `/accounts/${accountId}/roles`);
    expect(roles.statusCode).toBe(200);
    expect(roles.json()).toMatchObject({ grantable: [] });
    expect((await call(clientOwner, 'GET', `/accounts/${accountId}/invitations`)).statusCode).toBe(200);
    for (const refused of [
      await rename(clientOwner),
      await startSync(clientOwner),
      await importCsv(clientOwner),
      await call(clientOwner, 'POST', `/accounts/${accountId}/services`, {
        name: 'Second PBX',
        sipDomain: 'pbx2.contoso.example',
        country: 'GB',
      }),
      await call(clientOwner, 'PATCH', `/accounts/${accountId}`, { name: 'Contoso renamed' }),
      // The partner's administrators and platform operators are held to it too: reactivate first.
      await call(clientOwner, 'POST', `/accounts/${accountId}/invitations`, {
        email: 'someone@contoso.test',
        role: 'service_viewer',
      }),
      await rename(partnerOwner),
      await startSync(t.token),
    ]) {
      expect(refused.statusCode).toBe(403);
      const body = refused.json<{ code: string; message: string; details: Record<string, unknown> }>();
      expect(body.code).toBe('account_suspended');
      expect(body.message).toContain('Contoso is suspended');
      expect(body.message).toContain('Provider');
      expect(body.details).toMatchObject({ suspendedAccountId: accountId });
    }
    expect((await call(t.token, 'GET', `/accounts/${accountId}/users/${userId}`)).json()).toMatchObject({
      displayName: 'Anna',
    });
    const access = (await call(clientOwner, 'GET', `/accounts/${accountId}/access`)).json<{
      permissions: string[];
      suspension: { accountId: string; accountName: string; message: string } | null;
    }>();
    expect(access.permissions).toContain('service.read');
    expect(access.permissions).not.toContain('service.write');
    expect(access.permissions).not.toContain('sync.run');
    expect(access.suspension).toMatchObject({ accountId, accountName: 'Contoso' });
    expect(access.suspension?.message).toContain('This account is suspended');
  });

  it('is not scheduled, and a sync queued before the suspension fails with the reason', async () => {
    clock = Date.now() + HOUR;
    expect(await scheduler().tick()).toBe(0);
    expect(await runs()).toEqual([]);

    expect((await setStatus(partnerOwner, accountId, 'active')).statusCode).toBe(200);
    const { run } = await t.ctx.services.sync.start(system, accountId, serviceId);
    const { job: retry } = await t.ctx.store.repos.jobs.enqueue({
      kind: TENANT_OBJECTS_JOB,
      accountId,
      payload: { serviceId },
      dedupeKey: `${TENANT_OBJECTS_JOB}:${serviceId}`,
    });
    expect((await setStatus(partnerOwner, accountId, 'suspended')).statusCode).toBe(200);
    await t.ctx.createWorker().drain();
    expect((await t.ctx.store.repos.jobs.findById(retry.id))?.result).toEqual({
      skipped: 'account suspended',
    });
    expect(await t.ctx.store.repos.tenantObjects.listByService(accountId, serviceId)).toEqual([]);
    const failed = await t.ctx.services.sync.getRun(system, accountId, run.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('Contoso is suspended');
    expect(await t.ctx.store.repos.syncCursors.find(accountId, serviceId)).toBeUndefined();
  });

  it('is suspended in effect beneath a suspended partner, until the operator reactivates the partner', async () => {
    expect((await setStatus(partnerOwner, accountId, 'active')).statusCode).toBe(200);
    expect((await setStatus(partnerOwner, partnerId, 'suspended')).statusCode).toBe(403);
    expect((await setStatus(t.token, partnerId, 'suspended')).statusCode).toBe(200);
    const refused = await rename(clientOwner);
    expect(refused.json()).toMatchObject({
      code: 'account_suspended',
      details: { suspendedAccountId: partnerId },
    });
    expect((await setStatus(partnerOwner, accountId, 'suspended')).json()).toMatchObject({
      code: 'account_suspended',
    });
    clock = Date.now() + 2 * HOUR;
    expect(await scheduler().tick()).toBe(0);
    expect((await setStatus(t.token, partnerId, 'active')).statusCode).toBe(200);
  });

  it('works again once reactivated: changes, syncs (also scheduled) and imports', async () => {
    expect((await rename(clientOwner)).statusCode).toBe(200);
    expect((await importCsv(clientOwner)).statusCode).toBe(200);
    expect((await startSync(clientOwner)).statusCode).toBe(202);
    await t.ctx.createWorker().drain();
    expect((await runs())[0]!.state).toMatch(/succeeded|warning/);
    clock = Date.now() + 3 * HOUR;
    expect(await scheduler().tick()).toBe(1);
    const access = (await call(clientOwner, 'GET', `/accounts/${accountId}/access`)).json<{
      permissions: string[];
      suspension: unknown;
    }>();
    expect(access.permissions).toContain('service.write');
    expect(access.suspension).toBeNull();
  });
});
