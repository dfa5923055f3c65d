import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Registry } from 'prom-client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { AppContext } from '../app/context.js';
import { publicUrlOf } from '../config/config.js';
import { registerAuth } from './auth.js';
import { applyBodyLimit, JSON_BODY_LIMIT } from './body-limits.js';
import { sendError } from './error-mapper.js';
import { refuseNulCharacters } from './nul-guard.js';
import { strictBodies } from './strict-bodies.js';
import type { TeamsEdge } from '../edge/teams-edge.js';
import { teamsEdgeRoutes } from './routes/teams-edge.routes.js';
import { healthOverviewRoutes } from './routes/health-overview.routes.js';
import { registerPortal } from './portal.static.js';
import { registerPhoneAppTab } from './phone-app-tab.static.js';
import { accessRoutes } from './routes/access.routes.js';
import { phoneAppRoutes } from './routes/phone-app.routes.js';
import { teamsAppPackageRoutes } from './routes/teams-app-package.routes.js';
import { phoneAppTabRoutes } from './routes/phone-app-tab.routes.js';
import { accountRoutes } from './routes/accounts.routes.js';
import { entraSignInRoutes } from './routes/entra-signin.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import type { MediaRelayStatus } from '../media/media-relay.js';
import { sessionRoutes } from './routes/session.routes.js';
import { serviceRoutes } from './routes/services.routes.js';
import { importRoutes } from './routes/import.routes.js';
import { numberRoutes } from './routes/numbers.routes.js';
import { trunkSettingsRoutes } from './routes/trunk-settings.routes.js';
import { subscriptionRoutes } from './routes/subscriptions.routes.js';
import { rollbackRoutes } from './routes/rollback.routes.js';
import { callRoutes } from './routes/calls.routes.js';
import { alertRoutes } from './routes/alerts.routes.js';
import { syncRoutes } from './routes/sync.routes.js';
import { tenantConnectionRoutes } from './routes/tenant-connection.routes.js';
import { userRoutes } from './routes/users.routes.js';
import { testCallRoutes } from './routes/test-calls.routes.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The HTTP API: `/api/v1/...` (zod-validated, described at `/api/docs`), health probes, and the portal.
 *
 * @example const app = await buildServer(ctx); await app.listen({ port: 8080 });
 */
export async function buildServer(
  ctx: AppContext,
  options: {
    nudgeWorker?: () => void;
    metrics?: Registry;
    /** The Teams edge when this process runs it (shown at GET /api/v1/teams-edge). */
    teamsEdge?: () => TeamsEdge | undefined;
    /** The media relay's status when this process runs the SIP role (shown at /readyz). */
    mediaStatus?: () => MediaRelayStatus | undefined;
  } = {},
): Promise<FastifyInstance> {
  const publicUrl = publicUrlOf(ctx.config);
  const loggerInstance: FastifyBaseLogger = ctx.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: JSON_BODY_LIMIT,
  });
  // Before any route is added: each gets the body limit of its kind (see body-limits.ts).
  app.addHook('onRoute', applyBodyLimit);
  // Every body schema refuses unknown fields, naming them (see strict-bodies.ts).
  app.addHook('onRoute', strictBodies);
  // No field takes a NUL character; PostgreSQL would refuse it with a 500 (see nul-guard.ts).
  app.addHook('preValidation', refuseNulCharacters);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}.` }),
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Callbridge API',
        version: '1',
        description:
          'Connect a PBX or SIP trunk to Microsoft Teams. Authenticate with `Authorization: Bearer <API token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          teamsSso: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (Teams SSO)' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  await app.register(fastifyCookie);
  registerAuth(app, ctx.services.administrators);
  await app.register(
    sessionRoutes(ctx.services, {
      secureCookies: ctx.config.publicUrl?.startsWith('https:') ?? false,
      lockAfter: ctx.config.signInLockAfter,
      lockMinutes: ctx.config.signInLockMinutes,
    }),
  );
  await app.register(entraSignInRoutes(ctx));
  await app.register(healthRoutes(ctx.store.handle, options.mediaStatus));
  const metrics = options.metrics;
  if (metrics) {
    // Prometheus scrape endpoint (registration states and counters, process metrics).
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.contentType).send(await metrics.metrics()),
    );
  }
  await app.register(
    async (v1) => {
      await v1.register(accountRoutes(ctx.services));
      await v1.register(accessRoutes(ctx.services));
      await v1.register(phoneAppRoutes(ctx.services, publicUrl));
      await v1.register(teamsAppPackageRoutes(ctx.services));
      await v1.register(phoneAppTabRoutes(ctx.services));
      await v1.register(serviceRoutes(ctx.services));
      await v1.register(userRoutes(ctx.services));
      await v1.register(subscriptionRoutes(ctx.services));
      await v1.register(importRoutes(ctx.services));
      await v1.register(numberRoutes(ctx.services));
      await v1.register(trunkSettingsRoutes(ctx.services));
      await v1.register(tenantConnectionRoutes(ctx.services, publicUrl));
      await v1.register(syncRoutes(ctx.services, options.nudgeWorker ?? (() => undefined)));
      await v1.register(teamsEdgeRoutes(ctx.services, options.teamsEdge ?? (() => undefined)));
      await v1.register(rollbackRoutes(ctx.services, options.nudgeWorker ?? (() => undefined)));
      await v1.register(callRoutes(ctx.services));
      await v1.register(alertRoutes(ctx.services, options.nudgeWorker ?? (() => undefined)));
      await v1.register(healthOverviewRoutes(ctx.services, options.teamsEdge ?? (() => undefined)));
      await v1.register(testCallRoutes(ctx.services));
    },
    { prefix: '/api/v1' },
  );
  registerPhoneAppTab(app);
  await registerPortal(app);
  return app;
}
