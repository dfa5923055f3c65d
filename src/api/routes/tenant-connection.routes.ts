import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { connectTenantInput } from '../../services/tenant-connections.service.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });

export const tenantConnectionView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    tenantId: z.string().nullable(),
    cloud: z.enum(['global', 'usgov', 'china', 'custom']),
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
            "Microsoft's redirect after administrator consent (no session needed: bound by the sealed state)",
          security: [],
          querystring: z.record(z.string(), z.string()),
          response: { 200: tenantConnectionView, ...errorResponses },
        },
      },
      async (req) => present(await services.tenantConnections.completeConsent(req.query)),
    );
  };
}
