import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { createSubscriptionInput, updateSubscriptionInput } from '../../services/subscriptions.service.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });

export const subscriptionView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    sku: z.enum(['pbx_user', 'trunk_user', 'phone_app_user']),
    trial: z.boolean(),
    quantity: z.number(),
    state: z.enum(['active', 'cancelled']),
    trialEndsAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Subscription' });

export const licenceLineView = z
  .object({
    sku: z.enum(['pbx_user', 'trunk_user', 'phone_app_user']),
    held: z.number(),
    used: z.number(),
    free: z.number(),
    trialEndsAt: z.string().nullable(),
    serviceStopsAt: z.string().nullable(),
    state: z.enum(['ok', 'trial', 'grace', 'short']),
    warning: z.string().nullable(),
  })
  .meta({ id: 'LicenceLine' });

/** Licence subscriptions of an account. */
export function subscriptionRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['licences'];
    app.get(
      '/accounts/:accountId/licences',
      {
        schema: {
          tags,
          summary:
            'Licence summary: held, used (computed from configured users), free, trial and warning per SKU',
          params: accountParams,
          response: { 200: z.object({ items: z.array(licenceLineView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await services.licences.summary(req.actor, req.params.accountId) }),
    );
    app.post(
      '/accounts/:accountId/subscriptions',
      {
        schema: {
          tags,
          summary: 'Add licences (or a 30-day trial) to an account',
          params: accountParams,
          body: createSubscriptionInput,
          response: { 201: subscriptionView, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await services.subscriptions.create(req.actor, req.params.accountId, req.body)),
    );
    app.get(
      '/accounts/:accountId/subscriptions',
      {
        schema: {
          tags,
          summary: "An account's subscriptions",
          params: accountParams,
          response: { 200: z.object({ items: z.array(subscriptionView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await services.subscriptions.list(req.actor, req.params.accountId) }),
    );
    app.patch(
      '/accounts/:accountId/subscriptions/:subscriptionId',
      {
        schema: {
          tags,
          summary: 'Change the quantity, or cancel',
          params: accountParams.extend({ subscriptionId: z.uuid() }),
          body: updateSubscriptionInput,
          response: { 200: subscriptionView, ...errorResponses },
        },
      },
      async (req) =>
        services.subscriptions.update(req.actor, req.params.accountId, req.params.subscriptionId, req.body),
    );
  };
}
