import { defaultTeamsSettings } from '../../src/domain/records.js';
import type { Store } from '../../src/store/store.js';
import type { NewVoiceService } from '../../src/store/repositories/services.repository.js';
import type { UserWrite } from '../../src/store/repositories/users.repository.js';

/**
 * A partner, a client beneath it and a UDP PBX service of the client, written straight to the store: the set-up of
 * repository, edge and paging tests that need an account with a service and nothing of the services above.
 * @example const { client, service } = await clientWithPbxService(store, 'Contoso', { sipDomain: 'pbx.contoso.example' });
 */
export async function clientWithPbxService(
  store: Store,
  name: string,
  service: Partial<Omit<NewVoiceService, 'accountId'>> = {},
) {
  const partner = await store.repos.accounts.create({
    parentId: null,
    kind: 'partner',
    name: `Partner ${name}`,
  });
  const client = await store.repos.accounts.create({ parentId: partner.id, kind: 'client', name });
  const created = await store.repos.services.create({
    accountId: client.id,
    kind: 'pbx',
    name: 'PBX',
    pbxType: 'custom',
    location: 'eu-west',
    country: 'GB',
    sipDomain: 'pbx.example',
    proxyHost: null,
    proxyPort: null,
    transport: 'udp',
    registrationExpiry: 3600,
    teams: defaultTeamsSettings,
    syncIntervalMinutes: null,
    ...service,
  });
  return { partner, client, service: created };
}

/**
 * A user to write straight to the store (`users.createMany`): `u<n>@contoso.example`, "User <n>", not synced, no
 * number or SIP credentials, registration on; `fields` sets the rest.
 * @example await store.repos.users.createMany([storeUser(client.id, service.id, 1, { phoneNumber: '+442079460100' })]);
 */
export function storeUser(
  accountId: string,
  serviceId: string,
  n: number,
  fields: Partial<UserWrite & { syncedLine: string | null }> = {},
): UserWrite & { syncedLine: string | null } {
  return {
    accountId,
    serviceId,
    objectId: null,
    upn: null,
    email: `u${n}@contoso.example`,
    displayName: `User ${n}`,
    kind: 'standard',
    tenantState: 'not_synced',
    usageLocation: null,
    coexistenceMode: null,
    licences: [],
    phoneNumber: null,
    extension: null,
    numberType: null,
    sipUsername: null,
    authUsername: null,
    sipPasswordEnc: null,
    registrationEnabled: true,
    registrationState: 'pending',
    registrationDetail: {},
    externalId: null,
    syncedLine: null,
    ...fields,
  };
}
