import { z } from 'zod';
import { isTenantId, TENANT_ID_HINT } from './tenant-id.js';

/**
 * National clouds with their well-known hosts: global, US Government L4 (GCC High: `usgov`), US Government L5
 * (DoD: `usgovdod`) and China (21Vianet). `custom` is the emulator or another compatible service: only a platform
 * operator (or the operator's configured allow-list) may name its hosts.
 */
export type CloudName = 'global' | 'usgov' | 'usgovdod' | 'china' | 'custom';

/** The clouds an account may choose (their hosts are fixed here), in the order the portal lists them. */
export const PRESET_CLOUDS = ['global', 'usgov', 'usgovdod', 'china'] as const;
export const CLOUD_NAMES = [...PRESET_CLOUDS, 'custom'] as const;

/** Hosts of one cloud. Graph paths get `/v1.0` or `/beta` appended; Teams admin paths are appended as they are. */
export interface CloudEndpoints {
  authorityHost: string;
  graphBaseUrl: string;
  teamsAdminBaseUrl: string;
}

/**
 * Well-known endpoints (Microsoft Learn: "National cloud deployments"). The Teams telephone number APIs exist only
 * in the global service; the other clouds still get a Teams admin host so the interface stays the same.
 */
export const cloudPresets: Record<Exclude<CloudName, 'custom'>, CloudEndpoints> = {
  global: {
    authorityHost: 'https://login.microsoftonline.com',
    graphBaseUrl: 'https://graph.microsoft.com',
    teamsAdminBaseUrl: 'https://api.interfaces.records.teams.microsoft.com',
  },
  usgov: {
    authorityHost: 'https://login.microsoftonline.us',
    graphBaseUrl: 'https://graph.microsoft.us',
    teamsAdminBaseUrl: 'https://api.interfaces.records.teams.microsoft.us',
  },
  usgovdod: {
    authorityHost: 'https://login.microsoftonline.us',
    graphBaseUrl: 'https://dod-graph.microsoft.us',
    teamsAdminBaseUrl: 'https://api.interfaces.records.dod.teams.microsoft.us',
  },
  china: {
    authorityHost: 'https://login.chinacloudapi.cn',
    graphBaseUrl: 'https://microsoftgraph.chinacloudapi.cn',
    teamsAdminBaseUrl: 'https://api.interfaces.records.teams.microsoftonline.cn',
  },
};

/** A Microsoft Graph version path segment. */
export type GraphVersion = 'v1.0' | 'beta';

/**
 * Which Graph version each family of calls uses, a setting of the connection's cloud. Number writes and reads
 * (`admin/teams/telephoneNumberManagement`) are in v1.0; Teams policy user assignments exist only in beta.
 */
export interface GraphVersions {
  numbers: GraphVersion;
  policyAssignments: GraphVersion;
}

/** Microsoft's versions today, for every cloud (Graph's "Version selector" of each API page). */
export const defaultGraphVersions: GraphVersions = { numbers: 'v1.0', policyAssignments: 'beta' };

const graphVersionsSchema = z
  .object({ numbers: z.enum(['v1.0', 'beta']), policyAssignments: z.enum(['v1.0', 'beta']) })
  .partial();

/** The sign-in hosts of the preset clouds: the only ones the provider's own app secret is ever sent to. */
export const PRESET_AUTHORITY_ORIGINS: ReadonlySet<string> = new Set(
  Object.values(cloudPresets).map((p) => new URL(p.authorityHost).origin),
);

/** Token scope of the "Skype and Teams Tenant Admin API" (MICROSOFT.md). */
export const TEAMS_ADMIN_RESOURCE = '48ac35b8-9aa8-4d74-927d-1f4a14a0b239';

const certificateSchema = z.object({
  /** PEM private key (-----BEGIN PRIVATE KEY-----). */
  privateKeyPem: z.string().min(1),
  /** Hex SHA-256 thumbprint of the certificate registered on the app. */
  thumbprintSha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
  /** Optional PEM certificate chain sent as x5c (subject name / issuer authentication). */
  x5c: z.string().optional(),
});

const urlText = z.url().transform((u) => u.replace(/\/+$/, ''));

/** Everything needed to talk to one customer tenant. Secrets come decrypted from the store; never logged. */
export const connectionSettingsSchema = z
  .object({
    tenantId: z.string().refine(isTenantId, { message: TENANT_ID_HINT }),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    certificate: certificateSchema.optional(),
    cloud: z.enum(CLOUD_NAMES).default('global'),
    authorityHost: urlText.optional(),
    graphBaseUrl: urlText.optional(),
    teamsAdminBaseUrl: urlText.optional(),
    graphVersions: graphVersionsSchema.optional(),
  })
  .refine((s) => s.clientSecret !== undefined || s.certificate !== undefined, {
    message: 'give a client secret or a certificate',
  })
  .refine((s) => s.cloud !== 'custom' || (s.authorityHost && s.graphBaseUrl && s.teamsAdminBaseUrl), {
    message: 'a custom cloud needs authorityHost, graphBaseUrl and teamsAdminBaseUrl',
  });

export type ConnectionSettingsInput = z.input<typeof connectionSettingsSchema>;

/** Validated settings with every endpoint resolved. */
export interface ConnectionSettings extends CloudEndpoints {
  tenantId: string;
  clientId: string;
  clientSecret: string | undefined;
  certificate: z.output<typeof certificateSchema> | undefined;
  cloud: CloudName;
  graphVersions: GraphVersions;
}

/**
 * Validate connection settings and fill the endpoints from the cloud preset (explicit URLs win).
 * @example resolveConnectionSettings({ tenantId, clientId, clientSecret, cloud: 'usgov' }).graphBaseUrl
 *   // 'https://graph.microsoft.us'
 */
export function resolveConnectionSettings(input: ConnectionSettingsInput): ConnectionSettings {
  const parsed = connectionSettingsSchema.parse(input);
  const preset = parsed.cloud === 'custom' ? undefined : cloudPresets[parsed.cloud];
  return {
    tenantId: parsed.tenantId,
    clientId: parsed.clientId,
    clientSecret: parsed.clientSecret,
    certificate: parsed.certificate,
    cloud: parsed.cloud,
    authorityHost: parsed.authorityHost ?? preset!.authorityHost,
    graphBaseUrl: parsed.graphBaseUrl ?? preset!.graphBaseUrl,
    teamsAdminBaseUrl: parsed.teamsAdminBaseUrl ?? preset!.teamsAdminBaseUrl,
    graphVersions: { ...defaultGraphVersions, ...parsed.graphVersions },
  };
}
