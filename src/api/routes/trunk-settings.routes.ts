import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { trunkSettingsInput, trunkSettingsView } from '../../services/schemas/trunk-settings.schema.js';
import { errorResponses } from './error-responses.js';

const serviceParams = z.object({ accountId: z.uuid(), serviceId: z.uuid() });

/** The SIP trunk of a trunk service (issue 19): settings, registration state and address health. */
export function trunkSettingsRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['services'];
    app.get(
      '/accounts/:accountId/services/:serviceId/trunk',
      {
        schema: {
          tags,
          summary: "Get a trunk service's SIP trunk, with its registration state and address health",
          params: serviceParams,
          response: { 200: trunkSettingsView, ...errorResponses },
        },
      },
      async (req) => services.trunkSettings.get(req.actor, req.params.accountId, req.params.serviceId),
    );
    app.put(
      '/accounts/:accountId/services/:serviceId/trunk',
      {
        schema: {
          tags,
          summary: "Configure a trunk service's SIP trunk (the whole set; a left-out password is kept)",
          params: serviceParams,
          body: trunkSettingsInput,
          response: { 200: trunkSettingsView, ...errorResponses },
        },
      },
      async (req) =>
        services.trunkSettings.put(req.actor, req.params.accountId, req.params.serviceId, req.body),
    );
  };
}
