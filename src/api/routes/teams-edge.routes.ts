import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import type { ProxyHealthState } from '../../edge/proxy-health.js';
import type { TeamsEdge } from '../../edge/teams-edge.js';
import { errorResponses } from './error-responses.js';

const proxyView = z.object({
  proxy: z.string(),
  healthy: z.boolean().describe("OPTIONS answered 200 within 3 minutes (Microsoft's rule)."),
  lastOkAt: z.string().nullable(),
  roundTripMs: z.number().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastStatus: z.number().nullable().describe('Status of the last OPTIONS or call attempt; 0: no answer.'),
  lastError: z.string().nullable().describe("Why the last attempt failed, e.g. 403 with Microsoft's reason."),
  consecutiveFailures: z.number(),
  failures: z.number(),
});

export const edgeView = z
  .object({
    configured: z.boolean().describe('False until CALLBRIDGE_SBC_CERT_FILE and _KEY_FILE are set.'),
    baseDomain: z.string().optional(),
    port: z.number().optional(),
    certificate: z
      .object({
        subject: z.string(),
        dnsNames: z.array(z.string()),
        validTo: z.string(),
        daysLeft: z.number(),
      })
      .optional(),
    proxies: z.array(proxyView),
    refused: z.object({ source: z.number(), unknownHost: z.number(), unknownNumber: z.number() }).optional(),
    failovers: z.number().optional(),
    customerOptions: z
      .object({
        enabled: z
          .boolean()
          .describe('CALLBRIDGE_TEAMS_CUSTOMER_OPTIONS: OPTIONS also from each customer subdomain.'),
        customers: z.array(z.object({ fqdn: z.string(), proxies: z.array(proxyView) })),
      })
      .optional(),
  })
  .meta({ id: 'TeamsEdge' });

/** One proxy's state for the API: absent values as null, the round trip to a tenth of a millisecond. */
function presentProxy(p: ProxyHealthState): z.infer<typeof proxyView> {
  return {
    ...p,
    lastOkAt: p.lastOkAt ?? null,
    roundTripMs: p.roundTripMs === undefined ? null : Math.round(p.roundTripMs * 10) / 10,
    lastAttemptAt: p.lastAttemptAt ?? null,
    lastStatus: p.lastStatus ?? null,
    lastError: p.lastError ?? null,
  };
}

/**
 * `GET /teams-edge`: the provider-level view of the Teams Direct Routing edge (one per installation, so platform
 * operators only): each Microsoft proxy's state and last OPTIONS, the certificate's names and days left, refusals.
 */
export function teamsEdgeRoutes(
  services: Services,
  edge: () => TeamsEdge | undefined,
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/teams-edge',
      {
        schema: {
          tags: ['teams-edge'],
          summary: "The Teams edge: Microsoft proxies' health, certificate days left (platform operators)",
          response: { 200: edgeView, ...errorResponses },
        },
      },
      async (req) => {
        await services.access.requireOperator(req.actor, 'see the Teams edge');
        const running = edge();
        if (!running) return { configured: false, proxies: [] };
        const { subject, dnsNames, validTo, daysLeft } = running.certificate;
        return {
          configured: true,
          baseDomain: running.options.settings.baseDomain,
          port: running.port,
          certificate: { subject, dnsNames, validTo, daysLeft },
          proxies: running.health.list().map(presentProxy),
          refused: {
            source: running.counters.refusedSource,
            unknownHost: running.counters.unknownHost,
            unknownNumber: running.counters.unknownNumber,
          },
          failovers: running.counters.failovers,
          customerOptions: {
            enabled: running.customers.enabled,
            customers: running.customers
              .list()
              .map((c) => ({ fqdn: c.fqdn, proxies: c.proxies.map(presentProxy) })),
          },
        };
      },
    );
  };
}
