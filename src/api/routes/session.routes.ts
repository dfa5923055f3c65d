import rateLimit from '@fastify/rate-limit';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { AppError } from '../../domain/errors.js';
import type { Administrator } from '../../domain/records.js';
import { acceptInvitationInput } from '../../services/administrators.service.js';
import { SESSION_COOKIE } from '../auth.js';
import { openPortalSession } from '../portal-session.js';
import { errorResponses } from './error-responses.js';

const administratorView = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    platformOperator: z.boolean(),
  })
  .meta({ id: 'Administrator' });

const present = (a: Administrator) => ({
  id: a.id,
  email: a.email,
  displayName: a.displayName,
  platformOperator: a.platformOperator,
});

/**
 * Portal sign-in: email and password (locked after repeated failure), or an accepted invitation, give an httpOnly,
 * SameSite=Strict session cookie backed by a short-lived token (revoked at sign-out). Rate-limited per address.
 */
export function sessionRoutes(
  services: Services,
  options: { secureCookies: boolean },
): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(rateLimit, { global: false });
    const tags = ['session'];

    const openSession = (reply: FastifyReply, administrator: Administrator) =>
      openPortalSession(services, reply, administrator, options.secureCookies);

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
        const result = await services.administrators.signIn(req.body.email, req.body.password);
        if (!result.ok && result.lockedUntil) {
          throw new AppError(
            'rate_limited',
            `Too many failed sign-ins: sign-in is locked until ${result.lockedUntil.slice(11, 16)} UTC. Try again then, or ask a platform operator to unlock it (callbridge admin unlock).`,
            { lockedUntil: result.lockedUntil },
          );
        }
        if (!result.ok) throw new AppError('unauthenticated', 'The email or password is not right.');
        await openSession(reply, result.administrator);
        return present(result.administrator);
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
        return present(found.administrator);
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
    app.post(
      '/api/invitations/lookup',
      {
        config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'What an invitation link is for: email, account, role, and whether the email can sign in already',
          security: [],
          body: z.object({ token: z.string().min(10) }),
          response: {
            200: z.object({
              email: z.string(),
              accountName: z.string(),
              role: z.string(),
              existingAdministrator: z.boolean(),
            }),
            ...errorResponses,
          },
        },
      },
      async (req) => services.administrators.describeInvitation(req.body.token),
    );
    app.post(
      '/api/invitations/accept',
      {
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Accept an invitation (the token from the link); signs the administrator in',
          security: [],
          body: acceptInvitationInput,
          response: { 200: administratorView, ...errorResponses },
        },
      },
      async (req, reply) => {
        const administrator = await services.administrators.acceptInvitation(req.body);
        await openSession(reply, administrator);
        return present(administrator);
      },
    );
  };
}
