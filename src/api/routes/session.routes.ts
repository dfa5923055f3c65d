import rateLimit from '@fastify/rate-limit';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../../app/context.js';
import { AppError } from '../../domain/errors.js';
import type { Administrator } from '../../domain/records.js';
import { acceptInvitationInput } from '../../services/invitations.service.js';
import { changePasswordInput } from '../../services/administrator-passwords.service.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth.js';
import { openPortalSession, sessionCookieAttributes } from '../portal-session.js';
import { errorResponses } from './error-responses.js';

const administratorView = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    platformOperator: z.boolean(),
    mustChangePassword: z
      .boolean()
      .describe('The password was chosen by someone else: change it (POST /api/session/password) first.'),
  })
  .meta({ id: 'Administrator' });

const present = (a: Administrator) => ({
  id: a.id,
  email: a.email,
  displayName: a.displayName,
  platformOperator: a.platformOperator,
  mustChangePassword: a.mustChangePassword,
});

/** Every refused password sign-in, whatever the reason: nobody learns whether an email has an administrator. */
const SIGN_IN_REFUSED = (lockAfter: number, lockMinutes: number) =>
  `The email or password is not right. After ${lockAfter} failed sign-ins in a row, sign-in is locked for ${lockMinutes} minutes (a platform operator can unlock it with callbridge admin unlock).`;

/**
 * Portal sign-in: email and password (locked after repeated failure), or an accepted invitation, give an httpOnly,
 * SameSite=Strict session cookie backed by a short-lived token (revoked at sign-out). Rate-limited per address.
 */
export function sessionRoutes(
  services: Services,
  options: { secureCookies: boolean; lockAfter: number; lockMinutes: number },
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
        if (!result.ok)
          throw new AppError('unauthenticated', SIGN_IN_REFUSED(options.lockAfter, options.lockMinutes));
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
        reply.clearCookie(SESSION_COOKIE, sessionCookieAttributes(options.secureCookies));
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/session/password',
      {
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary:
            'Change your own password (the current one, then the new one: at least 12 characters); ends your other sessions',
          body: changePasswordInput,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        const found = await services.administrators.authenticateToken(req.cookies[SESSION_COOKIE] ?? '');
        if (!found) throw new AppError('unauthenticated', 'Sign in first, then change your password.');
        if (req.headers[CSRF_HEADER] !== '1')
          throw new AppError('forbidden', `Changes from the portal must carry the ${CSRF_HEADER}: 1 header.`);
        await services.passwords.change(found.administrator, found.tokenId, req.body);
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
      async (req) => services.invitations.describeInvitation(req.body.token),
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
        const administrator = await services.invitations.acceptInvitation(req.body);
        await openSession(reply, administrator);
        return present(administrator);
      },
    );
  };
}
