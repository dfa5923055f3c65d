import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_TENANT_DOMAIN,
  DEMO_TENANT_ID,
  demoSeed,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { standardSkus } from '../../src/emulator/sku.catalog.js';
import type { SeedFileInput } from '../../src/emulator/seed.schema.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const USERS = 1_000;
const actor = { type: 'system', id: null, label: 'test', source: 'api' } as const;
const pad = (i: number) => String(i).padStart(4, '0');
/** Before the import (in the tenant, taken by the first sync), after it, and set by hand afterwards. */
const before = (i: number) => `+44207000${pad(i)}`;
const imported = (i: number) => `+44207100${pad(i)}`;
const byHand = (i: number) => `+44207200${pad(i)}`;
const userId = (i: number) => `d4000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** A tenant of 1,000 Teams Phone users, each with a Direct Routing number. */
function seed(): SeedFileInput {
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: userId(i),
    userPrincipalName: `user${i}@${DEMO_TENANT_DOMAIN}`,
    displayName: `User ${i}`,
    usageLocation: 'GB',
    licences: ['ENTERPRISEPREMIUM'],
    enterpriseVoice: true,
    phoneNumber: before(i),
  }));
  return {
    apps: demoSeed().apps,
    tenants: [
      {
        id: DEMO_TENANT_ID,
        domain: DEMO_TENANT_DOMAIN,
        consentedApps: [DEMO_CLIENT_ID],
        skus: standardSkus(USERS),
        users,
      },
    ],
  };
}

describe('rolling back an applied CSV import and a sync run, against the emulator', () => {
  let emulator: RunningEmulator;
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  let importId: string;
  const tenantNumberOf = (i: number) =>
    emulator.tenants
      .get(DEMO_TENANT_ID)!
      .telephony.numbersOf(userId(i))
      .map((n) => n.telephoneNumber)[0];
  const operationsFor = (numbers: Set<string>) =>
    [...emulator.tenants.get(DEMO_TENANT_ID)!.telephony.operations.values()].filter((o) =>
      numbers.has(o.telephoneNumber),
    ).length;
  const portalUsers = async () =>
    new Map((await t.ctx.store.repos.users.listForSync(accountId, serviceId)).map((u) => [u.email, u]));

  beforeAll(async () => {
    emulator = await startEmulator({ seed: seed() });
    t = await createTestApp('sqlite', { microsoftClients: fastClients });
    ({
      account: { id: accountId },
      service: { id: serviceId },
    } = await demoTenantAccount(t.ctx, emulator));
    expect((await syncToEnd(t.ctx, accountId, serviceId)).counters).toMatchObject({ added: USERS });
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('imports 1,000 numbers and writes them to the tenant', async () => {
    const csv = [
      'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
      ...Array.from(
        { length: USERS },
        (_, i) => `,User ${i},user${i}@${DEMO_TENANT_DOMAIN},${imported(i)},,,`,
      ),
    ].join('\n');
    const result = await t.ctx.services.userImport.import(actor, accountId, serviceId, csv, {
      dryRun: false,
    });
    expect(result.plan.ok).toBe(true);
    expect(result.applied).toBe(true);
    importId = result.importId!;
    expect(await t.ctx.services.rollback.listImports(actor, accountId)).toEqual([
      expect.objectContaining({ id: importId, users: USERS }),
    ]);
    expect((await syncToEnd(t.ctx, accountId, serviceId)).counters).toMatchObject({ written: USERS });
    expect(tenantNumberOf(7)).toBe(imported(7));
  }, 120_000);

  it('plans the rollback (dry run): 990 restored with one tenant write each, 10 changed by hand are conflicts', async () => {
    const users = await portalUsers();
    for (let i = 0; i < 10; i++)
      await t.ctx.services.users.update(actor, accountId, users.get(`user${i}@${DEMO_TENANT_DOMAIN}`)!.id, {
        phoneNumber: byHand(i),
      });
    const plan = await t.ctx.services.rollback.rollbackImport(actor, accountId, importId, { dryRun: true });
    expect(plan).toMatchObject({ dryRun: true, rollbackId: null, syncRunId: null });
    expect(plan.plan.counters).toEqual({
      restored: 990,
      conflicts: 10,
      unchanged: 0,
      tenantWrites: 990,
      missing: 0,
    });
    const conflict = plan.plan.users.find((u) => u.email === `user3@${DEMO_TENANT_DOMAIN}`);
    expect(conflict).toMatchObject({
      action: 'conflict',
      changed: [{ field: 'phoneNumber', operation: imported(3), now: byHand(3) }],
    });
    const restore = plan.plan.users.find((u) => u.email === `user42@${DEMO_TENANT_DOMAIN}`);
    expect(restore).toMatchObject({
      action: 'restore',
      portal: [{ field: 'phoneNumber', now: imported(42), restored: before(42) }],
      tenant: { from: imported(42), to: before(42) },
    });
    // Nothing changed yet.
    expect((await portalUsers()).get(`user42@${DEMO_TENANT_DOMAIN}`)?.phoneNumber).toBe(imported(42));
  });

  it('applies it: 990 restored in the portal and in the tenant (one write each), 10 left alone, audited as rollback', async () => {
    const restoredNumbers = new Set(Array.from({ length: USERS - 10 }, (_, k) => before(k + 10)));
    expect(operationsFor(restoredNumbers)).toBe(0);
    const result = await t.ctx.services.rollback.rollbackImport(actor, accountId, importId, {
      dryRun: false,
    });
    expect(result.plan.counters).toMatchObject({ restored: 990, conflicts: 10 });
    expect(result.syncRunId).toEqual(expect.any(String));
    await t.ctx.createWorker().drain();
    const run = await t.ctx.services.sync.getRun(actor, accountId, result.syncRunId!);
    expect(run.state).toBe('succeeded');
    const users = await portalUsers();
    for (const i of [10, 42, 999]) {
      expect(users.get(`user${i}@${DEMO_TENANT_DOMAIN}`)?.phoneNumber).toBe(before(i));
      expect(tenantNumberOf(i)).toBe(before(i));
    }
    for (const i of [0, 3, 9]) {
      expect(users.get(`user${i}@${DEMO_TENANT_DOMAIN}`)?.phoneNumber).toBe(byHand(i));
      expect(tenantNumberOf(i)).toBe(byHand(i));
    }
    expect(operationsFor(restoredNumbers)).toBe(990);
    const audit = await t.ctx.store.repos.audit.listBatch(accountId, result.rollbackId!);
    expect(audit).toHaveLength(990);
    expect(audit.every((e) => e.actor.source === 'rollback' && e.action === 'user.rollback')).toBe(true);
    // Rolling back again finds nothing left to restore.
    const again = await t.ctx.services.rollback.rollbackImport(actor, accountId, importId, { dryRun: true });
    expect(again.plan.counters).toMatchObject({ restored: 0, unchanged: 990, conflicts: 10 });
  }, 120_000);

  it('rolls back a sync run that wrote a number: portal and tenant go back to the number before it', async () => {
    const users = await portalUsers();
    const user = users.get(`user500@${DEMO_TENANT_DOMAIN}`)!;
    await t.ctx.services.users.update(actor, accountId, user.id, { phoneNumber: byHand(500) });
    const run = await syncToEnd(t.ctx, accountId, serviceId);
    expect(run.counters).toMatchObject({ written: 1 });
    expect(tenantNumberOf(500)).toBe(byHand(500));
    const plan = await t.ctx.services.rollback.rollbackSyncRun(actor, accountId, run.id, { dryRun: true });
    expect(plan.plan.users).toEqual([
      {
        userId: user.id,
        email: user.email,
        action: 'restore',
        portal: [{ field: 'phoneNumber', now: byHand(500), restored: before(500) }],
        tenant: { from: byHand(500), to: before(500) },
      },
    ]);
    const applied = await t.ctx.services.rollback.rollbackSyncRun(actor, accountId, run.id, {
      dryRun: false,
    });
    await t.ctx.createWorker().drain();
    expect((await t.ctx.services.sync.getRun(actor, accountId, applied.syncRunId!)).counters).toMatchObject({
      written: 1,
    });
    expect(tenantNumberOf(500)).toBe(before(500));
    expect((await portalUsers()).get(user.email)?.phoneNumber).toBe(before(500));
  }, 60_000);
});
