import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService, storeUser } from '../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from '../store/database.js';
import { Store } from '../store/store.js';
import { usage } from './licences.service.js';

/**
 * Licence usage is counted in slices of 5,000 users (so a count over a large account never holds the event loop in
 * one SQLite call): the slices must add up to exactly what the account uses, at and across slice boundaries.
 */
describe.each(DIALECTS)('licence usage counted in slices on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
  });
  afterAll(() => handle.drop());

  const user = (accountId: string, serviceId: string, n: number) =>
    storeUser(accountId, serviceId, n, {
      // Every tenth a Phone App user: they use a PBX licence and a Phone App licence.
      kind: n % 10 === 0 ? 'phone_app' : 'standard',
      // Users gone from the tenant never count.
      tenantState: n % 7 === 0 ? 'removed' : 'active',
      // Configured means SIP credentials and registration on: every fourth user has none.
      sipUsername: n % 4 === 0 ? null : `u${n}`,
      sipPasswordEnc: n % 4 === 0 ? null : 'sealed',
      registrationEnabled: n % 9 !== 0,
    });

  async function accountOf(size: number) {
    const { client, service } = await clientWithPbxService(store, `Usage ${size}`);
    for (let start = 0; start < size; start += 1000)
      await store.repos.users.createMany(
        Array.from({ length: Math.min(1000, size - start) }, (_, i) =>
          user(client.id, service.id, start + i),
        ),
      );
    const counted = { pbx: 0, phoneApp: 0 };
    for (let n = 0; n < size; n++) {
      if (n % 7 === 0 || n % 4 === 0 || n % 9 === 0) continue;
      counted.pbx++;
      if (n % 10 === 0) counted.phoneApp++;
    }
    return { accountId: client.id, counted };
  }

  it.each([4_999, 5_000, 12_001])('adds up exactly over %i users', async (size) => {
    const { accountId, counted } = await accountOf(size);
    const used = await usage(store.repos, accountId);
    expect(used.get('pbx_user')).toBe(counted.pbx);
    expect(used.get('phone_app_user')).toBe(counted.phoneApp);
  });

  it('counts nothing for an account without users', async () => {
    const { accountId } = await accountOf(0);
    expect([...(await usage(store.repos, accountId))]).toEqual([]);
  });
});
