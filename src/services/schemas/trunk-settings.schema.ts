import { z } from 'zod';

/** The codecs a trunk may offer: those the Teams side bridges without transcoding here (CALLS.md "Media"). */
export const TRUNK_CODECS = ['PCMU', 'PCMA', 'G722', 'telephone-event'] as const;

const host = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$|^\d{1,3}(\.\d{1,3}){3}$/,
    'must be a host name such as sip.carrier.example or an IPv4 address',
  );

const trunkAddress = z.object({
  host,
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .nullish()
    .describe('Default: 5060 (5061 for TLS); SRV when absent.'),
});

/** The settings an administrator sends for a trunk (PUT: the whole set; the password may be left out to keep it). */
export const trunkSettingsInput = z
  .object({
    kind: z
      .enum(['registration', 'ip'])
      .describe('registration: we REGISTER with the credentials; ip: the carrier sends from its addresses.'),
    domain: host.describe(
      'The trunk domain: Request-URI host, REGISTER domain; located by SRV without addresses.',
    ),
    addresses: z
      .array(trunkAddress)
      .max(8, 'must list at most 8 addresses')
      .default([])
      .describe(
        'Carrier addresses in order of preference: calls fail over to the next, INVITEs are accepted from them.',
      ),
    transport: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    username: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .nullish()
      .describe('Digest user (registration, and 401/407).'),
    authUsername: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .nullish()
      .describe('Digest auth user when not the username.'),
    password: z.string().min(1).max(256).optional().describe('Write-only; left out on a change: kept.'),
    numberFormat: z
      .enum(['e164', 'e164-no-plus', 'national'])
      .default('e164')
      .describe('How numbers are written on the wire: +441235123465, 441235123465 or 01235123465.'),
    numberPrefix: z
      .string()
      .regex(/^[0-9*#]{0,8}$/, 'must be up to 8 digits (or * and #), such as 9')
      .default('')
      .describe('Digits put before every number sent to the carrier (and removed from numbers received).'),
    calledNumberFrom: z
      .enum(['request-uri', 'to', 'diversion', 'history-info'])
      .default('request-uri')
      .describe('Where the carrier puts the called number on inbound calls.'),
    assertIdentity: z
      .boolean()
      .default(true)
      .describe('Send P-Asserted-Identity (and Privacy: id for a withheld caller) on outbound calls.'),
    maxChannels: z
      .number()
      .int()
      .min(1, 'must be at least 1 (leave it out for no limit)')
      .max(100000)
      .nullish()
      .describe('Most calls at once on the trunk, both directions; null: no limit.'),
    codecs: z
      .array(z.enum(TRUNK_CODECS))
      .min(1, 'must name at least one codec')
      .default(['PCMU', 'PCMA', 'telephone-event'])
      .refine((codecs) => new Set(codecs).size === codecs.length, 'must not name a codec twice'),
  })
  .superRefine((input, issues) => {
    if (input.kind === 'registration' && !input.username)
      issues.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'a registration trunk needs the username it registers as',
      });
  });
export type TrunkSettingsInput = z.input<typeof trunkSettingsInput>;
export type TrunkSettingsParsed = z.output<typeof trunkSettingsInput>;

const addressHealth = z.object({
  address: z.string().describe('host:port as configured.'),
  healthy: z.boolean().describe('The address answered the last OPTIONS ping.'),
  checkedAt: z.string(),
  reason: z.string().nullable(),
});

export const trunkSettingsView = z
  .object({
    serviceId: z.string(),
    kind: z.enum(['registration', 'ip']),
    domain: z.string(),
    addresses: z.array(z.object({ host: z.string(), port: z.number().nullable() })),
    transport: z.enum(['udp', 'tcp', 'tls']),
    username: z.string().nullable(),
    authUsername: z.string().nullable(),
    hasPassword: z.boolean().describe('A password is stored (it is never returned).'),
    numberFormat: z.enum(['e164', 'e164-no-plus', 'national']),
    numberPrefix: z.string(),
    calledNumberFrom: z.enum(['request-uri', 'to', 'diversion', 'history-info']),
    assertIdentity: z.boolean(),
    maxChannels: z.number().nullable(),
    codecs: z.array(z.string()),
    registration: z
      .object({
        state: z.string(),
        detail: z.record(z.string(), z.unknown()),
        updatedAt: z.string().nullable(),
      })
      .nullable()
      .describe('Registration trunks: the state as the sip role last saw it; null until then.'),
    health: z.array(addressHealth).describe('OPTIONS health per address, as the sip role last saw it.'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'TrunkSettings' });
export type TrunkSettingsView = z.infer<typeof trunkSettingsView>;
