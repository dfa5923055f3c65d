import type { RouteOptions } from 'fastify';

/**
 * How many bytes of body each kind of route reads. One process serves the API, the worker and the SIP agent on one
 * event loop, so a body is read (and JSON-parsed) only as far as its route can use it:
 * - routes reachable without signing in (sign-in, invitation lookup and acceptance, Microsoft's redirects) take a
 *   few kilobytes: an email, a password, a token;
 * - signed-in JSON routes take a moderate amount (the largest real body, a brand or a user, is far below it);
 * - the CSV import takes a file of up to 100,000 users (it sets {@link CSV_IMPORT_BODY_LIMIT} itself).
 */
export const PUBLIC_BODY_LIMIT = 16 * 1024;
export const JSON_BODY_LIMIT = 256 * 1024;
export const CSV_IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

/** Signed-in routes that are nevertheless public (see auth.ts): they get the small limit too. */
const PUBLIC_API_ROUTES = new Set(['/api/v1/consent/callback']);

/**
 * The onRoute hook that gives every route the limit of its kind, unless the route set its own. Applied once to the
 * root instance, so a new route cannot be left with a large default.
 * @example app.addHook('onRoute', applyBodyLimit)
 */
export function applyBodyLimit(route: RouteOptions): void {
  if (route.bodyLimit !== undefined) return;
  route.bodyLimit = isPublicRoute(route) ? PUBLIC_BODY_LIMIT : JSON_BODY_LIMIT;
}

/** A route callable without a session or token: outside /api/v1, marked `security: []`, or a known public one. */
function isPublicRoute(route: RouteOptions): boolean {
  const security = (route.schema as { security?: unknown } | undefined)?.security;
  return (
    !route.url.startsWith('/api/v1/') ||
    PUBLIC_API_ROUTES.has(route.url) ||
    (Array.isArray(security) && security.length === 0)
  );
}
