import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { CLOUD_NAMES } from '../../microsoft/connection.settings.js';
import { connectTenantInput } from '../../services/tenant-connections.service.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });

export const tenantConnectionView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    tenantId: z.string().nullable(),
    cloud: z.enum(CLOUD_NAMES),
    authorityHost: z.string(),
    graphBaseUrl: z.string(),
    teamsAdminBaseUrl: z.string().nullable(),
    consentState: z.enum(['not_connected', 'pending', 'granted', 'denied', 'revoked']),
    consentError: z.string().nullable(),
    consentedAt: z.string().nullable(),
    clientId: z.string().nullable(),
    hasClientSecret: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'TenantConnection' });

function present<T extends { deltaLink?: unknown }>(connection: T): Omit<T, 'deltaLink'> {
  const { deltaLink: _deltaLink, ...rest } = connection;
  return rest;
}

/** The account's Microsoft 365 connection and the administrator-consent round trip. */
export function tenantConnectionRoutes(services: Services, publicUrl: string): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['tenant connection'];
    const redirectUri = `${publicUrl}/api/v1/consent/callback`;
    app.get(
      '/accounts/:accountId/tenant-connection',
      {
        schema: {
          tags,
          summary: 'The Microsoft 365 connection and its consent state',
          params: accountParams,
          response: { 200: tenantConnectionView, ...errorResponses },
        },
      },
      async (req) => present(await services.tenantConnections.get(req.actor, req.params.accountId)),
    );
    app.put(
      '/accounts/:accountId/tenant-connection',
      {
        schema: {
          tags,
          summary: 'Connect (or re-connect) the tenant; answers the administrator-consent URL to open',
          params: accountParams,
          body: connectTenantInput,
          response: {
            200: z.object({ connection: tenantConnectionView, consentUrl: z.string() }),
            ...errorResponses,
          },
        },
      },
      async (req) => {
        const { connection, consentUrl } = await services.tenantConnections.connect(
          req.actor,
          req.params.accountId,
          req.body,
          redirectUri,
        );
        return { connection: present(connection), consentUrl };
      },
    );
    app.get(
      '/consent/callback',
      {
        schema: {
          tags,
          summary:
            "Microsoft's redirects after administrator consent and the administrator's sign-in (no session needed: bound by the single-use state)",
          description:
            'Back from the admin-consent page, the browser is redirected (302) to sign in at the tenant; back from that sign-in, the verified ID token of a Global Administrator or Privileged Role Administrator of the tenant records the consent and the connection is answered. The query alone never records a grant.',
          security: [],
          querystring: z.record(z.string(), z.string().max(4096)),
          response: { 200: tenantConnectionView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const answer = await services.tenantConnections.completeConsent(req.query, Date.now(), redirectUri);
        if (answer.kind === 'sign_in') return reply.redirect(answer.url, 302);
        return present(answer.connection);
      },
    );
  };
}
