import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService, storeUser } from '../../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../../test/support/test-database.js';
import type { TenantUserSnapshot } from '../../domain/sync/sync-plan.js';
import type { DatabaseHandle } from '../../store/database.js';
import { Store } from '../../store/store.js';
import { SyncChangesApplier } from './sync-changes.applier.js';

/**
 * A full sync applies the tenant page by page: a number can move from a user on a later page to a new user on an
 * earlier one. The new user then waits until every page is applied instead of failing the run on the unique index.
 */
describe.each(DIALECTS)('sync changes applied page by page on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
  });
  afterAll(() => handle.drop());

  const tenantUser = (n: number, line: string | null): TenantUserSnapshot => ({
    objectId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    upn: `user${n}@contoso.example`,
    email: `user${n}@contoso.example`,
    displayName: `User ${n}`,
    enabled: true,
    usageLocation: 'GB',
    kind: 'standard',
    licences: [],
    hasTeamsPhone: true,
    hasCallingPlan: false,
    coexistenceMode: 'TeamsOnly',
    line,
  });

  it('adds a new user whose number a later page frees once that page is applied', async () => {
    const { client, service } = await clientWithPbxService(store, 'Moves');
    const [leaver] = await store.repos.users.createMany([
      storeUser(client.id, service.id, 1, {
        objectId: tenantUser(1, null).objectId,
        upn: 'user1@contoso.example',
        email: 'user1@contoso.example',
        displayName: 'User 1',
        tenantState: 'active',
        usageLocation: 'GB',
        coexistenceMode: 'TeamsOnly',
        phoneNumber: '+442079460100',
        numberType: 'ddi',
        syncedLine: '+442079460100',
      }),
    ]);
    const run = await store.repos.syncRuns.create({
      accountId: client.id,
      serviceId: service.id,
      dryRun: false,
      diagnostic: false,
      trigger: 'person',
      startedBy: 'test',
    });
    const said: string[] = [];
    const applier = new SyncChangesApplier(store, run, service, (message) => said.push(message));
    // Page 1: a new user with the number user 1 still holds, and another new user.
    await applier.applyLocal([
      { type: 'add', tenant: tenantUser(2, '+442079460100') },
      { type: 'add', tenant: tenantUser(3, '+442079460103') },
    ]);
    // Page 2: user 1 gives the number up (page 1's new users are added first, user 2 waiting for the end); then
    // the deferred user is added with it.
    await applier.applyLocal([{ type: 'take_number', userId: leaver!.id, from: '+442079460100', to: null }]);
    const beforeTheEnd = await store.repos.users.listPageInAccount(client.id, null, 10);
    expect(beforeTheEnd.map((u) => u.email).sort()).toEqual([
      'user1@contoso.example',
      'user3@contoso.example',
    ]);
    await applier.applyDeferred();
    const users = await store.repos.users.listPageInAccount(client.id, null, 10);
    const byEmail = new Map(users.map((u) => [u.email, u]));
    expect(byEmail.get('user2@contoso.example')?.phoneNumber).toBe('+442079460100');
    expect(byEmail.get('user1@contoso.example')?.phoneNumber).toBeNull();
    expect(byEmail.get('user3@contoso.example')?.phoneNumber).toBe('+442079460103');
  });

  it('fails the run at the end when the clash is still there', async () => {
    const { client, service } = await clientWithPbxService(store, 'Clash');
    const run = await store.repos.syncRuns.create({
      accountId: client.id,
      serviceId: service.id,
      dryRun: false,
      diagnostic: false,
      trigger: 'person',
      startedBy: 'test',
    });
    const applier = new SyncChangesApplier(store, run, service, () => undefined);
    await applier.applyLocal([{ type: 'add', tenant: tenantUser(7, '+442079460107') }]);
    await applier.applyLocal([{ type: 'add', tenant: { ...tenantUser(8, '+442079460107') } }]);
    await expect(applier.applyDeferred()).rejects.toThrow();
  });
});
