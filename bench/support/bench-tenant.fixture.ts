/**
 * The account the store benches fill: a client "Contoso" under "Provider" with one UDP PBX service, and the users
 * a sync would have stored for it. Shared by the CSV import, import loop-lag and users-page benches.
 */
import type { Store } from '../../src/store/store.js';
import type { UserWrite } from '../../src/store/repositories/users.repository.js';
import { benchNumberOf } from './csv-import.fixture.js';

/** The partner, its client and the client's PBX service, written straight to the store. */
export async function benchPbxService(store: Store) {
  const partner = await store.repos.accounts.create({ parentId: null, kind: 'partner', name: 'Provider' });
  const client = await store.repos.accounts.create({ parentId: partner.id, kind: 'client', name: 'Contoso' });
  const service = await store.repos.services.create({
    accountId: client.id,
    kind: 'pbx',
    name: 'PBX',
    pbxType: 'custom',
    location: 'default',
    country: 'GB',
    sipDomain: 'pbx.contoso.com',
    proxyHost: null,
    proxyPort: null,
    transport: 'udp',
    registrationExpiry: 3600,
    teams: {
      phoneAppEnabled: false,
      phoneAppConsent: 'not_requested',
      largeTenantMode: false,
      standardGroupIds: [],
      phoneAppGroupId: null,
    },
    syncIntervalMinutes: null,
  });
  return { client, service };
}

/**
 * User `i` of `rows` as a sync stored it: the first half have a DDI (every 10th without one) and, with
 * `sipUsernames`, the SIP username `100000 + i` the import file gives them.
 */
export function syncedBenchUser(
  accountId: string,
  serviceId: string,
  i: number,
  rows: number,
  sipUsernames: boolean,
): UserWrite & { syncedLine: string | null } {
  const configured = i < rows / 2;
  return {
    accountId,
    serviceId,
    objectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    upn: `user${i}@contoso.com`,
    email: `user${i}@contoso.com`,
    displayName: `User ${i}`,
    kind: 'standard',
    tenantState: 'active',
    usageLocation: 'GB',
    coexistenceMode: 'TeamsOnly',
    licences: ['MCOEV'],
    phoneNumber: configured && i % 10 !== 9 ? benchNumberOf(i) : null,
    extension: null,
    numberType: configured && i % 10 !== 9 ? 'ddi' : null,
    sipUsername: configured && sipUsernames ? String(100_000 + i) : null,
    authUsername: null,
    sipPasswordEnc: null,
    registrationEnabled: true,
    registrationState: 'disabled',
    registrationDetail: {},
    externalId: null,
    syncedLine: null,
  };
}
