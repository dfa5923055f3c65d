import { z } from 'zod';
import { callSettingsInput, callSettingsView } from './call-settings.schema.js';

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^\d{1,3}(\.\d{1,3}){3}$/,
    'must be a host name such as pbx.example.com or an IPv4 address',
  );

export const teamsSettings = z.object({
  phoneAppEnabled: z.boolean(),
  phoneAppConsent: z.enum(['not_requested', 'granted', 'denied']),
  phoneAppConsentAt: z.string().nullish(),
  largeTenantMode: z.boolean(),
  standardGroupIds: z.array(z.string()),
  phoneAppGroupId: z.string().nullable(),
});

const serviceFields = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  pbxType: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .default('custom')
    .describe('A PBX template (e.g. 3cx, freepbx, asterisk) or custom.'),
  location: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .default('default')
    .describe('Where the registering node should be; picks the nearest node.'),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as GB')
    .nullish()
    .describe('Country used to read national numbers (e.g. 01235 123465 in GB).'),
  sipDomain: hostname.describe('The SIP domain users register in (the REGISTER request URI).'),
  proxyHost: hostname.nullish().describe('Outbound proxy to send REGISTERs to; default: the SIP domain.'),
  proxyPort: z.number().int().min(1).max(65535).nullish(),
  transport: z.enum(['udp', 'tcp', 'tls']).default('udp'),
  registrationExpiry: z
    .number()
    .int()
    .min(60, 'must be at least 60 seconds')
    .max(86400, 'must be at most 86400 seconds')
    .default(3600),
  syncIntervalMinutes: z.number().int().min(5, 'must be at least 5 minutes').max(10080).nullish(),
  calls: callSettingsInput.optional(),
};

export const createServiceInput = z.object({
  kind: z.enum(['pbx', 'trunk']).default('pbx'),
  ...serviceFields,
});
export type CreateServiceInput = z.input<typeof createServiceInput>;

export const updateServiceInput = z
  .object({
    name: serviceFields.name.optional(),
    pbxType: z.string().trim().min(1).max(60).optional(),
    location: z.string().trim().min(1).max(60).optional(),
    country: serviceFields.country,
    sipDomain: serviceFields.sipDomain.optional(),
    proxyHost: serviceFields.proxyHost,
    proxyPort: serviceFields.proxyPort,
    transport: z.enum(['udp', 'tcp', 'tls']).optional(),
    registrationExpiry: serviceFields.registrationExpiry.unwrap().optional(),
    syncIntervalMinutes: serviceFields.syncIntervalMinutes,
    calls: serviceFields.calls,
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one setting to change');
export type UpdateServiceInput = z.infer<typeof updateServiceInput>;

export const serviceView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    kind: z.enum(['pbx', 'trunk']),
    name: z.string(),
    pbxType: z.string(),
    location: z.string(),
    country: z.string().nullable(),
    sipDomain: z.string(),
    proxyHost: z.string().nullable(),
    proxyPort: z.number().nullable(),
    transport: z.enum(['udp', 'tcp', 'tls']),
    registrationExpiry: z.number(),
    teams: teamsSettings,
    syncIntervalMinutes: z.number().nullable(),
    calls: callSettingsView,
    pbxReachability: z
      .object({
        reachable: z.boolean().describe('The PBX answers the SIP role (OPTIONS keep-alive or REGISTER).'),
        lastConfirmedAt: z.string().nullable().describe('When the PBX last answered; null: never.'),
        checkedAt: z.string().describe('When it was last probed.'),
        reason: z.string().nullable().describe('Why it counts as unreachable.'),
      })
      .nullable()
      .describe('Whether the PBX answers; null until the SIP role has probed it (and for trunks).'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Service' });
