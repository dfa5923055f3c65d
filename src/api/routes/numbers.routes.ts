import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import {
  addNumberRangeInput,
  addServiceNumberInput,
  addedNumberRangeView,
  nextFreeQuery,
  nextFreeView,
  numberRangeView,
  serviceNumberView,
  sharedNumbersView,
} from '../../services/schemas/numbers.schema.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });
const serviceParams = accountParams.extend({ serviceId: z.uuid() });
const rangeParams = accountParams.extend({ rangeId: z.uuid() });
const serviceNumberParams = accountParams.extend({ serviceNumberId: z.uuid() });

/** Numbers of trunk services (ranges, next free number, service numbers) and the provider-wide shared-number report. */
export function numberRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['numbers'];
    const { numberRanges, serviceNumbers, sharedNumbers } = services;
    app.get(
      '/accounts/:accountId/services/:serviceId/number-ranges',
      {
        schema: {
          tags,
          summary: "List a trunk service's number ranges with used, reserved and free counts",
          params: serviceParams,
          response: { 200: z.object({ items: z.array(numberRangeView) }), ...errorResponses },
        },
      },
      async (req) => ({
        items: await numberRanges.list(req.actor, req.params.accountId, req.params.serviceId),
      }),
    );
    app.post(
      '/accounts/:accountId/services/:serviceId/number-ranges',
      {
        schema: {
          tags,
          summary: 'Add a number range to a trunk service (a single number when end is omitted)',
          description:
            'Ranges cannot be edited, only deleted and added again. A range may not overlap another range of the ' +
            'account, and holds at most 100,000 numbers.',
          params: serviceParams,
          body: addNumberRangeInput,
          response: { 201: addedNumberRangeView, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await numberRanges.add(req.actor, req.params.accountId, req.params.serviceId, req.body)),
    );
    app.get(
      '/accounts/:accountId/services/:serviceId/number-ranges/next-free',
      {
        schema: {
          tags,
          summary: "The lowest free numbers across a trunk service's ranges, for assignment",
          params: serviceParams,
          querystring: nextFreeQuery,
          response: { 200: nextFreeView, ...errorResponses },
        },
      },
      async (req) =>
        numberRanges.nextFreeForService(
          req.actor,
          req.params.accountId,
          req.params.serviceId,
          req.query.count,
        ),
    );
    app.get(
      '/accounts/:accountId/number-ranges/:rangeId',
      {
        schema: {
          tags,
          summary: 'Get a number range with its counts',
          params: rangeParams,
          response: { 200: numberRangeView, ...errorResponses },
        },
      },
      async (req) => numberRanges.get(req.actor, req.params.accountId, req.params.rangeId),
    );
    app.delete(
      '/accounts/:accountId/number-ranges/:rangeId',
      {
        schema: {
          tags,
          summary: 'Delete a number range (refused while any of its numbers is held by a user)',
          params: rangeParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await numberRanges.delete(req.actor, req.params.accountId, req.params.rangeId);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/accounts/:accountId/number-ranges/:rangeId/next-free',
      {
        schema: {
          tags,
          summary: 'The lowest free numbers of a range, for assignment',
          params: rangeParams,
          querystring: nextFreeQuery,
          response: { 200: nextFreeView, ...errorResponses },
        },
      },
      async (req) =>
        numberRanges.nextFreeInRange(req.actor, req.params.accountId, req.params.rangeId, req.query.count),
    );
    app.get(
      '/accounts/:accountId/services/:serviceId/service-numbers',
      {
        schema: {
          tags,
          summary: "List a trunk service's service numbers (shared outbound caller IDs)",
          params: serviceParams,
          response: { 200: z.object({ items: z.array(serviceNumberView) }), ...errorResponses },
        },
      },
      async (req) => ({
        items: await serviceNumbers.list(req.actor, req.params.accountId, req.params.serviceId),
      }),
    );
    app.post(
      '/accounts/:accountId/services/:serviceId/service-numbers',
      {
        schema: {
          tags,
          summary: 'Add a service number (a shared outbound caller ID) to a trunk service',
          params: serviceParams,
          body: addServiceNumberInput,
          response: { 201: serviceNumberView, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await serviceNumbers.add(req.actor, req.params.accountId, req.params.serviceId, req.body)),
    );
    app.delete(
      '/accounts/:accountId/service-numbers/:serviceNumberId',
      {
        schema: {
          tags,
          summary: 'Delete a service number (refused while users show it as caller ID)',
          params: serviceNumberParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await serviceNumbers.delete(req.actor, req.params.accountId, req.params.serviceNumberId);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/accounts/:accountId/shared-numbers',
      {
        schema: {
          tags,
          summary:
            "Numbers held by users of more than one of a partner's customer accounts, with the holders",
          params: accountParams,
          response: { 200: sharedNumbersView, ...errorResponses },
        },
      },
      async (req) => sharedNumbers.report(req.actor, req.params.accountId),
    );
  };
}
