import { setImmediate } from 'node:timers/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import type { ImportPlan } from '../../domain/csv/index.js';
import { AppError } from '../../domain/errors.js';
import { CSV_IMPORT_BODY_LIMIT } from '../body-limits.js';
import { errorResponses } from './error-responses.js';

const serviceParams = z.object({ accountId: z.uuid(), serviceId: z.uuid() });

const issue = z.object({
  row: z.number(),
  column: z.string().nullable(),
  severity: z.enum(['error', 'warning', 'fixed']),
  message: z.string(),
  fix: z.string().optional(),
});
export const importPlanView = z
  .object({
    ok: z.boolean(),
    template: z.enum(['pbx', 'trunk']).nullable(),
    counts: z.record(z.string(), z.number()),
    issues: z.array(issue),
    rows: z.array(
      z.object({
        row: z.number(),
        email: z.string().nullable(),
        userId: z.string().nullable(),
        displayName: z.string().nullable(),
        action: z.enum(['create', 'update', 'unchanged', 'error']),
        changedFields: z.array(z.string()),
        issues: z.array(issue),
      }),
    ),
  })
  .meta({ id: 'ImportPlan' });

/** The plan as the API shows it: the fields of {@link importPlanView} only (the planned values stay inside). */
function presentPlan(plan: ImportPlan): z.infer<typeof importPlanView> {
  return {
    ok: plan.ok,
    template: plan.template,
    counts: plan.counts,
    issues: plan.issues,
    rows: plan.rows.map(presentRow),
  };
}

function presentRow(row: ImportPlan['rows'][number]): z.infer<typeof importPlanView>['rows'][number] {
  return {
    row: row.row,
    email: row.email,
    userId: row.userId,
    displayName: row.displayName,
    action: row.action,
    changedFields: row.changedFields,
    issues: row.issues,
  };
}

type ImportAnswer = { applied: boolean; importId: string | null; plan: z.infer<typeof importPlanView> };

/** Rows turned into JSON per slice, between which the event loop is given back. */
const ANSWER_SLICE = 1000;

/**
 * The import's answer as JSON text, the rows presented and serialised a slice at a time with the event loop given
 * back between slices: presenting and serialising a 50,000-row plan in one go held the loop (which the SIP agent's
 * refresh timers share) for hundreds of milliseconds (and checking it against the schema on the way out, for
 * seconds: the schema only documents it). `rows` is the last key, so the text is the head with its
 * empty `rows` array opened and the slices written into it.
 */
async function importAnswerJson(result: {
  applied: boolean;
  importId: string | null;
  plan: ImportPlan;
}): Promise<string> {
  const head = JSON.stringify({
    applied: result.applied,
    importId: result.importId,
    plan: { ...presentPlan({ ...result.plan, rows: [] }), rows: [] },
  });
  const slices: string[] = [];
  for (let start = 0; start < result.plan.rows.length; start += ANSWER_SLICE) {
    await setImmediate();
    const rows = result.plan.rows.slice(start, start + ANSWER_SLICE).map(presentRow);
    slices.push(JSON.stringify(rows).slice(1, -1));
  }
  return `${head.slice(0, -'[]}}'.length)}[${slices.join(',')}]}}`;
}

/** Bulk import (dry run, then all-or-nothing apply) and export of a service's users by CSV. */
export function importRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['import and export'];
    // The file is the body, as Excel saved it (any encoding): keep it as bytes.
    app.addContentTypeParser(
      ['text/csv', 'application/octet-stream', 'application/vnd.ms-excel'],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    app.post(
      '/accounts/:accountId/services/:serviceId/import',
      {
        bodyLimit: CSV_IMPORT_BODY_LIMIT,
        schema: {
          tags,
          summary:
            'Import users from a CSV (PBX: SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId; trunk: TrunkNumber,Name,Email,Caller ID,ExternalId). dryRun=true reports per row without changing anything.',
          params: serviceParams,
          querystring: z.object({
            dryRun: z
              .enum(['true', 'false'])
              .default('true')
              .transform((v) => v === 'true'),
          }),
          consumes: ['text/csv'],
          response: {
            200: z.object({
              applied: z.boolean(),
              importId: z
                .string()
                .nullable()
                .describe('The applied import (for rollback); null for a dry run.'),
              plan: importPlanView,
            }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const body: unknown = req.body;
        const file = Buffer.isBuffer(body) ? body : typeof body === 'string' ? body : null;
        if (file === null)
          throw new AppError(
            'unsupported_media_type',
            'Send the CSV file as the request body with Content-Type: text/csv.',
            { contentType: req.headers['content-type'] ?? null, accepted: ['text/csv'] },
          );
        const result = await services.userImport.import(
          req.actor,
          req.params.accountId,
          req.params.serviceId,
          file,
          { dryRun: req.query.dryRun },
        );
        const json = await importAnswerJson(result);
        // Already JSON text of the documented shape: Fastify sends a string with a JSON content type as it is.
        return reply.type('application/json; charset=utf-8').send(json as unknown as ImportAnswer);
      },
    );
    app.get(
      '/accounts/:accountId/services/:serviceId/export',
      {
        schema: {
          tags,
          summary: "The service's users as CSV in its template (passwords never exported)",
          params: serviceParams,
          querystring: z.object({ delimiter: z.enum([',', ';']).default(',') }),
        },
      },
      async (req, reply) => {
        const csv = await services.userImport.export(req.actor, req.params.accountId, req.params.serviceId, {
          delimiter: req.query.delimiter,
        });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="users-${req.params.serviceId}.csv"`)
          .send(csv);
      },
    );
  };
}
