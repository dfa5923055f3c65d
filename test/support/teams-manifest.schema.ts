import { z } from 'zod';

/**
 * The parts of Microsoft's Teams app manifest schema v1.22
 * (https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json) that the Phone App's
 * package uses, with the schema's own rules: its required top-level fields, `guid`, `semver`, `hexColor` and
 * https-URL patterns, the length limits, static tab scopes, validDomains (at most 16) and webApplicationInfo.
 * Strict objects, as the schema's `additionalProperties: false`.
 */
const guid = z.string().regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/);
const httpsUrl = z
  .string()
  .max(2048)
  .regex(/^[Hh][Tt][Tt][Pp][Ss]:\/\//);
const semver = z
  .string()
  .max(256)
  .regex(/^([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)\.([0-9]|[1-9][0-9]*)$/);
const relativePath = z.string().max(2048);

export const teamsManifestV122 = z.strictObject({
  $schema: z.literal('https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json'),
  manifestVersion: z.literal('1.22'),
  version: semver,
  id: guid,
  developer: z.strictObject({
    name: z.string().min(1).max(32),
    websiteUrl: httpsUrl,
    privacyUrl: httpsUrl,
    termsOfUseUrl: httpsUrl,
  }),
  name: z.strictObject({ short: z.string().min(1).max(30), full: z.string().max(100).optional() }),
  description: z.strictObject({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.strictObject({ color: relativePath, outline: relativePath }),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  staticTabs: z
    .array(
      z.strictObject({
        entityId: z.string().max(64),
        name: z.string().max(128).optional(),
        contentUrl: httpsUrl.optional(),
        websiteUrl: httpsUrl.optional(),
        scopes: z
          .array(z.enum(['team', 'personal', 'groupChat', 'groupchat']))
          .min(1)
          .max(3),
      }),
    )
    .max(16)
    .optional(),
  permissions: z.array(z.enum(['identity', 'messageTeamMembers'])).optional(),
  validDomains: z.array(z.string().max(2048)).max(16).optional(),
  webApplicationInfo: z.strictObject({ id: guid, resource: z.string().max(2048).optional() }).optional(),
});
