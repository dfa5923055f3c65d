import { defaultTeamsSettings } from '../../src/domain/records.js';
import type { Store } from '../../src/store/store.js';
import type { NewVoiceService } from '../../src/store/repositories/services.repository.js';

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
