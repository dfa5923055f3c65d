import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import {
  createServiceInput,
  serviceView,
  updateServiceInput,
} from '../../services/schemas/voice-service.schema.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });
const serviceParams = accountParams.extend({ serviceId: z.uuid() });

/** PBX and trunk services of an account. */
export function serviceRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['services'];
    app.post(
      '/accounts/:accountId/services',
      {
        schema: {
          tags,
          summary: 'Create a PBX or trunk service',
          params: accountParams,
          body: createServiceInput,
          response: { 201: serviceView, ...errorResponses },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(await services.voiceServices.create(req.actor, req.params.accountId, req.body)),
    );
    app.get(
      '/accounts/:accountId/services',
      {
        schema: {
          tags,
          summary: 'List the services of an account',
          params: accountParams,
          response: { 200: z.object({ items: z.array(serviceView) }), ...errorResponses },
        },
      },
      async (req) => ({ items: await services.voiceServices.list(req.actor, req.params.accountId) }),
    );
    app.get(
      '/accounts/:accountId/services/:serviceId',
      {
        schema: {
          tags,
          summary: 'Get a service',
          params: serviceParams,
          response: { 200: serviceView, ...errorResponses },
        },
      },
      async (req) => services.voiceServices.get(req.actor, req.params.accountId, req.params.serviceId),
    );
    app.patch(
      '/accounts/:accountId/services/:serviceId',
      {
        schema: {
          tags,
          summary: 'Change the settings of a service',
          params: serviceParams,
          body: updateServiceInput,
          response: { 200: serviceView, ...errorResponses },
        },
      },
      async (req) =>
        services.voiceServices.update(req.actor, req.params.accountId, req.params.serviceId, req.body),
    );
  };
}
