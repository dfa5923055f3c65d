import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { graphError, ok, type EmResponse, type Route, type RouteContext } from './emulator.http.js';
import { externalCallDecision } from './external-access.js';

/**
 * The Teams clients' own application ids: they ask Entra ID for the tab's SSO token (the `azp` of the token),
 * and are the clients an SSO app pre-authorizes (Microsoft's "Enable SSO for tab app": desktop/mobile and web).
 */
export const TEAMS_CLIENT_IDS = {
  desktop: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  web: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
} as const;

const ssoRequestSchema = z.strictObject({
  /** The user's object id or UPN. */
  user: z.string().min(1),
  /** The tab's SSO application (the manifest's webApplicationInfo.id). */
  clientId: z.string().min(1),
  /** Seconds from now until the token expires; negative for an expired token (tests of expiry). */
  expiresInSeconds: z.number().int().min(-86400).max(86400).default(3600),
  client: z.enum(['desktop', 'web']).default('web'),
});

/**
 * What Teams' `authentication.getAuthToken` hands a tab: a v2.0 access token for the tab's application, with the
 * claims Microsoft documents for v2.0 access tokens (aud = the API's client id, iss `<authority>/<tid>/v2.0`,
 * azp = the Teams client, scp `access_as_user`, oid, tid, preferred_username, name, sub, ver 2.0), signed RS256
 * with the key of the tenant's `discovery/v2.0/keys`. Test-only: in reality only a signed-in Teams client gets one.
 */
function teamsSsoToken(ctx: RouteContext): EmResponse {
  const tenant = ctx.emulator.tenant(ctx.params[0]!);
  if (!tenant) return graphError(404, 'NotFound', `No tenant '${ctx.params[0]}' in the emulator.`);
  const parsed = ssoRequestSchema.safeParse(ctx.req.body ?? {});
  if (!parsed.success) return graphError(400, 'BadRequest', z.prettifyError(parsed.error));
  const request = parsed.data;
  const user = tenant.findUser(request.user);
  if (!user) return graphError(404, 'NotFound', `No user '${request.user}' in tenant ${tenant.id}.`);
  if (!user.accountEnabled)
    return graphError(400, 'BadRequest', 'AADSTS50057: The user account is disabled.');
  const now = Math.floor(Date.now() / 1000);
  const token = ctx.emulator.signIdToken({
    aud: request.clientId,
    iss: `${ctx.req.baseUrl}/${tenant.id}/v2.0`,
    iat: now - 5,
    nbf: now - 5,
    exp: now + request.expiresInSeconds,
    aio: randomBytes(24).toString('base64url'),
    azp: TEAMS_CLIENT_IDS[request.client],
    azpacr: '0',
    name: user.displayName,
    oid: user.id,
    preferred_username: user.userPrincipalName,
    rh: randomBytes(12).toString('base64url'),
    scp: 'access_as_user',
    sub: createHash('sha256').update(`${request.clientId}:${user.id}`).digest('base64url').slice(0, 43),
    tid: tenant.id,
    uti: randomBytes(16).toString('base64url'),
    ver: '2.0',
  });
  return ok({ token, expiresOn: new Date((now + request.expiresInSeconds) * 1000).toISOString() });
}

/** Whether a call from an external (federated) domain would reach a user: see external-access.ts. */
function externalAccessCheck(ctx: RouteContext): EmResponse {
  const tenant = ctx.emulator.tenant(ctx.params[0]!);
  if (!tenant) return graphError(404, 'NotFound', `No tenant '${ctx.params[0]}' in the emulator.`);
  const user = ctx.req.query.get('user');
  const fromDomain = ctx.req.query.get('fromDomain');
  if (!user || !fromDomain)
    return graphError(400, 'BadRequest', 'Give ?user=<object id or UPN>&fromDomain=<calling domain>.');
  return ok(externalCallDecision(tenant, user, fromDomain));
}

const t = (rest: string) => new RegExp(`^\\/_emulator\\/tenants\\/([^/]+)${rest}$`);

/** Test controls: a Teams SSO token for a seeded user; the external-access decision for a call to a user. */
export const teamsSsoRoutes: Route[] = [
  { method: 'POST', pattern: t('/teams-sso-token'), handler: teamsSsoToken },
  { method: 'GET', pattern: t('/external-access/check'), handler: externalAccessCheck },
];
