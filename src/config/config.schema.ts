import { z } from 'zod';

/** The roles one `callbridge serve` process can run (DESIGN.md "One build, three roles"). */
export const ROLES = ['api', 'worker', 'sip'] as const;
export type Role = (typeof ROLES)[number];

const port = z.coerce.number().int().min(0).max(65535);

/**
 * The one schema of Callbridge's configuration. Environment variables (CALLBRIDGE_*) and an optional JSON config
 * file feed it; environment wins over the file. Defaults give the embedded installation: SQLite in ./data,
 * port 8080, every role in one process, the demo tenant.
 */
export const configSchema = z.object({
  dataDir: z
    .string()
    .min(1)
    .default('./data')
    .describe('Directory for the SQLite database, key file and logs.'),
  databaseUrl: z
    .string()
    .refine((v) => v.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(v), {
      message: 'must start with sqlite: (e.g. sqlite:./data/callbridge.db) or postgres://',
    })
    .optional()
    .describe('sqlite:<path> or postgres://user:pass@host/db. Default: SQLite in the data directory.'),
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(8080),
  publicUrl: z
    .url()
    .optional()
    .describe('The URL administrators reach the portal at; default http://localhost:<port>.'),
  roles: z
    .string()
    .default('api,worker,sip')
    .transform((v, ctx) => {
      const list = v
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const unknown = list.filter((r) => !(ROLES as readonly string[]).includes(r));
      if (unknown.length > 0 || list.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown role(s) "${unknown.join(',')}"; use a comma list of ${ROLES.join(', ')}`,
        });
        return z.NEVER;
      }
      return [...new Set(list)] as Role[];
    }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  logFormat: z
    .enum(['json', 'pretty', 'auto'])
    .default('auto')
    .describe('auto: pretty on a terminal, JSON otherwise.'),
  secretKey: z
    .string()
    .regex(
      /^[A-Za-z0-9+/]{43}=$/,
      'must be 32 bytes in base64 (44 characters); create one with `openssl rand -base64 32`',
    )
    .optional()
    .describe(
      'AES-256-GCM key for secrets at rest. Default: a key file created (0600) in the data directory.',
    ),
  sipHost: z.string().min(1).default('0.0.0.0').describe('Address the SIP role binds (UDP and TCP).'),
  sipPort: port
    .default(5060)
    .describe('SIP port for REGISTERs to PBXs and requests from them (0: any free port).'),
  sipAdvertisedHost: z
    .string()
    .min(1)
    .optional()
    .describe('Host or IP written in Via and Contact, when PBXs must reach another address.'),
  sipRegisterRate: z.coerce
    .number()
    .int()
    .min(1)
    .max(10000)
    .default(200)
    .describe('REGISTERs started per second at most.'),
  sipShutdownSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .max(86400)
    .default(600)
    .describe(
      'On a clean stop, how long the SIP role may take to unregister everyone (paced at the REGISTER rate: ' +
        '100,000 users at 200/s need 500 s). 0 stops without unregistering.',
    ),
  sipProbeSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(30)
    .describe(
      'OPTIONS keep-alive to each PBX target the registrations use; a PBX that stops answering shows its users ' +
        'unconfirmed, and when it answers again they re-register at once (paced).',
    ),
  sipTcpIdleSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(86400)
    .default(180)
    .describe('Close a TCP/TLS connection a PBX opened to us after this long without a byte from it.'),
  sipTcpMaxPerAddress: z.coerce
    .number()
    .int()
    .min(1)
    .max(100000)
    .default(50)
    .describe('TCP/TLS connections one remote address may hold open to us at once.'),
  sipTcpMaxConnections: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000000)
    .default(1000)
    .describe('TCP/TLS connections peers may hold open to us at once, over every address.'),
  jobLeaseSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(60)
    .describe(
      'How long a job stays with a worker that stops sending heartbeats; then another worker resumes it.',
    ),
  callRecordRetentionDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(90)
    .describe('How long call records are kept; the worker deletes older ones.'),
  callLadderRetentionDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(14)
    .describe(
      'How long the SIP ladders of failed and captured calls are kept (never longer than their record).',
    ),
  callLadderStorageMb: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1024)
    .describe('The most ladder text kept in the database; past it the oldest ladders are deleted first.'),
  alertRegistrationFailedShare: z.coerce
    .number()
    .min(0.01)
    .max(1)
    .default(0.2)
    .describe(
      "Alerts: the share of a PBX service's registering users whose registration failed that opens a registrations_lost alert.",
    ),
  alertWebhookAllowLoopback: z
    .enum(['true', 'false', '1', '0'])
    .or(z.boolean())
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1')
    .describe(
      'Alerts: let webhook URLs be http:// on a loopback address (development and tests only; never in production).',
    ),
  microsoftClientId: z
    .string()
    .min(1)
    .optional()
    .describe(
      "The provider's multi-tenant Callbridge app registration: customers connect their tenant by consenting to it.",
    ),
  microsoftClientSecret: z.string().min(1).optional().describe("That app's client secret (never logged)."),
  microsoftAllowedEndpoints: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const origins: string[] = [];
      for (const item of v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        try {
          origins.push(new URL(item).origin);
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: `"${item}" is not a URL such as https://login.example.com`,
          });
          return z.NEVER;
        }
      }
      return origins;
    })
    .describe(
      'Comma list of Microsoft-compatible endpoint origins (e.g. a sovereign or test service) that account administrators may use for a custom cloud; otherwise only a platform operator may set custom endpoints.',
    ),
  phoneAppClientId: z
    .string()
    .min(1)
    .default('cb0a0000-0000-4000-8000-0000000a7711')
    .describe('The Phone App application customers authorize ("Authorize Phone App for my Organization").'),
  phoneAppClientSecret: z
    .string()
    .min(1)
    .optional()
    .describe(
      "The Phone App application's client secret (never logged): the tab reads the user's Outlook contacts on their behalf with it.",
    ),
  phoneAppTeamsAppId: z
    .string()
    .min(1)
    .default('cb0a0000-0000-4000-8000-0000000a7712')
    .describe("The Phone App's id in the Teams app catalog, installed for each Phone App user by the sync."),
  phoneAppDomain: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain name such as phoneapp.example.com')
    .default('phoneapp.callbridge.example')
    .describe("The domain Phone App calls come from: it must be allowed in the tenant's external access."),
  sbcDomain: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain name such as sbc.example.com')
    .default('sbc.callbridge.local')
    .describe(
      "The provider's SBC domain (carrier model): each customer tenant gets a subdomain of it for its voice route.",
    ),
  sbcHost: z.string().min(1).default('0.0.0.0').describe('Address the Teams edge binds (TLS).'),
  sbcSignallingPort: port
    .default(5061)
    .describe("TLS port of the Teams edge: the port in the trunk's FQDN:port in Teams."),
  sbcCertFile: z
    .string()
    .min(1)
    .optional()
    .describe(
      'PEM certificate (chain) covering the SBC domain and *.<SBC domain>; with the key, it turns the Teams edge on.',
    ),
  sbcKeyFile: z.string().min(1).optional().describe('PEM private key of that certificate.'),
  sbcCaFile: z
    .string()
    .min(1)
    .optional()
    .describe("CA bundle Microsoft's certificates are checked against; default Node's public roots."),
  teamsCloud: z
    .enum(['commercial', 'gcch', 'dod'])
    .default('commercial')
    .describe(
      'Microsoft cloud: its proxies and signalling ranges (commercial: sip, sip2, sip3.pstnhub.microsoft.com).',
    ),
  teamsProxies: z
    .string()
    .regex(
      /^\s*[A-Za-z0-9.-]+(:\d{1,5})?\s*(,\s*[A-Za-z0-9.-]+(:\d{1,5})?\s*)*$/,
      'must be a comma list of host[:port], e.g. sip.pstnhub.microsoft.com:5061,sip2.pstnhub.microsoft.com',
    )
    .optional()
    .describe("Override the cloud's proxies (e.g. the Teams SIP emulator), in failover order."),
  teamsSignallingRanges: z
    .string()
    .regex(
      /^\s*[0-9a-fA-F:.]+(\/\d{1,3})?\s*(,\s*[0-9a-fA-F:.]+(\/\d{1,3})?\s*)*$/,
      'must be a comma list of addresses or CIDR ranges, e.g. 52.112.0.0/14,52.120.0.0/14',
    )
    .optional()
    .describe('Override the addresses Microsoft signals from; requests from elsewhere get 403.'),
  teamsOptionsIntervalSeconds: z.coerce
    .number()
    .int()
    .min(10)
    .max(300)
    .default(60)
    .describe('OPTIONS keep-alive to each Microsoft proxy (Microsoft wants one at least every 3 minutes).'),
  teamsCustomerOptions: z
    .enum(['true', 'false', '1', '0'])
    .or(z.boolean())
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1')
    .describe(
      "Also send OPTIONS from each customer's subdomain to Microsoft's proxies (carrier model), beside the base FQDN's.",
    ),
  teamsRefer: z
    .enum(['true', 'false', '1', '0'])
    .or(z.boolean())
    .default(false)
    .transform((v) => v === true || v === 'true' || v === '1')
    .describe(
      'List REFER in our Allow toward Microsoft, so Teams hands transfers to Callbridge (off: Teams transfers itself).',
    ),
  teamsFailoverSeconds: z.coerce
    .number()
    .min(0.5)
    .max(30)
    .default(4)
    .describe('A proxy that sends no provisional answer this long: the call moves on to the next proxy.'),
  hepUrl: z
    .string()
    .regex(/^udp:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/, 'must be udp:host:port, e.g. udp:127.0.0.1:9060')
    .optional()
    .describe(
      "A Homer capture server: every call's SIP ladder (both legs, secrets removed) is sent there as HEPv3.",
    ),
  hepCaptureId: z.coerce
    .number()
    .int()
    .min(0)
    .max(0xffffffff)
    .default(2001)
    .describe('The capture agent id Homer shows for this node (HEP chunk 0x000c).'),
  hepAuthKey: z
    .string()
    .max(200)
    .optional()
    .describe("Homer's HEP authentication key, when it asks for one."),
  rtpengine: z
    .string()
    .regex(/^udp:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/, 'must be udp:host:port, e.g. udp:127.0.0.1:22222')
    .optional()
    .describe('An rtpengine already running (its ng control address); without it `serve` runs its own.'),
  rtpengineBinary: z
    .string()
    .min(1)
    .default('/usr/bin/rtpengine')
    .describe("The rtpengine `serve` runs as a managed child (Debian's rtpengine-daemon)."),
  rtpengineNgPort: port
    .default(0)
    .describe("The managed rtpengine's control port on 127.0.0.1 (0: a free one)."),
  rtpengineInterface: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe(
      "The managed rtpengine's media address, written in SDPs: one the PBX and Microsoft reach (rtpengine's --interface syntax, e.g. 10.0.0.5!203.0.113.5 behind NAT).",
    ),
  rtpenginePortMin: port.default(30000).describe('Lowest RTP port of the managed rtpengine.'),
  rtpenginePortMax: port
    .default(39999)
    .describe('Highest RTP port of the managed rtpengine; each call takes two to four ports.'),
  demo: z
    .enum(['true', 'false', '1', '0'])
    .or(z.boolean())
    .default(true)
    .transform((v) => v === true || v === 'true' || v === '1')
    .describe('Start the built-in Microsoft 365 emulator with the demo tenant.'),
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be smtp://[user:password@]host[:port] or smtps://...')
    .optional()
    .describe(
      'Mail server for invitations. Without it, the invitation link is shown to the inviter instead.',
    ),
  mailFrom: z.string().min(3).default('Callbridge <no-reply@callbridge.invalid>'),
  entraIssuer: z
    .url('must be the issuer URL, e.g. https://login.microsoftonline.com/<tenant id>/v2.0')
    .optional()
    .describe(
      'Sign-in with Microsoft Entra ID (OIDC): the issuer of the tenant administrators sign in with.',
    ),
  entraClientId: z
    .string()
    .min(1)
    .optional()
    .describe('The app registration used for administrator sign-in.'),
  entraClientSecret: z.string().min(1).optional(),
  signInLockAfter: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe('Failed password sign-ins in a row before an administrator is locked.'),
  signInLockMinutes: z.coerce.number().int().min(1).max(1440).default(15),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variable name for each key, e.g. databaseUrl -> CALLBRIDGE_DATABASE_URL. */
export function envNameOf(key: string): string {
  return 'CALLBRIDGE_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}
