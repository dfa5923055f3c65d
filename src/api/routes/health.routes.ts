import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MediaRelayStatus } from '../../media/media-relay.js';
import type { DatabaseHandle } from '../../store/database.js';

const mediaStatus = z
  .union([
    z.object({ state: z.literal('available'), relay: z.string() }),
    z.object({ state: z.literal('unavailable'), reason: z.string() }),
  ])
  .optional();

/**
 * `/healthz`: the process is up. `/readyz`: the database answers (503 when it does not), and, where this process
 * runs the SIP role, whether calls can have media (`media`; its absence does not make the API unready).
 */
export function healthRoutes(
  handle: DatabaseHandle,
  media: () => MediaRelayStatus | undefined = () => undefined,
): FastifyPluginAsyncZod {
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
            200: z.object({ status: z.string(), database: z.string(), media: mediaStatus }),
            503: z.object({ status: z.string(), database: z.string(), media: mediaStatus }),
          },
        },
      },
      async (_request, reply) => {
        const up = await handle.ping();
        return reply.status(up ? 200 : 503).send({
          status: up ? 'ready' : 'not ready',
          database: up ? handle.dialect : 'unreachable',
          media: media(),
        });
      },
    );
  };
}
