import type { SeedFileInput, SeedUserInput } from './seed.schema.js';
import { standardSkus } from './sku.catalog.js';

/** The demo's app registration, known to the emulator's token endpoint. */
export const DEMO_CLIENT_ID = 'cb0a0000-0000-4000-8000-00000000c0de';
export const DEMO_CLIENT_SECRET = 'callbridge-demo-secret-not-for-production';
/** The demo customer tenant (consent already given). */
export const DEMO_TENANT_ID = 'c0ffee00-0000-4000-8000-000000000001';
export const DEMO_TENANT_DOMAIN = 'contoso-demo.onmicrosoft.com';
/** A second tenant that has not consented yet (to walk through the consent flow). */
/** The demo tenant's Global Administrator (may grant tenant-wide consent) and an ordinary user who may not. */
export const DEMO_ADMIN_UPN = 'megan.bowen@contoso-demo.onmicrosoft.com';
export const DEMO_USER_UPN = 'adele.vance@contoso-demo.onmicrosoft.com';
/** The Global Administrator of the second, not consented tenant (Fabrikam). */
export const DEMO_OTHER_ADMIN_UPN = 'ana@fabrikam-demo.onmicrosoft.com';
/** Entra ID role template id of the Global Administrator (as the `wids` claim lists it). */
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
export const DEMO_UNCONSENTED_TENANT_ID = 'c0ffee00-0000-4000-8000-000000000002';
/** The Phone App's multi-tenant application, consented per customer by "Authorize Phone App for my Organization". */
export const DEMO_PHONE_APP_CLIENT_ID = 'cb0a0000-0000-4000-8000-0000000a7711';
/** The Phone App application's secret in the demo (the Phone App tab's on-behalf-of exchange needs one). */
export const DEMO_PHONE_APP_CLIENT_SECRET = 'callbridge-phone-app-demo-secret-not-for-production';
/** The Phone App in the Teams app catalog (what the sync installs for each Phone App user). */
export const DEMO_PHONE_APP_TEAMS_APP_ID = 'cb0a0000-0000-4000-8000-0000000a7712';
/** The Phone App's federation domain, on the demo tenant's external-access allow-list. */
export const DEMO_PHONE_APP_DOMAIN = 'phoneapp.callbridge.example';
/** Large Tenant Mode groups of the demo tenant. */
export const DEMO_GROUPS = {
  standardUsers: '9a000000-0000-4000-8000-000000000001',
  sales: '9a000000-0000-4000-8000-000000000002',
  salesEmea: '9a000000-0000-4000-8000-000000000003',
  phoneAppUsers: '9a000000-0000-4000-8000-000000000004',
} as const;

const names = [
  'Adele Vance',
  'Alex Wilber',
  'Diego Siciliani',
  'Grady Archie',
  'Henrietta Mueller',
  'Isaiah Langer',
  'Johanna Lorenz',
  'Joni Sherman',
  'Lee Gu',
  'Lidia Holloway',
  'Lynne Robbins',
  'Megan Bowen',
  'Miriam Graham',
  'Nestor Wilke',
  'Patti Fernandez',
  'Pradeep Gupta',
  'Allan Deyoung',
  'Christie Cline',
  'Debra Berger',
  'Emily Braun',
  'Enrico Cattaneo',
  'Irvin Sayers',
  'Jason Tran',
  'Kari Lovell',
  'Lara Silva',
  'Marta Ruiz',
  'Nora Keane',
  'Omar Haddad',
  'Priya Nair',
  'Quentin Blake',
  'Rosa Moreno',
  'Sam Okafor',
  'Tara Singh',
  'Uma Patel',
  'Main Reception',
  'Support Line',
  'Sales Queue',
  'Victor Ames',
  'Wendy Zhou',
  'Xavier Dupont',
  'Yara Costa',
  'Zoe Lambert',
  'Ben Carter',
  'Cara Dunn',
  'Dev Mehta',
  'Elsa Berg',
  'Femi Ade',
  'Gita Rao',
  'Guest Auditor',
  'Guest Vendor',
];

/** A deterministic id for demo user `n` (1-based). */
export function demoUserId(n: number): string {
  return `d3000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function upnOf(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@${DEMO_TENANT_DOMAIN}`;
}

/** What each demo user is for; the comments are the rules they exercise. */
function demoUser(n: number): SeedUserInput {
  const name = names[n - 1]!;
  const base: SeedUserInput = {
    id: demoUserId(n),
    userPrincipalName: upnOf(name),
    displayName: name,
    usageLocation: 'GB',
    ...(upnOf(name) === DEMO_ADMIN_UPN && { directoryRoles: [GLOBAL_ADMINISTRATOR] }),
  };
  const ddi = `+4420794600${String(n).padStart(2, '0')}`;
  if (n <= 10)
    return {
      ...base,
      licences: ['ENTERPRISEPREMIUM'],
      phoneNumber: ddi,
      enterpriseVoice: true,
      voiceRoutingPolicy: 'Callbridge',
    }; // Teams Phone, with number
  if (n <= 12) return { ...base, licences: ['ENTERPRISEPREMIUM'] }; // Teams Phone, no number yet
  if (n <= 18) return { ...base, licences: ['SPE_E3', 'MCOEV'] }; // Teams Phone add-on, no number
  if (n <= 26) return { ...base, licences: ['SPE_E3'], contacts: demoContacts(n) }; // Teams without Teams Phone: Phone App candidates
  if (n <= 28) return { ...base, licences: ['SPE_E3'], coexistenceMode: 'Islands' }; // Phone App candidate in Islands: flagged
  if (n <= 31) return { ...base, licences: ['ENTERPRISEPREMIUM'], coexistenceMode: 'Islands' }; // Islands: not Direct Routing ready
  if (n === 32) return { ...base, licences: ['ENTERPRISEPREMIUM'], coexistenceMode: 'SfBWithTeamsCollab' };
  if (n <= 34) {
    // Calling Plan users are excluded from Direct Routing.
    return {
      ...base,
      licences: ['SPE_E3', 'MCOPSTN1', 'MCOEV'],
      phoneNumber: `+4420794601${n}`,
      numberType: 'callingPlan',
      enterpriseVoice: true,
    };
  }
  if (n <= 37) {
    // Resource accounts (auto attendant / call queue); two hold numbers.
    const ra: SeedUserInput = {
      ...base,
      accountType: 'resourceAccount',
      licences: ['PHONESYSTEM_VIRTUALUSER'],
    };
    return n <= 36 ? { ...ra, phoneNumber: `+4420794609${n}`, enterpriseVoice: true } : ra;
  }
  if (n === 38)
    return {
      ...base,
      licences: ['ENTERPRISEPREMIUM'],
      accountEnabled: false,
      phoneNumber: ddi,
      enterpriseVoice: true,
    }; // disabled, still holds a number
  if (n <= 40) return { ...base, licences: ['ENTERPRISEPREMIUM'], accountEnabled: false };
  if (n <= 44) return { ...base, licences: [] }; // unlicensed
  if (n <= 48) return { ...base, licences: ['ENTERPRISEPREMIUM'] }; // members of the nested group only
  return {
    ...base,
    accountType: 'guest',
    userPrincipalName: `guest${n}_fabrikam.com#EXT#@${DEMO_TENANT_DOMAIN}`,
    licences: [],
  };
}

/**
 * Outlook contacts of the first two Phone App users (Graph's contact shape): numbers as people type them
 * (national, international, with spaces), a contact with only an e-mail address, one abroad.
 */
function demoContacts(n: number): SeedUserInput['contacts'] {
  const contact = (
    id: number,
    displayName: string,
    phones: Partial<{ business: string[]; mobile: string; home: string[] }>,
    email?: string,
  ) => ({
    id: `AAMkAGI2TGuLAAA-contact-${n}-${id}`,
    displayName,
    givenName: displayName.split(' ')[0] ?? null,
    surname: displayName.split(' ').slice(1).join(' ') || null,
    businessPhones: phones.business ?? [],
    mobilePhone: phones.mobile ?? null,
    homePhones: phones.home ?? [],
    emailAddresses: email ? [{ name: displayName, address: email }] : [],
  });
  if (n === 19)
    return [
      contact(1, 'Pat Jones (plumber)', { mobile: '07700 900123' }),
      contact(2, 'Acme Supplies', { business: ['020 7946 0999', '+44 161 496 0000'] }, 'orders@acme.example'),
      contact(3, 'Mum', { home: ['01632 960001'], mobile: '+44 7700 900456' }),
      contact(4, 'Seattle Office', { business: ['+1 206 555 0100'] }),
      contact(5, 'Newsletter', {}, 'news@example.org'),
    ];
  if (n === 20) return [contact(1, 'Chris Private', { mobile: '07700 900777' })];
  return [];
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => demoUserId(from + i));

/**
 * The demo seed: ~50 users covering every rule (Teams Only and Islands, with and without Teams Phone, a Calling
 * Plan, resource accounts, numbers or none, disabled and unlicensed users, guests), Large Tenant Mode groups
 * with a nested group, external access on with an allow-list, and a second tenant that has not consented.
 */
export function demoSeed(): SeedFileInput {
  return {
    apps: [
      {
        clientId: DEMO_CLIENT_ID,
        displayName: 'Callbridge (demo)',
        secrets: [DEMO_CLIENT_SECRET],
        redirectUris: ['http://localhost*', 'http://127.0.0.1*'],
      },
      {
        clientId: DEMO_PHONE_APP_CLIENT_ID,
        displayName: 'Callbridge Phone App (demo)',
        secrets: [DEMO_PHONE_APP_CLIENT_SECRET],
        redirectUris: ['http://localhost*', 'http://127.0.0.1*'],
        // The tab's single sign-on, and the user's Outlook contacts through the on-behalf-of flow.
        delegatedScopes: ['User.Read', 'Contacts.Read'],
      },
    ],
    tenants: [
      {
        id: DEMO_TENANT_ID,
        domain: DEMO_TENANT_DOMAIN,
        displayName: 'Contoso (demo)',
        consentedApps: [DEMO_CLIENT_ID],
        skus: standardSkus(60),
        users: names.map((_, i) => demoUser(i + 1)),
        groups: [
          {
            id: DEMO_GROUPS.standardUsers,
            displayName: 'Callbridge Users',
            members: [...range(1, 12), DEMO_GROUPS.sales],
          },
          { id: DEMO_GROUPS.sales, displayName: 'Sales', members: [...range(13, 18), DEMO_GROUPS.salesEmea] },
          { id: DEMO_GROUPS.salesEmea, displayName: 'Sales EMEA', members: range(45, 48) },
          { id: DEMO_GROUPS.phoneAppUsers, displayName: 'Callbridge Phone App', members: range(19, 28) },
        ],
        numbers: [
          {
            telephoneNumber: '+442079460150',
            numberType: 'callingPlan',
            isoCountryCode: 'GB',
            city: 'London',
          },
          {
            telephoneNumber: '+442079460151',
            numberType: 'callingPlan',
            isoCountryCode: 'GB',
            city: 'London',
          },
        ],
        tenantCoexistenceMode: 'TeamsOnly',
        federation: {
          allowFederatedUsers: true,
          allowedDomains: [DEMO_PHONE_APP_DOMAIN, 'fabrikam.com'],
          blockedDomains: [],
          blockAllSubdomains: false,
        },
        pstnUsages: ['Callbridge'],
        voiceRoutingPolicies: [{ identity: 'Callbridge', onlinePstnUsages: ['Callbridge'] }],
        voiceRoutes: [
          {
            identity: 'Callbridge',
            onlinePstnGatewayList: ['contoso.sbc.callbridge.example'],
            onlinePstnUsages: ['Callbridge'],
          },
        ],
      },
      {
        id: DEMO_UNCONSENTED_TENANT_ID,
        domain: 'fabrikam-demo.onmicrosoft.com',
        displayName: 'Fabrikam (demo, not consented)',
        skus: standardSkus(10),
        users: [
          {
            id: 'f4000000-0000-4000-8000-000000000001',
            userPrincipalName: 'ana@fabrikam-demo.onmicrosoft.com',
            displayName: 'Ana Ruiz',
            licences: ['ENTERPRISEPREMIUM'],
            directoryRoles: [GLOBAL_ADMINISTRATOR],
          },
        ],
        tenantCoexistenceMode: 'Islands',
      },
    ],
  };
}
