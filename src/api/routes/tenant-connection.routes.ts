import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { CLOUD_NAMES } from '../../microsoft/connection.settings.js';
import { connectTenantInput } from '../../services/tenant-connections.service.js';
import { errorResponses } from './error-responses.js';

const accountParams = z.object({ accountId: z.uuid() });

const queryValue = z.string().max(4096);
/**
 * What Microsoft puts on the consent callback: the admin-consent redirect (`admin_consent`, `tenant`, `scope`) and
 * the sign-in's authorization response (`code`, `session_state`, `client_info`), or an error. Named so the API
 * document lists them; further parameters Microsoft may add are kept (bounded) rather than refused, because the
 * whole authorization response is handed to MSAL to redeem the code, and refusing Microsoft's own redirect would
 * strand the administrator mid-consent.
 */
const consentCallbackQuery = z
  .object({
    state: queryValue
      .optional()
      .describe('The single-use state Callbridge put on the consent or sign-in request'),
    admin_consent: queryValue.optional().describe('"True" when the administrator granted consent'),
    tenant: queryValue.optional().describe('The tenant id the consent was granted in'),
    scope: queryValue.optional(),
    code: queryValue.optional().describe("The sign-in's authorization code"),
    session_state: queryValue.optional(),
    client_info: queryValue.optional(),
    error: queryValue.optional().describe("Microsoft's error code, e.g. access_denied"),
    error_description: queryValue.optional(),
    error_subcode: queryValue.optional(),
    error_uri: queryValue.optional(),
  })
  .catchall(queryValue);

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
          querystring: consentCallbackQuery,
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
