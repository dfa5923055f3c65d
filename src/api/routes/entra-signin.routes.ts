import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.js';
import { publicUrlOf } from '../../config/config.js';
import { AppError, isAppError } from '../../domain/errors.js';
import type { Administrator } from '../../domain/records.js';
import { EntraSignInService, TRANSACTION_MINUTES } from '../../services/entra-signin.service.js';
import { openPortalSession } from '../portal-session.js';
import { errorResponses } from './error-responses.js';

/** The cookie that carries the encrypted sign-in transaction (PKCE verifier, state, nonce) to the callback. */
export const ENTRA_TRANSACTION_COOKIE = 'cb_entra';
const ENTRA_PATH = '/api/session/entra';
const CALLBACK_PATH = `${ENTRA_PATH}/callback`;
/** The same session as a password sign-in (session.routes.ts). */
const notConfigured = (publicUrl: string) =>
  new AppError(
    'not_found',
    `Sign-in with Microsoft Entra ID is not configured. Set CALLBRIDGE_ENTRA_ISSUER (https://login.microsoftonline.com/<tenant id>/v2.0), CALLBRIDGE_ENTRA_CLIENT_ID and CALLBRIDGE_ENTRA_CLIENT_SECRET, and add ${publicUrl}${CALLBACK_PATH} as a Web redirect URI of the app registration.`,
  );

/**
 * Portal sign-in with Microsoft Entra ID (when configured): `/api/session/entra` sends the browser to Microsoft
 * with a transaction cookie (httpOnly, SameSite=Lax so it comes back on the top-level redirect, 10 minutes);
 * the callback opens the same session as a password sign-in and goes to `/`, or to `/sign-in?error=<why>`.
 */
export function entraSignInRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const entra = EntraSignInService.fromConfig(ctx.config, ctx.store, ctx.secrets);
  const publicUrl = publicUrlOf(ctx.config);
  const secure = ctx.config.publicUrl?.startsWith('https:') ?? false;
  const tags = ['session'];

  const openSession = (reply: FastifyReply, administrator: Administrator) =>
    openPortalSession(ctx.services, reply, administrator, secure, 'entra');

  return async (app) => {
    app.get(
      '/api/session/providers',
      {
        schema: {
          tags,
          summary: 'Which sign-in methods the portal offers',
          security: [],
          response: { 200: z.object({ password: z.boolean(), entra: z.boolean() }) },
        },
      },
      async () => ({ password: true, entra: entra !== undefined }),
    );
    app.get(
      ENTRA_PATH,
      {
        schema: {
          tags,
          summary: 'Sign in with Microsoft Entra ID: redirects to Microsoft',
          security: [],
          response: errorResponses,
        },
      },
      async (_req, reply) => {
        if (!entra) throw notConfigured(publicUrl);
        const { authorizationUrl, transaction } = await entra.start(`${publicUrl}${CALLBACK_PATH}`);
        reply.setCookie(ENTRA_TRANSACTION_COOKIE, transaction, {
          httpOnly: true,
          sameSite: 'lax',
          secure,
          path: ENTRA_PATH,
          maxAge: TRANSACTION_MINUTES * 60,
        });
        return reply.redirect(authorizationUrl, 302);
      },
    );
    app.get(
      CALLBACK_PATH,
      {
        schema: {
          tags,
          summary: 'Where Microsoft Entra ID sends the browser back; opens the session',
          security: [],
        },
      },
      async (req, reply) => {
        reply.clearCookie(ENTRA_TRANSACTION_COOKIE, { path: ENTRA_PATH });
        try {
          if (!entra) throw notConfigured(publicUrl);
          const currentUrl = new URL(`${publicUrl}${req.url}`);
          const administrator = await entra.finish(currentUrl, req.cookies[ENTRA_TRANSACTION_COOKIE]);
          await openSession(reply, administrator);
          return reply.redirect('/', 302);
        } catch (error) {
          if (!isAppError(error)) req.log.error({ err: error }, 'Entra ID sign-in failed');
          const message = isAppError(error)
            ? error.message
            : `The sign-in with Microsoft Entra ID failed (request ${req.id}); try again.`;
          return reply.redirect(`/sign-in?error=${encodeURIComponent(message)}`, 302);
        }
      },
    );
  };
}
