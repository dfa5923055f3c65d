import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService, storeUser } from '../../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../../store/database.js';
import { Store } from '../../store/store.js';
import { trunkDirectory } from './trunk-directory.js';

/** Who holds a number that came in on a trunk, on both databases, and never across customers. */
describe.each(DIALECTS)('trunk directory on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;
  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
  });
  afterAll(() => handle.drop());

  async function trunkCustomer(name: string) {
    const { client, service } = await clientWithPbxService(store, name, { kind: 'trunk' });
    await store.repos.numberRanges.create({
      accountId: client.id,
      serviceId: service.id,
      start: '+441235123400',
      end: '+441235123499',
      size: 100,
    });
    await store.repos.users.createMany([
      storeUser(client.id, service.id, 1, { phoneNumber: '+441235123465', callerId: '+441235123400' }),
      storeUser(client.id, service.id, 2, { phoneNumber: '+441235123466', tenantState: 'removed' }),
    ]);
    return { accountId: client.id, serviceId: service.id };
  }

  it('finds the holder within the ranges (whatever their tenant state) and names the range of an unheld number', async () => {
    const { accountId, serviceId } = await trunkCustomer('Contoso');
    const directory = trunkDirectory(handle.db);
    const held = await directory.holderOf(accountId, serviceId, '+441235123465');
    expect(held).toMatchObject({ kind: 'user', number: '+441235123465' });
    expect(await directory.holderOf(accountId, serviceId, '+441235123470')).toEqual({
      kind: 'unassigned',
      range: '+441235123400-+441235123499',
    });
    expect(await directory.holderOf(accountId, serviceId, '+44123512346')).toEqual({ kind: 'outside' });
    expect(await directory.holderOf(accountId, serviceId, '+441235999999')).toEqual({ kind: 'outside' });
    // A removed holder is still the holder: the sip role's refusal rule refuses their calls (call-refusals.test.ts).
    expect(await directory.holderOf(accountId, serviceId, '+441235123466')).toMatchObject({ kind: 'user' });
    if (held.kind !== 'user') throw new Error('held');
    expect(await directory.callerOf(accountId, serviceId, held.userId)).toEqual({
      number: '+441235123465',
      callerId: '+441235123400',
    });
  });

  it("another customer's trunk with the same range never reaches this customer's users", async () => {
    const mine = await trunkCustomer('Fabrikam');
    const theirs = await trunkCustomer('Northwind');
    const directory = trunkDirectory(handle.db);
    const held = await directory.holderOf(theirs.accountId, theirs.serviceId, '+441235123465');
    const mineHeld = await directory.holderOf(mine.accountId, mine.serviceId, '+441235123465');
    expect(held.kind === 'user' && mineHeld.kind === 'user' && held.userId !== mineHeld.userId).toBe(true);
    expect(await directory.holderOf(mine.accountId, theirs.serviceId, '+441235123465')).toEqual({
      kind: 'outside',
    });
    if (held.kind !== 'user') throw new Error('held');
    expect(await directory.callerOf(mine.accountId, theirs.serviceId, held.userId)).toBeUndefined();
  });
});
