import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DatabaseHandle } from '../../store/database.js';

/** `/healthz`: the process is up. `/readyz`: the database answers (503 when it does not). */
export function healthRoutes(handle: DatabaseHandle): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          hide: true,
          response: {
            200: z.object({ status: z.string(), database: z.string() }),
            503: z.object({ status: z.string(), database: z.string() }),
          },
        },
      },
      async (_request, reply) => {
        const up = await handle.ping();
        return reply
          .status(up ? 200 : 503)
          .send({ status: up ? 'ready' : 'not ready', database: up ? handle.dialect : 'unreachable' });
      },
    );
  };
}
