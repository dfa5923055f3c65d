import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { errorResponses } from './error-responses.js';

const field = z.enum([
  'phoneNumber',
  'extension',
  'numberType',
  'callerId',
  'sipUsername',
  'authUsername',
  'externalId',
]);

const rollbackUserView = z.discriminatedUnion('action', [
  z.object({
    userId: z.string(),
    email: z.string(),
    action: z.literal('restore'),
    portal: z
      .array(z.object({ field, now: z.string().nullable(), restored: z.string().nullable() }))
      .describe('What the portal restores: each field from its value now to its value before.'),
    tenant: z
      .object({ from: z.string().nullable(), to: z.string().nullable() })
      .nullable()
      .describe('The one write the sync after the rollback makes to the tenant, or null.'),
  }),
  z.object({
    userId: z.string(),
    email: z.string(),
    action: z.literal('conflict'),
    changed: z
      .array(z.object({ field, operation: z.string().nullable(), now: z.string().nullable() }))
      .describe(
        'Changed again since (by a later sync, import or a person): the value the operation left and now.',
      ),
  }),
  z.object({ userId: z.string(), email: z.string(), action: z.literal('unchanged') }),
]);

export const rollbackView = z
  .object({
    kind: z.enum(['sync_run', 'import']),
    sourceId: z.string(),
    serviceId: z.string(),
    dryRun: z.boolean(),
    rollbackId: z.string().nullable().describe("The rollback's own id (its audit entries, source rollback)."),
    syncRunId: z.string().nullable().describe('The sync run started to write the restored numbers.'),
    plan: z.object({
      users: z.array(rollbackUserView),
      counters: z.object({
        restored: z.number(),
        conflicts: z.number(),
        unchanged: z.number(),
        tenantWrites: z.number(),
        missing: z.number(),
      }),
    }),
  })
  .meta({ id: 'Rollback' });

const importView = z
  .object({ id: z.string(), at: z.string(), actorLabel: z.string(), users: z.number() })
  .meta({ id: 'ImportRecord' });

const rollbackBody = z
  .strictObject({ dryRun: z.boolean().default(true) })
  .default({ dryRun: true })
  .describe('dryRun (default true): only the plan; false: restore, then sync the restored numbers.');

/** Rollback of an applied sync run or CSV import: the plan (dry run), then the restore; and the import history. */
export function rollbackRoutes(services: Services, nudgeWorker: () => void): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['rollback'];
    app.post(
      '/accounts/:accountId/sync-runs/:runId/rollback',
      {
        schema: {
          tags,
          summary: 'Roll back an applied sync run (needs sync.run): the plan first, dryRun false to apply',
          params: z.object({ accountId: z.uuid(), runId: z.string().min(1).max(64) }),
          body: rollbackBody,
          response: { 200: rollbackView, ...errorResponses },
        },
      },
      async (req) => {
        const result = await services.rollback.rollbackSyncRun(
          req.actor,
          req.params.accountId,
          req.params.runId,
          req.body,
        );
        if (result.syncRunId) nudgeWorker();
        return result;
      },
    );
    app.get(
      '/accounts/:accountId/imports',
      {
        schema: {
          tags,
          summary: 'Applied CSV imports of the account, newest first (each can be rolled back)',
          params: z.object({ accountId: z.uuid() }),
          response: { 200: z.object({ items: z.array(importView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await services.rollback.listImports(req.actor, req.params.accountId) }),
    );
    app.post(
      '/accounts/:accountId/imports/:importId/rollback',
      {
        schema: {
          tags,
          summary:
            'Roll back an applied CSV import (needs service.write): the plan first, dryRun false to apply',
          params: z.object({ accountId: z.uuid(), importId: z.uuid() }),
          body: rollbackBody,
          response: { 200: rollbackView, ...errorResponses },
        },
      },
      async (req) => {
        const result = await services.rollback.rollbackImport(
          req.actor,
          req.params.accountId,
          req.params.importId,
          req.body,
        );
        if (result.syncRunId) nudgeWorker();
        return result;
      },
    );
  };
}
