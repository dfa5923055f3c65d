import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { errorResponses } from './error-responses.js';

const serviceParams = z.object({ accountId: z.uuid(), serviceId: z.uuid() });

export const syncRunView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    serviceId: z.string(),
    jobId: z.string().nullable(),
    state: z.enum(['queued', 'running', 'succeeded', 'warning', 'failed']),
    dryRun: z.boolean(),
    diagnostic: z.boolean(),
    trigger: z.enum(['person', 'schedule', 'change']),
    startedBy: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    counters: z.record(z.string(), z.number()),
    error: z.string().nullable(),
    progress: z
      .object({ phase: z.string().optional(), done: z.number().optional(), of: z.number().optional() })
      .optional()
      .describe('While queued or running: how far the worker got.'),
  })
  .meta({ id: 'SyncRun' });

const tenantObjectView = z
  .object({
    id: z.string(),
    serviceId: z.string(),
    kind: z.enum(['domain', 'pstn_usage', 'voice_route', 'voice_routing_policy']),
    name: z.string(),
    state: z.enum(['pending', 'ready', 'failed']),
    reason: z.string().nullable(),
    attempts: z.number(),
    nextAttemptAt: z.string().nullable(),
    readyAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'TenantObject' });

const syncLogLine = z.object({
  at: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
  userId: z.string().optional(),
});

/** Sync Now, dry runs, the button's state, history, and each run's plan and log. */
export function syncRoutes(services: Services, nudgeWorker: () => void): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['sync'];
    app.post(
      '/accounts/:accountId/services/:serviceId/sync',
      {
        schema: {
          tags,
          summary: 'Sync Now (or a dry run that only shows the plan); joins a sync already queued or running',
          params: serviceParams,
          body: z
            .object({ dryRun: z.boolean().default(false), diagnostic: z.boolean().default(false) })
            .default({ dryRun: false, diagnostic: false }),
          response: { 202: z.object({ run: syncRunView, joined: z.boolean() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await services.sync.start(
          req.actor,
          req.params.accountId,
          req.params.serviceId,
          req.body,
        );
        nudgeWorker();
        return reply.status(202).send(started);
      },
    );
    app.get(
      '/accounts/:accountId/services/:serviceId/sync',
      {
        schema: {
          tags,
          summary:
            "The Sync Now button's state: never_synced, up_to_date, changes_queued, syncing, warning, failed",
          params: serviceParams,
          response: {
            200: z.object({
              status: z.enum([
                'never_synced',
                'up_to_date',
                'changes_queued',
                'syncing',
                'warning',
                'failed',
              ]),
              lastRun: syncRunView.nullable(),
              queuedChanges: z.number(),
              tenantObjects: z.array(tenantObjectView),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => services.sync.overview(req.actor, req.params.accountId, req.params.serviceId),
    );
    app.get(
      '/accounts/:accountId/services/:serviceId/sync/runs',
      {
        schema: {
          tags,
          summary: 'Sync history, newest first',
          params: serviceParams,
          response: { 200: z.object({ items: z.array(syncRunView) }), ...errorResponses },
        },
      },
      async (req) => ({
        items: await services.sync.history(req.actor, req.params.accountId, req.params.serviceId),
      }),
    );
    app.get(
      '/accounts/:accountId/sync-runs/:runId',
      {
        schema: {
          tags,
          summary: 'A run with its plan (the changes, also for dry runs) and log',
          params: z.object({ accountId: z.uuid(), runId: z.string().min(1).max(64) }),
          response: {
            200: syncRunView.extend({ plan: z.unknown(), log: z.array(syncLogLine) }),
            ...errorResponses,
          },
        },
      },
      async (req) => services.sync.getRun(req.actor, req.params.accountId, req.params.runId),
    );
  };
}
