import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { errorResponses } from './error-responses.js';

/** The Phone App's Teams app package, downloaded by the provider and uploaded to Teams. */
export function teamsAppPackageRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/accounts/:accountId/phone-app/teams-app-package',
      {
        schema: {
          tags: ['phone app'],
          summary:
            "The Phone App's Teams app package (zip: manifest, icons) in the provider's brand, to upload to Teams",
          params: z.object({ accountId: z.uuid() }),
          response: { 200: z.any().describe('application/zip'), ...errorResponses },
        },
      },
      async (req, reply) => {
        const { fileName, zip } = await services.teamsAppPackage.download(req.actor, req.params.accountId);
        return reply
          .type('application/zip')
          .header('content-disposition', `attachment; filename="${fileName}"`)
          .send(Buffer.from(zip));
      },
    );
  };
}
