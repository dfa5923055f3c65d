import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import {
  accountView,
  createAccountInput,
  updateAccountInput,
} from '../../services/schemas/account.schema.js';
import { errorResponses } from './error-responses.js';

const params = z.object({ accountId: z.uuid() });

/** Partner and client accounts. */
export function accountRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['accounts'];
    app.post(
      '/accounts',
      {
        schema: {
          tags,
          summary: 'Create a partner or client account',
          body: createAccountInput,
          response: { 201: accountView, ...errorResponses },
        },
      },
      async (req, reply) => reply.status(201).send(await services.accounts.create(req.actor, req.body)),
    );
    app.get(
      '/accounts',
      {
        schema: {
          tags,
          summary: 'List accounts (the children of parentId when given)',
          querystring: z.object({ parentId: z.uuid().optional() }),
          response: { 200: z.object({ items: z.array(accountView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await services.accounts.list(req.actor, req.query.parentId) }),
    );
    app.get(
      '/accounts/:accountId',
      {
        schema: {
          tags,
          summary: 'Get an account',
          params,
          response: { 200: accountView, ...errorResponses },
        },
      },
      async (req) => services.accounts.get(req.actor, req.params.accountId),
    );
    app.patch(
      '/accounts/:accountId',
      {
        schema: {
          tags,
          summary: 'Rename or suspend an account',
          params,
          body: updateAccountInput,
          response: { 200: accountView, ...errorResponses },
        },
      },
      async (req) => services.accounts.update(req.actor, req.params.accountId, req.body),
    );
  };
}
