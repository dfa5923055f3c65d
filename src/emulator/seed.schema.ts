import { z } from 'zod';

/** An app registration the emulator's token endpoint knows (the provider's multi-tenant app). */
export const appRegistrationSchema = z.object({
  clientId: z.string().min(1),
  displayName: z.string().default('Callbridge'),
  secrets: z.array(z.string().min(1)).default([]),
  /** Certificates: the SHA-256 thumbprint (hex) and the public key (PEM) that verifies client assertions. */
  certificates: z.array(z.object({ thumbprintSha256: z.string(), publicKeyPem: z.string() })).default([]),
  redirectUris: z.array(z.string()).default([]),
  /** Microsoft Graph delegated permissions the app requests (e.g. Contacts.Read): what an admin consent grants. */
  delegatedScopes: z.array(z.string()).default([]),
});

/** An Outlook contact of a user, in Graph's property names (`/me/contacts`). */
export const seedContactSchema = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  givenName: z.string().nullable().default(null),
  surname: z.string().nullable().default(null),
  companyName: z.string().nullable().default(null),
  businessPhones: z.array(z.string()).default([]),
  mobilePhone: z.string().nullable().default(null),
  homePhones: z.array(z.string()).default([]),
  emailAddresses: z.array(z.object({ name: z.string(), address: z.string() })).default([]),
});

const licenceSchema = z.union([
  z.string(),
  z.object({ sku: z.string(), disabledPlans: z.array(z.string()).default([]) }),
]);

/** A user as seeded; `licences` name SKUs by part number (or skuId). */
export const seedUserSchema = z.object({
  id: z.string().min(1),
  userPrincipalName: z.string().min(1),
  displayName: z.string(),
  mail: z.string().nullable().optional(),
  accountEnabled: z.boolean().default(true),
  usageLocation: z.string().nullable().default('US'),
  licences: z.array(licenceSchema).default([]),
  accountType: z.enum(['user', 'resourceAccount', 'guest']).default('user'),
  /** null: the tenant's mode applies. */
  coexistenceMode: z
    .enum(['Islands', 'TeamsOnly', 'SfBOnly', 'SfBWithTeamsCollab', 'SfBWithTeamsCollabAndMeetings'])
    .nullable()
    .default(null),
  enterpriseVoice: z.boolean().default(false),
  phoneNumber: z.string().nullable().default(null),
  numberType: z.enum(['directRouting', 'callingPlan', 'operatorConnect']).default('directRouting'),
  voiceRoutingPolicy: z.string().nullable().default(null),
  /**
   * Entra ID directory roles held, by role template id (e.g. Global Administrator
   * 62e90394-69f5-4237-9190-012177145e10): sign-in puts them in the ID token's `wids` claim.
   */
  directoryRoles: z.array(z.string().regex(/^[0-9a-f-]{36}$/i)).default([]),
  /** The user's Outlook contacts (Graph `/users/{id}/contacts`). */
  contacts: z.array(seedContactSchema).default([]),
});

export const seedSkuSchema = z.object({
  skuId: z.string(),
  skuPartNumber: z.string(),
  prepaidUnits: z.number().int().default(100),
  servicePlans: z.array(z.object({ servicePlanId: z.string(), servicePlanName: z.string() })),
});

export const seedTenantSchema = z.object({
  id: z.string().min(1),
  domain: z.string().min(1),
  displayName: z.string().default('Contoso'),
  /** Client ids of apps whose administrator consent this tenant already gave. */
  consentedApps: z.array(z.string()).default([]),
  skus: z.array(seedSkuSchema).default([]),
  users: z.array(seedUserSchema).default([]),
  groups: z
    .array(z.object({ id: z.string(), displayName: z.string(), members: z.array(z.string()).default([]) }))
    .default([]),
  /** Numbers in the inventory that no one holds yet (Calling Plan numbers must be here to be assigned). */
  numbers: z
    .array(
      z.object({
        telephoneNumber: z.string(),
        numberType: z.enum(['directRouting', 'callingPlan', 'operatorConnect']).default('directRouting'),
        isoCountryCode: z.string().nullable().default(null),
        city: z.string().nullable().default(null),
      }),
    )
    .default([]),
  tenantCoexistenceMode: z
    .enum(['Islands', 'TeamsOnly', 'SfBOnly', 'SfBWithTeamsCollab', 'SfBWithTeamsCollabAndMeetings'])
    .default('TeamsOnly'),
  federation: z
    .object({
      allowFederatedUsers: z.boolean().default(true),
      /** 'allKnown' or an allow-list. */
      allowedDomains: z.union([z.literal('allKnown'), z.array(z.string())]).default('allKnown'),
      blockedDomains: z.array(z.string()).default([]),
      blockAllSubdomains: z.boolean().default(false),
    })
    .prefault({}),
  domains: z.array(z.object({ id: z.string(), isVerified: z.boolean().default(true) })).default([]),
  pstnUsages: z.array(z.string()).default([]),
  voiceRoutingPolicies: z
    .array(z.object({ identity: z.string(), onlinePstnUsages: z.array(z.string()).default([]) }))
    .default([]),
  voiceRoutes: z
    .array(
      z.object({
        identity: z.string(),
        numberPattern: z.string().default('.*'),
        onlinePstnGatewayList: z.array(z.string()).default([]),
        onlinePstnUsages: z.array(z.string()).default([]),
        priority: z.number().int().default(1),
      }),
    )
    .default([]),
  /** Generate this many synthetic users in addition to `users` (large tenants for benchmarks). */
  generateUsers: z.number().int().min(0).default(0),
});

/** The emulator's seed file: app registrations and tenants. */
export const seedFileSchema = z.object({
  apps: z.array(appRegistrationSchema).default([]),
  tenants: z.array(seedTenantSchema).default([]),
});

export type AppRegistration = z.output<typeof appRegistrationSchema>;
export type SeedUser = z.output<typeof seedUserSchema>;
export type SeedUserInput = z.input<typeof seedUserSchema>;
export type SeedSku = z.output<typeof seedSkuSchema>;
export type SeedTenant = z.output<typeof seedTenantSchema>;
export type SeedTenantInput = z.input<typeof seedTenantSchema>;
export type SeedFile = z.output<typeof seedFileSchema>;
export type SeedContact = z.output<typeof seedContactSchema>;
export type SeedFileInput = z.input<typeof seedFileSchema>;
