import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import type { CallFilters } from '../../calls/records/call-records.repository.js';
import {
  callDetailView,
  callView,
  captureInput,
  captureView,
  exportCallsQuery,
  ladderEntryView,
  listCallsQuery,
  liveCallView,
} from '../../calls/records/call-records.schema.js';
import type { LiveCallInfo } from '../../calls/call-record.types.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });
const callId = z.string().min(1).max(200);
const callParams = accountParams.extend({ callId });
const userParams = accountParams.extend({ userId: z.uuid() });

/** Drops undefined filters (exactOptionalPropertyTypes). */
function filtersOf(query: Record<string, unknown>): CallFilters {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
}

function liveView(call: LiveCallInfo, now: number) {
  return { ...call, durationMs: Math.max(0, now - Date.parse(call.startedAt)) };
}

/** The call log, one call with its advice and ladder, users under capture, and live calls (issue 18). */
export function callRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['calls'];
    const { calls } = services;
    app.get(
      '/accounts/:accountId/calls',
      {
        schema: {
          tags,
          summary: "The account's calls, newest first: filtered by user, direction, result, time and number",
          params: accountParams,
          querystring: listCallsQuery,
          response: {
            200: z.object({
              items: z.array(callView),
              nextCursor: z
                .string()
                .nullable()
                .describe('Pass as cursor for the next page; null on the last.'),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const { limit, cursor, ...filters } = req.query;
        return calls.list(req.actor, req.params.accountId, {
          ...filtersOf(filters),
          limit,
          ...(cursor && { cursor }),
        });
      },
    );
    app.get(
      '/accounts/:accountId/calls/export',
      {
        schema: {
          tags,
          summary: 'Export the matching calls as CSV (newest first, at most 100,000)',
          params: accountParams,
          querystring: exportCallsQuery,
          response: { 200: z.string(), ...errorResponses },
        },
      },
      async (req, reply) => {
        const body = await calls.exportCsv(req.actor, req.params.accountId, filtersOf(req.query));
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="calls-${req.params.accountId}.csv"`)
          .send(body);
      },
    );
    app.get(
      '/accounts/:accountId/calls/:callId',
      {
        schema: {
          tags,
          summary: 'One call: both legs, codes, Reason, media figures, and failure advice when it failed',
          params: callParams,
          response: { 200: callDetailView, ...errorResponses },
        },
      },
      async (req) => calls.get(req.actor, req.params.accountId, req.params.callId),
    );
    app.get(
      '/accounts/:accountId/calls/:callId/ladder',
      {
        schema: {
          tags,
          summary:
            "The call's SIP ladder (both legs, secrets removed): kept for failed calls and users under capture",
          params: callParams,
          response: { 200: z.object({ items: z.array(ladderEntryView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await calls.ladder(req.actor, req.params.accountId, req.params.callId) }),
    );
    app.get(
      '/accounts/:accountId/calls/:callId/ladder/text',
      {
        schema: {
          tags,
          summary: "The call's SIP ladder as a text file to download",
          params: callParams,
          response: { 200: z.string(), ...errorResponses },
        },
      },
      async (req, reply) => {
        const text = await calls.ladderText(req.actor, req.params.accountId, req.params.callId);
        const name = req.params.callId.replace(/[^A-Za-z0-9._-]/g, '_');
        return reply
          .type('text/plain; charset=utf-8')
          .header('content-disposition', `attachment; filename="call-${name}.txt"`)
          .send(text);
      },
    );
    app.get(
      '/accounts/:accountId/users/:userId/capture',
      {
        schema: {
          tags,
          summary: "Whether the user's calls are under capture (their ladders kept whatever the result)",
          params: userParams,
          response: { 200: z.object({ capture: captureView.nullable() }), ...errorResponses },
        },
      },
      async (req) => ({
        capture: await calls.getCapture(req.actor, req.params.accountId, req.params.userId),
      }),
    );
    app.put(
      '/accounts/:accountId/users/:userId/capture',
      {
        schema: {
          tags,
          summary: 'Put the user under capture: keep the ladders of the next N calls and/or for some hours',
          params: userParams,
          body: captureInput,
          response: { 200: captureView, ...errorResponses },
        },
      },
      async (req) => calls.setCapture(req.actor, req.params.accountId, req.params.userId, req.body),
    );
    app.delete(
      '/accounts/:accountId/users/:userId/capture',
      {
        schema: {
          tags,
          summary: 'End the capture of a user now',
          params: userParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await calls.clearCapture(req.actor, req.params.accountId, req.params.userId);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/accounts/:accountId/live-calls',
      {
        schema: {
          tags,
          summary: "The account's calls in progress on this node, with their state and duration",
          params: accountParams,
          response: { 200: z.object({ items: z.array(liveCallView) }), ...errorResponses },
        },
      },
      async (req) => {
        const now = Date.now();
        return {
          items: (await calls.liveForAccount(req.actor, req.params.accountId)).map((c) => liveView(c, now)),
        };
      },
    );
    app.get(
      '/live-calls',
      {
        schema: {
          tags,
          summary: 'Calls in progress across every account the caller can see (the provider view)',
          response: { 200: z.object({ items: z.array(liveCallView) }), ...errorResponses },
        },
      },
      async (req) => {
        const now = Date.now();
        return { items: (await calls.liveVisible(req.actor)).map((c) => liveView(c, now)) };
      },
    );
    app.delete(
      '/live-calls/:callId',
      {
        schema: {
          tags,
          summary: 'End a call in progress (platform operators)',
          params: z.object({ callId }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await calls.hangUp(req.actor, req.params.callId);
        return reply.status(204).send(null);
      },
    );
  };
}
