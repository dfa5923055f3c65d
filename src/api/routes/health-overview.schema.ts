/** The API's shapes of the account health page and the provider overview (zod: validation and OpenAPI). */
import { z } from 'zod';

const REGISTRATION_STATES = [
  'registered',
  'failed',
  'unconfirmed',
  'disabled',
  'pending',
  'expiring',
  'unregistered',
] as const;

export const accountHealthQuery = z.strictObject({
  since: z.iso
    .datetime({ offset: true })
    .optional()
    .describe(
      "Where today's calls start (ISO 8601, the viewer's local midnight); default midnight UTC. At most 7 days back.",
    ),
});

const failingUserView = z.object({
  id: z.string(),
  displayName: z.string(),
  serviceId: z.string(),
  state: z.enum(REGISTRATION_STATES),
  statusCode: z.number().nullable().describe("The PBX's last answer, e.g. 403."),
  reason: z.string().nullable(),
});

const serviceHealthView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['pbx', 'trunk']),
  pbx: z
    .object({
      reachable: z.boolean(),
      lastConfirmedAt: z.string().nullable(),
      checkedAt: z.string(),
      reason: z.string().nullable(),
    })
    .nullable()
    .describe('Null for trunks and PBXs not probed yet.'),
  lastSync: z
    .object({
      state: z.enum(['queued', 'running', 'succeeded', 'warning', 'failed']),
      createdAt: z.string(),
      finishedAt: z.string().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
});

const edgeSummaryView = z.object({
  state: z.enum(['healthy', 'degraded', 'down', 'not_running']),
  healthyProxies: z.number(),
  proxies: z.number(),
  certificateDaysLeft: z.number().nullable(),
  subdomains: z.array(z.object({ fqdn: z.string(), healthyProxies: z.number(), proxies: z.number() })),
});

export const accountHealthView = z
  .object({
    accountId: z.string(),
    generatedAt: z.string(),
    registrations: z
      .object({
        total: z.number(),
        byState: z.object(
          Object.fromEntries(REGISTRATION_STATES.map((s) => [s, z.number()])) as {
            [K in (typeof REGISTRATION_STATES)[number]]: z.ZodNumber;
          },
        ),
        failingUsers: z.array(failingUserView).describe('The first 20 failed users by name.'),
      })
      .nullable(),
    services: z.array(serviceHealthView).nullable(),
    teamsEdge: edgeSummaryView.nullable(),
    calls: z
      .object({
        since: z.string(),
        attempts: z.number(),
        answered: z.number(),
        failed: z.number(),
        answerSeizureRatio: z
          .number()
          .nullable()
          .describe('Answered over attempts (0-1); null without calls.'),
      })
      .nullable(),
    consentState: z.string().nullable(),
    hidden: z
      .array(z.object({ part: z.string(), permission: z.string() }))
      .describe('Parts left out (null above) because the caller lacks their permission.'),
  })
  .meta({ id: 'AccountHealth' });

export const clientHealthQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).default(0),
});

const clientHealthView = z.object({
  accountId: z.string(),
  name: z.string(),
  suspended: z.boolean(),
  severity: z.enum(['critical', 'warning', 'ok']),
  failingUsers: z.number(),
  unreachablePbx: z.number(),
  consentState: z.string(),
  callsLastHour: z.object({ attempts: z.number(), answered: z.number(), failed: z.number() }),
  issues: z.array(
    z.object({ severity: z.enum(['critical', 'warning']), code: z.string(), message: z.string() }),
  ),
});

export const clientHealthPage = z
  .object({
    items: z.array(clientHealthView),
    total: z.number(),
    limit: z.number(),
    offset: z.number(),
  })
  .meta({ id: 'ClientHealthPage' });
