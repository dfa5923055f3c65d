import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService, storeUser } from '../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../test/support/test-database.js';
import { trunkUsersForSystem } from '../calls/trunk/trunk-directory.js';
import type { DatabaseHandle } from '../store/database.js';
import { Store } from '../store/store.js';
import { callRefusals, type CallableUser } from './call-refusals.js';

const DAY = 86_400_000;

/**
 * The sip role's one refusal rule over PBX and trunk users alike (issue 19), on both databases: trunk users need a
 * trunk user licence (the newest lose it first, a trial over past its grace holds none), a suspended account or a
 * user disabled in the tenant is refused, and PBX licences do not cover trunk users.
 */
describe.each(DIALECTS)('call refusals on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;
  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
  });
  afterAll(() => handle.drop());

  /** A customer with a trunk service and a PBX service; `trunkUsers` users holding trunk numbers. */
  async function customer(name: string, trunkUsers: number) {
    const { client, service } = await clientWithPbxService(store, name, { kind: 'trunk', name: 'Trunk' });
    const pbx = await store.repos.services.create({
      ...service,
      accountId: client.id,
      kind: 'pbx',
      name: 'PBX',
    });
    const users = await store.repos.users.createMany(
      Array.from({ length: trunkUsers }, (_, i) =>
        storeUser(client.id, service.id, i + 1, {
          email: `${name}-${i}@contoso.example`,
          phoneNumber: `+4412351234${String(i).padStart(2, '0')}`,
        }),
      ),
    );
    return { accountId: client.id, serviceId: service.id, pbxId: pbx.id, users };
  }

  async function judge(accountId: string): Promise<{ users: CallableUser[]; why: Map<string, string> }> {
    const users = (await trunkUsersForSystem(handle.db))
      .filter((u) => u.accountId === accountId)
      .map((u) => ({ ...u, serviceKind: 'trunk' as const, registrationEnabled: true }));
    return { users, why: await callRefusals(store, users) };
  }

  it('a trunk user without a trunk user licence is refused, with why; PBX licences do not cover trunk users', async () => {
    const { accountId, users } = await customer('NoTrunkLicence', 1);
    await store.repos.subscriptions.create({
      accountId,
      sku: 'pbx_user',
      trial: false,
      quantity: 10,
      trialEndsAt: null,
    });
    const { why } = await judge(accountId);
    expect(why.get(users[0]!.id)).toBe(
      'No trunk user licence is free for this user: the account holds 0 trunk user. Ask your licensing provider for more.',
    );
  });

  it('with one trunk licence and two trunk users, the user configured last is refused; a live trial covers', async () => {
    const { accountId } = await customer('OneLicence', 2);
    await store.repos.subscriptions.create({
      accountId,
      sku: 'trunk_user',
      trial: true,
      quantity: 1,
      trialEndsAt: new Date(Date.now() + 10 * DAY).toISOString(),
    });
    const { users, why } = await judge(accountId);
    const [first, last] = [...users].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    );
    expect(why.has(first!.id)).toBe(false);
    expect(why.get(last!.id)).toContain('No trunk user licence is free for this user');
  });

  it('a trial over past its 14 days of grace holds nothing: every trunk user is refused', async () => {
    const { accountId, users } = await customer('TrialOver', 1);
    await store.repos.subscriptions.create({
      accountId,
      sku: 'trunk_user',
      trial: true,
      quantity: 5,
      trialEndsAt: new Date(Date.now() - 15 * DAY).toISOString(),
    });
    expect((await judge(accountId)).why.get(users[0]!.id)).toContain('the account holds 0 trunk user');
  });

  it('a suspended account, and a trunk user disabled in the tenant, are refused whatever the licences', async () => {
    const { accountId, serviceId, users } = await customer('Suspended', 1);
    await store.repos.subscriptions.create({
      accountId,
      sku: 'trunk_user',
      trial: false,
      quantity: 5,
      trialEndsAt: null,
    });
    const [disabled] = await store.repos.users.createMany([
      storeUser(accountId, serviceId, 9, {
        email: 'off@contoso.example',
        phoneNumber: '+441235123499',
        tenantState: 'disabled',
      }),
    ]);
    const before = await judge(accountId);
    expect(before.why.has(users[0]!.id)).toBe(false);
    expect(before.why.get(disabled!.id)).toBe('The user is disabled in the Microsoft 365 tenant.');
    await store.repos.accounts.update(accountId, { status: 'suspended' });
    expect((await judge(accountId)).why.get(users[0]!.id)).toBe('account suspended');
  });

  it('only users of trunk services holding a number are trunk users', async () => {
    const { accountId, serviceId, pbxId, users } = await customer('Kinds', 1);
    await store.repos.users.createMany([
      storeUser(accountId, serviceId, 20, { email: 'nonumber@contoso.example' }),
      storeUser(accountId, pbxId, 21, { email: 'pbx@contoso.example', phoneNumber: '+441235123488' }),
    ]);
    expect((await judge(accountId)).users.map((u) => u.id)).toEqual([users[0]!.id]);
  });
});
