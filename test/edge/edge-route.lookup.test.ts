import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeRouteLookup } from '../../src/edge/edge-route.lookup.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { clientWithPbxService } from '../support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../support/test-database.js';

describe.each(DIALECTS)('edge route lookup on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;
  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
  });
  afterAll(() => handle.drop());

  async function customer(name: string, number: string) {
    const { client, service } = await clientWithPbxService(store, name);
    const user = await store.repos.users.create({
      accountId: client.id,
      serviceId: service.id,
      objectId: null,
      upn: null,
      email: `adele@${name.toLowerCase()}.example`,
      displayName: 'Adele',
      kind: 'standard',
      tenantState: 'not_synced',
      usageLocation: 'GB',
      coexistenceMode: null,
      licences: [],
      phoneNumber: number,
      extension: null,
      numberType: null,
      sipUsername: null,
      authUsername: null,
      sipPasswordEnc: null,
      registrationEnabled: true,
      registrationState: 'pending',
      registrationDetail: {},
      externalId: null,
    });
    return { client, service, user, host: carrierNamesOf(service.id, 'sbc.example.com').domain };
  }

  it("finds account, service and user from the customer's subdomain and number, and nothing across customers", async () => {
    const contoso = await customer('Contoso', '+441235100001');
    const fabrikam = await customer('Fabrikam', '+441235100002');
    const route = storeRouteLookup(handle.db, 'sbc.example.com');
    expect(await route(contoso.host, '+441235100001')).toEqual({
      kind: 'found',
      accountId: contoso.client.id,
      serviceId: contoso.service.id,
      userId: contoso.user.id,
    });
    // Fabrikam's number through Contoso's subdomain: another customer's user is never found.
    expect(await route(contoso.host, fabrikam.user.phoneNumber!)).toEqual({ kind: 'unknown-number' });
    expect(await route('00000000.sbc.example.com', '+441235100001')).toEqual({ kind: 'unknown-host' });
    expect(await route('contoso.other.example', '+441235100001')).toEqual({ kind: 'unknown-host' });
    expect(await route(contoso.host.toUpperCase(), '+441235100001')).toMatchObject({ kind: 'found' });
  });
});
