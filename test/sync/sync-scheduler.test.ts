import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, fastClients } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const actor = { type: 'system', id: null, label: 'test', source: 'api' } as const;
const MINUTE = 60_000;

describe.each(DIALECTS)('scheduled syncs on %s', (dialect) => {
  let emulator: RunningEmulator;
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  let unscheduledId: string;
  let clock = Date.now();
  const scheduler = () => t.ctx.createScheduler({ now: () => new Date(clock) });
  const runs = (id = serviceId) => t.ctx.services.sync.history(actor, accountId, id);

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, { microsoftClients: fastClients });
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    accountId = account.id;
    serviceId = service.id;
    await t.ctx.store.repos.services.update(accountId, serviceId, { syncIntervalMinutes: 5 });
    unscheduledId = (
      await t.ctx.services.voiceServices.create(actor, accountId, {
        name: 'Trunk without schedule',
        sipDomain: 'trunk.contoso.example',
        country: 'GB',
      })
    ).id;
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('queues one scheduled sync of a never-synced service, even when two workers tick at once', async () => {
    const [a, b] = await Promise.all([scheduler().tick(), scheduler().tick()]);
    expect(a + b).toBe(1);
    const queued = await runs();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ trigger: 'schedule', state: 'queued', startedBy: 'schedule' });
    expect(await scheduler().tick()).toBe(0);
    expect(await runs(unscheduledId)).toEqual([]);
  });

  it('runs the scheduled sync and queues the next only once the interval has passed', async () => {
    await t.ctx.createWorker().drain();
    expect((await runs())[0]!.state).toMatch(/succeeded|warning/);
    clock = Date.now() + 4 * MINUTE;
    expect(await scheduler().tick()).toBe(0);
    clock = Date.now() + 5 * MINUTE + 1_000;
    expect(await scheduler().tick()).toBe(1);
    expect((await runs()).map((r) => r.trigger)).toEqual(['schedule', 'schedule']);
  });

  it('a scheduled sync joins a sync a person already queued', async () => {
    await t.ctx.createWorker().drain();
    const { run } = await t.ctx.services.sync.start(actor, accountId, serviceId);
    clock = Date.now() + 60 * MINUTE;
    expect(await scheduler().tick()).toBe(0);
    expect((await runs())[0]).toMatchObject({ id: run.id, trigger: 'person' });
    await t.ctx.createWorker().drain();
  });
});
