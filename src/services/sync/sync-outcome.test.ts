import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService } from '../../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../../test/support/test-database.js';
import { emptyCounters, type SyncChange } from '../../domain/sync/sync-plan.js';
import type { DatabaseHandle } from '../../store/database.js';
import { Store } from '../../store/store.js';
import { KeptPlan } from './sync-outcome.js';

/**
 * A large run's plan is handed to the store in parts as it is planned (never held whole); the run's details read
 * it back whole, in order.
 */
describe.each(DIALECTS)('a sync plan kept in parts on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
  });
  afterAll(() => handle.drop());

  async function newRun(name: string) {
    const { client, service } = await clientWithPbxService(store, name);
    const run = await store.repos.syncRuns.create({
      accountId: client.id,
      serviceId: service.id,
      dryRun: true,
      diagnostic: false,
      trigger: 'person',
      startedBy: 'test',
    });
    const plan = new KeptPlan(emptyCounters(), (seq, json) =>
      store.repos.syncRuns.appendPlanPart(run.id, seq, json),
    );
    return { run, plan };
  }

  const add = (n: number): SyncChange => ({
    type: 'add',
    tenant: {
      objectId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      upn: `user${n}@contoso.example`,
      email: `user${n}@contoso.example`,
      displayName: `User ${n}`,
      enabled: true,
      usageLocation: 'GB',
      kind: 'standard',
      licences: ['MCOEV'],
      hasTeamsPhone: true,
      hasCallingPlan: false,
      coexistenceMode: 'TeamsOnly',
      line: `+4420794${String(n).padStart(5, '0')}`,
    },
  });

  it('reads back every change of 12,000 new users, in order, from several parts', async () => {
    const { run, plan } = await newRun('Big plan');
    for (let page = 0; page < 12; page++)
      await plan.add(Array.from({ length: 1_000 }, (_, i) => add(page * 1_000 + i)));
    await plan.flush();
    const parts = await handle.db
      .selectFrom('sync_run_plan_parts')
      .select('seq')
      .where('run_id', '=', run.id)
      .execute();
    expect(parts.length).toBeGreaterThan(1);
    const details = await store.repos.syncRuns.findDetails(run.accountId, run.id);
    const changes = details!.plan as { type: string; tenant: { email: string; line: string } }[];
    expect(changes).toHaveLength(12_000);
    expect(changes.map((c) => c.tenant.email)).toEqual(
      Array.from({ length: 12_000 }, (_, n) => `user${n}@contoso.example`),
    );
    // Kept by who they are and their number, not with every field read from the tenant.
    expect(changes[11_999]).toEqual({
      type: 'add',
      tenant: {
        objectId: '00000000-0000-4000-8000-000000011999',
        displayName: 'User 11999',
        email: 'user11999@contoso.example',
        upn: 'user11999@contoso.example',
        kind: 'standard',
        line: '+442079411999',
      },
    });
  });

  it('keeps an empty plan as an empty list, and a run that starts over keeps only its new plan', async () => {
    const { run, plan } = await newRun('Empty plan');
    await plan.add([add(1)]);
    await plan.flush();
    await store.repos.syncRuns.clearPlanParts(run.id);
    const again = new KeptPlan(emptyCounters(), (seq, json) =>
      store.repos.syncRuns.appendPlanPart(run.id, seq, json),
    );
    await again.flush();
    expect((await store.repos.syncRuns.findDetails(run.accountId, run.id))!.plan).toEqual([]);
  });
});
