import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import {
  alertView,
  createSubscriptionInput,
  deliveryView,
  listAlertsQuery,
  subscriptionView,
  updateSubscriptionInput,
} from '../../alerts/alerts.schema.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });
const subscriptionParams = accountParams.extend({ alertSubscriptionId: z.uuid() });

/** Alerts (issue 18): the open ones and their history, and where they are delivered (webhooks, email). */
export function alertRoutes(services: Services, nudgeWorker: () => void): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['alerts'];
    const { alerts, alertSubscriptions: subscriptions } = services;
    app.get(
      '/accounts/:accountId/alerts',
      {
        schema: {
          tags,
          summary:
            "Alerts of the account and the accounts beneath it (a provider's include the platform's), newest first",
          params: accountParams,
          querystring: listAlertsQuery,
          response: {
            200: z.object({ items: z.array(alertView), nextCursor: z.string().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const { limit, cursor, state, kind, from } = req.query;
        return alerts.list(req.actor, req.params.accountId, {
          limit,
          ...(cursor && { cursor }),
          ...(state && { state }),
          ...(kind && { kind }),
          ...(from && { from }),
        });
      },
    );
    app.get(
      '/accounts/:accountId/alert-subscriptions',
      {
        schema: {
          tags,
          summary: "The account's alert subscriptions (webhooks and email); secrets are never returned",
          params: accountParams,
          response: { 200: z.object({ items: z.array(subscriptionView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await subscriptions.list(req.actor, req.params.accountId) }),
    );
    app.post(
      '/accounts/:accountId/alert-subscriptions',
      {
        schema: {
          tags,
          summary: 'Subscribe a webhook (https, signed with the secret given) or an email address to alerts',
          params: accountParams,
          body: createSubscriptionInput,
          response: { 201: subscriptionView, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await subscriptions.create(req.actor, req.params.accountId, req.body)),
    );
    app.patch(
      '/accounts/:accountId/alert-subscriptions/:alertSubscriptionId',
      {
        schema: {
          tags,
          summary: 'Change a subscription (name, URL, secret, email, kinds, on/off)',
          params: subscriptionParams,
          body: updateSubscriptionInput,
          response: { 200: subscriptionView, ...errorResponses },
        },
      },
      async (req) =>
        subscriptions.update(req.actor, req.params.accountId, req.params.alertSubscriptionId, req.body),
    );
    app.delete(
      '/accounts/:accountId/alert-subscriptions/:alertSubscriptionId',
      {
        schema: {
          tags,
          summary: 'Delete a subscription and its delivery log',
          params: subscriptionParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await subscriptions.delete(req.actor, req.params.accountId, req.params.alertSubscriptionId);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/accounts/:accountId/alert-subscriptions/:alertSubscriptionId/deliveries',
      {
        schema: {
          tags,
          summary:
            "The subscription's delivery log, newest first: state, attempts, the receiver's status code",
          params: subscriptionParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
          response: { 200: z.object({ items: z.array(deliveryView) }), ...errorResponses },
        },
      },
      async (req) => ({
        items: await subscriptions.deliveries(
          req.actor,
          req.params.accountId,
          req.params.alertSubscriptionId,
          req.query.limit,
        ),
      }),
    );
    app.post(
      '/accounts/:accountId/alert-subscriptions/:alertSubscriptionId/test',
      {
        schema: {
          tags,
          summary:
            'Send a test message through the subscription (delivered by the worker; see the delivery log)',
          params: subscriptionParams,
          response: { 202: z.object({ deliveryId: z.string() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const queued = await subscriptions.sendTest(
          req.actor,
          req.params.accountId,
          req.params.alertSubscriptionId,
        );
        nudgeWorker();
        return reply.status(202).send(queued);
      },
    );
  };
}
