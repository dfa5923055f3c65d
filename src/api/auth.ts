import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/records.js';
import { PORTAL_SESSION_TOKEN } from '../services/administrator-passwords.service.js';
import type { AdministratorsService } from '../services/administrators.service.js';
import { PHONE_APP_TAB_PREFIX } from './routes/phone-app-tab.routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: set by the auth hook for every /api/v1 route. */
    actor: Actor;
  }
}

/**
 * Routes a browser reaches without the portal's session: Microsoft's redirect after consent arrives cross-site,
 * where a SameSite=Strict cookie is not sent; it proves itself by its sealed state instead.
 */
const PUBLIC_ROUTES = new Set(['/api/v1/consent/callback']);

/** Name of the portal's session cookie. */
export const SESSION_COOKIE = 'cb_session';

/** Header the portal sends on every change; a cross-site form cannot set it (CSRF defence with SameSite=Strict). */
export const CSRF_HEADER = 'x-callbridge-csrf';

/**
 * Authenticates /api/v1: a bearer API token (scripts), or the portal's session cookie. A missing or unknown
 * credential is 401 without saying which; a cookie-authenticated change without the CSRF header is 403.
 */
export function registerAuth(app: FastifyInstance, administrators: AdministratorsService): void {
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/api/v1/') || PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return;
    // The Phone App tab's routes authenticate a Teams user by single sign-on themselves (phone-app-tab.routes.ts).
    if (request.routeOptions.url?.startsWith(PHONE_APP_TAB_PREFIX)) return;
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const cookie = bearer ? undefined : request.cookies[SESSION_COOKIE];
    const credential = bearer ?? cookie;
    const found = credential ? await administrators.authenticateToken(credential) : undefined;
    if (!found) {
      throw new AppError(
        'unauthenticated',
        'Sign in, or send an API token as "Authorization: Bearer <token>" (create one with `callbridge token create`).',
      );
    }
    if (
      cookie &&
      !['GET', 'HEAD', 'OPTIONS'].includes(request.method) &&
      request.headers[CSRF_HEADER] !== '1'
    ) {
      throw new AppError('forbidden', `Changes from the portal must carry the ${CSRF_HEADER}: 1 header.`);
    }
    // A password session of an administrator whose password someone else chose: nothing until it is changed.
    if (cookie && found.administrator.mustChangePassword && found.tokenName === PORTAL_SESSION_TOKEN) {
      throw new AppError(
        'password_change_required',
        'Choose a new password first: this one was set by someone else (POST /api/session/password with currentPassword and newPassword).',
      );
    }
    const { id, email } = found.administrator;
    const scope = found.scope ?? undefined;
    const token = { id: found.tokenId, expiresAt: found.expiresAt };
    request.actor = cookie
      ? { type: 'administrator', id, label: email, source: 'portal' }
      : { type: 'api_token', id, label: email, source: 'api', token, ...(scope && { scope }) };
  });
}
