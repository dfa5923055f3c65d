import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import {
  createUserInput,
  listUsersQuery,
  updateUserInput,
  userView,
} from '../../services/schemas/user.schema.js';
import { presentUser } from '../../services/users.service.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });
const userParams = accountParams.extend({ userId: z.uuid() });

/** Users of an account's services: number, SIP credentials (password write-only), registration. */
export function userRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['users'];
    app.post(
      '/accounts/:accountId/users',
      {
        schema: {
          tags,
          summary: 'Add a user to a service',
          params: accountParams,
          body: createUserInput,
          response: { 201: userView, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(presentUser(await services.users.create(req.actor, req.params.accountId, req.body))),
    );
    app.get(
      '/accounts/:accountId/users',
      {
        schema: {
          tags,
          summary: 'List users: paged, sorted, filtered, searched by name, email, number or SIP username',
          params: accountParams,
          querystring: listUsersQuery,
          response: {
            200: z.object({
              items: z.array(userView),
              total: z.number(),
              totalIs: z
                .enum(['exact', 'about', 'more_than'])
                .describe(
                  'How total was counted: exactly (up to 10,000 matches), estimated ("about N", PostgreSQL) or a bound ("more than N", SQLite).',
                ),
              nextCursor: z
                .string()
                .nullable()
                .describe('Pass as cursor for the next page; null on the last page.'),
              limit: z.number(),
              offset: z.number(),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const page = await services.users.list(req.actor, req.params.accountId, req.query);
        return {
          items: page.items.map(presentUser),
          total: page.total,
          totalIs: page.totalIs,
          nextCursor: page.nextCursor,
          limit: req.query.limit,
          offset: req.query.offset,
        };
      },
    );
    app.get(
      '/accounts/:accountId/users/:userId',
      {
        schema: {
          tags,
          summary: 'Get a user',
          params: userParams,
          response: { 200: userView, ...errorResponses },
        },
      },
      async (req) =>
        presentUser(await services.users.get(req.actor, req.params.accountId, req.params.userId)),
    );
    app.patch(
      '/accounts/:accountId/users/:userId',
      {
        schema: {
          tags,
          summary: 'Change a user: number, SIP credentials, registration',
          params: userParams,
          body: updateUserInput,
          response: { 200: userView, ...errorResponses },
        },
      },
      async (req) =>
        presentUser(
          await services.users.update(req.actor, req.params.accountId, req.params.userId, req.body),
        ),
    );
    app.delete(
      '/accounts/:accountId/users/:userId',
      {
        schema: {
          tags,
          summary: 'Delete a user: unregistered from the PBX, number and licence freed, audited',
          params: userParams,
          response: { 204: z.null().describe('Deleted.'), ...errorResponses },
        },
      },
      async (req, reply) => {
        await services.users.delete(req.actor, req.params.accountId, req.params.userId);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/accounts/:accountId/users/:userId/registration/retry',
      {
        schema: {
          tags,
          summary: 'Retry a failed registration now (e.g. after fixing the password at the PBX)',
          description:
            'Answers the user as pending; the SIP role registers at once. 409 when the registration is not failed.',
          params: userParams,
          response: { 200: userView, ...errorResponses },
        },
      },
      async (req) =>
        presentUser(
          await services.users.retryRegistration(req.actor, req.params.accountId, req.params.userId),
        ),
    );
  };
}
