import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { AppError } from '../../domain/errors.js';
import { SESSION_COOKIE } from '../auth.js';
import { errorResponses } from './error-responses.js';

const SESSION_HOURS = 12;
const administratorView = z
  .object({ id: z.string(), email: z.string(), displayName: z.string() })
  .meta({ id: 'Administrator' });

/**
 * Portal sign-in: email and password give an httpOnly, SameSite=Strict session cookie backed by a short-lived
 * token (revoked at sign-out). Rate-limited per client address.
 */
export function sessionRoutes(
  services: Services,
  options: { secureCookies: boolean },
): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(rateLimit, { global: false });
    const tags = ['session'];
    app.post(
      '/api/session',
      {
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Sign in with email and password',
          security: [],
          body: z.object({ email: z.string().min(1), password: z.string().min(1) }),
          response: { 200: administratorView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const administrator = await services.administrators.verifyPassword(req.body.email, req.body.password);
        if (!administrator) throw new AppError('unauthenticated', 'The email or password is not right.');
        const actor = {
          type: 'administrator',
          id: administrator.id,
          label: administrator.email,
          source: 'portal',
        } as const;
        const { token } = await services.administrators.createToken(
          actor,
          administrator.email,
          'portal session',
          new Date(Date.now() + SESSION_HOURS * 3_600_000),
        );
        reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: options.secureCookies,
          path: '/',
          maxAge: SESSION_HOURS * 3600,
        });
        return { id: administrator.id, email: administrator.email, displayName: administrator.displayName };
      },
    );
    app.get(
      '/api/session',
      {
        schema: {
          tags,
          summary: 'Who is signed in',
          response: { 200: administratorView, ...errorResponses },
        },
      },
      async (req) => {
        const found = await services.administrators.authenticateToken(req.cookies[SESSION_COOKIE] ?? '');
        if (!found) throw new AppError('unauthenticated', 'Not signed in.');
        return {
          id: found.administrator.id,
          email: found.administrator.email,
          displayName: found.administrator.displayName,
        };
      },
    );
    app.delete(
      '/api/session',
      { schema: { tags, summary: 'Sign out', response: { 204: z.null() } } },
      async (req, reply) => {
        const found = await services.administrators.authenticateToken(req.cookies[SESSION_COOKIE] ?? '');
        if (found) await services.administrators.revokeToken(found.administrator.id, found.tokenId);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );
  };
}
