import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { AppError } from '../../domain/errors.js';
import type { TeamsEdge } from '../../edge/teams-edge.js';
import { edgeSummaryOf } from '../../services/health/edge-summary.js';
import { errorResponses } from './error-responses.js';
import {
  accountHealthQuery,
  accountHealthView,
  clientHealthPage,
  clientHealthQuery,
} from './health-overview.schema.js';

const accountParams = z.object({ accountId: z.uuid() });
const WEEK_MS = 7 * 24 * 3_600_000;

/** Midnight UTC today, or the caller's `since` when it is within the last 7 days. */
function sinceOf(since: string | undefined, now = Date.now()): string {
  if (!since) return new Date(now - (now % 86_400_000)).toISOString();
  const at = Date.parse(since);
  if (at < now - WEEK_MS || at > now)
    throw new AppError(
      'validation_failed',
      'since must lie within the last 7 days (it marks where "today" starts); leave it out for midnight UTC.',
      { field: 'since' },
    );
  return new Date(at).toISOString();
}

/** `GET /accounts/{id}/health` (an account's health page) and `GET /accounts/{id}/client-health` (a provider's). */
export function healthOverviewRoutes(
  services: Services,
  edge: () => TeamsEdge | undefined,
): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['health'];
    app.get(
      '/accounts/:accountId/health',
      {
        schema: {
          tags,
          summary:
            "The account's health: registrations, PBX reachability, last syncs, licences, Teams edge, today's calls",
          params: accountParams,
          querystring: accountHealthQuery,
          response: { 200: accountHealthView, ...errorResponses },
        },
      },
      async (req) =>
        services.accountHealth.get(req.actor, req.params.accountId, {
          since: sinceOf(req.query.since),
          edge: (fqdns) => edgeSummaryOf(edge(), fqdns),
        }),
    );
    app.get(
      '/accounts/:accountId/client-health',
      {
        schema: {
          tags,
          summary: "A partner's client accounts, the unhealthiest first (paged)",
          params: accountParams,
          querystring: clientHealthQuery,
          response: { 200: clientHealthPage, ...errorResponses },
        },
      },
      async (req) => services.providerHealth.clients(req.actor, req.params.accountId, req.query),
    );
  };
}
