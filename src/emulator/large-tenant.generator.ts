import type { SeedSku, SeedTenantInput, SeedUser } from './seed.schema.js';
import { standardSkus } from './sku.catalog.js';

/** A deterministic GUID-shaped id for synthetic user `index` (readable back by {@link syntheticIndexOf}). */
export function syntheticUserId(index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `5e000000-0000-4000-8000-${hex}`;
}

/** The index of a synthetic user id, or undefined for other ids. */
export function syntheticIndexOf(id: string): number | undefined {
  const match = /^5e000000-0000-4000-8000-([0-9a-f]{12})$/.exec(id);
  return match ? parseInt(match[1]!, 16) : undefined;
}

const firstNames = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eva', 'Finn', 'Gia', 'Hugo', 'Iris', 'Jon', 'Kai', 'Lena'];
const lastNames = ['Adams', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fox', 'Gupta', 'Hill', 'Ito', 'Jones', 'Khan'];

/**
 * Users of a large tenant, produced one at a time (a generator: nothing is built for users not yet asked for).
 * The mix by index: 60% E5 (Teams Phone), 20% E3 (Teams only: Phone App candidates), 5% E3 + Calling Plan,
 * 5% E3 + Teams Phone add-on, 5% resource accounts, 5% unlicensed; every 10th user disabled; 40% hold a
 * Direct Routing number; 5% in Islands mode.
 * @example for (const user of syntheticUsers(100_000, 'big.onmicrosoft.com', skus)) tenant.addUser(user);
 */
export function* syntheticUsers(count: number, domain: string, skus: readonly SeedSku[] = standardSkus()) {
  const known = new Set(skus.map((s) => s.skuPartNumber));
  const licence = (...names: string[]) => names.filter((n) => known.has(n));
  const e5 = licence('ENTERPRISEPREMIUM');
  const e3 = licence('SPE_E3');
  const calling = licence('SPE_E3', 'MCOPSTN1');
  const addOn = licence('SPE_E3', 'MCOEV');
  const resource = licence('PHONESYSTEM_VIRTUALUSER');
  for (let i = 0; i < count; i++) {
    const bucket = i % 20;
    const first = firstNames[i % firstNames.length]!;
    const last = lastNames[Math.floor(i / firstNames.length) % lastNames.length]!;
    const isResource = bucket === 18;
    const licences =
      bucket < 12
        ? e5
        : bucket < 16
          ? e3
          : bucket === 16
            ? calling
            : bucket === 17
              ? addOn
              : isResource
                ? resource
                : [];
    const hasNumber = (bucket < 12 && i % 3 !== 0) || bucket === 17 || isResource;
    const user: SeedUser = {
      id: syntheticUserId(i),
      userPrincipalName: `${isResource ? 'ra' : 'user'}${i}@${domain}`,
      displayName: isResource ? `Resource ${i}` : `${first} ${last} ${i}`,
      mail: `${isResource ? 'ra' : 'user'}${i}@${domain}`,
      accountEnabled: i % 10 !== 9,
      usageLocation: 'US',
      licences,
      accountType: isResource ? 'resourceAccount' : 'user',
      coexistenceMode: i % 20 === 13 ? 'Islands' : null,
      enterpriseVoice: hasNumber,
      phoneNumber: hasNumber
        ? `+1206${String(1_000_000 + i)
            .padStart(7, '0')
            .slice(-7)}`
        : null,
      numberType: 'directRouting',
      voiceRoutingPolicy: hasNumber ? 'Callbridge' : null,
      directoryRoles: [],
      contacts: [],
    };
    yield user;
  }
}

/** A seed for a generated tenant of `count` users (its users are produced when the emulator loads it). */
export function largeTenantSeed(count: number, tenantId: string, consentedApps: string[]): SeedTenantInput {
  return {
    id: tenantId,
    domain: `large${count}-${tenantId.slice(-6)}.onmicrosoft.com`,
    displayName: `Large tenant (${count} users)`,
    consentedApps,
    skus: standardSkus(count),
    generateUsers: count,
    tenantCoexistenceMode: 'TeamsOnly',
    federation: { allowFederatedUsers: true, allowedDomains: 'allKnown' },
    pstnUsages: ['Callbridge'],
    voiceRoutingPolicies: [{ identity: 'Callbridge', onlinePstnUsages: ['Callbridge'] }],
  };
}

/** A deterministic tenant id for generated tenant `n`. */
export function generatedTenantId(n: number): string {
  return `7e000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}
