import type { EmResponse, RouteContext } from './emulator.http.js';
import { ok } from './emulator.http.js';
import type { AppRegistration } from './seed.schema.js';
import type { TenantState } from './tenant.state.js';

/** The token endpoint's helpers this grant shares with the others (`auth.routes.ts`). */
export interface TokenEndpointParts {
  authenticateApp(
    ctx: RouteContext,
    tenant: TenantState,
    form: URLSearchParams,
  ): AppRegistration | EmResponse;
  tokenError(status: number, error: string, code: number, description: string, suberror?: string): EmResponse;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const GRAPH_RESOURCE = 'https://graph.microsoft.com';
/** OpenID scopes msal adds to every request: not permissions of a resource. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/**
 * The on-behalf-of grant as Microsoft documents it ("Microsoft identity platform and OAuth 2.0 On-Behalf-Of
 * flow"): a confidential client (client_id + its secret or certificate) posts `grant_type=jwt-bearer`,
 * `requested_token_use=on_behalf_of`, `assertion` = the access token a user's client got for *this* app, and the
 * scopes it wants of Microsoft Graph. Entra ID checks the assertion (signed by the tenant's key, issued for the
 * tenant the request is sent to, audience the app itself or one of its App ID URIs, not expired), that the user
 * can sign in, and that the delegated permissions were consented (else AADSTS65001 with suberror
 * consent_required, which msal raises as an InteractionRequiredAuthError); then it issues a delegated Graph
 * token for that user with the granted scopes.
 */
export function onBehalfOfGrant(
  ctx: RouteContext,
  tenant: TenantState,
  form: URLSearchParams,
  parts: TokenEndpointParts,
): EmResponse {
  const tokenError = parts.tokenError.bind(parts);
  const missing = ['requested_token_use', 'assertion', 'scope'].find((name) => !form.get(name));
  if (missing)
    return tokenError(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${missing}'.`,
    );
  if (form.get('requested_token_use') !== 'on_behalf_of')
    return tokenError(400, 'invalid_request', 70003, 'The app requested an unsupported grant type.');
  const app = parts.authenticateApp(ctx, tenant, form);
  if ('status' in app) return app;
  const claims = ctx.emulator.verifySigned(form.get('assertion')!);
  if (!claims || claims.iss !== `${ctx.req.baseUrl}/${tenant.id}/v2.0` || claims.tid !== tenant.id)
    return tokenError(
      400,
      'invalid_grant',
      50013,
      'Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: unknown]',
    );
  const audience = String(claims.aud);
  if (!audienceIsApp(audience, app.clientId))
    return tokenError(
      400,
      'invalid_grant',
      500131,
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${audience}' and the expected audience is '${app.clientId}' or one of the Application Uris of this application with App ID ${app.clientId}(${app.displayName}). The downstream client must request a token for the expected audience (the application that made the OBO request) and this application should use that token as the assertion.`,
    );
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp < now)
    return tokenError(
      400,
      'invalid_grant',
      500133,
      `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${new Date(now * 1000).toISOString()}, expiry time of assertion ${new Date(Number(claims.exp) * 1000).toISOString()}.`,
    );
  const user = tenant.findUser(typeof claims.oid === 'string' ? claims.oid : '');
  if (!user)
    return tokenError(
      400,
      'invalid_grant',
      50034,
      `The user account does not exist in the ${tenant.id} directory.`,
    );
  if (!user.accountEnabled) return tokenError(400, 'invalid_grant', 50057, 'The user account is disabled.');
  const requested = graphScopesOf(form.get('scope')!);
  if ('invalid' in requested)
    return tokenError(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${requested.invalid} is not valid.`,
    );
  const granted = tenant.delegatedGrants.get(app.clientId) ?? new Set<string>();
  const scopes = requested.default ? [...granted] : requested.scopes;
  if (scopes.length === 0 || scopes.some((scope) => !granted.has(scope)))
    return tokenError(
      400,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${app.clientId}' named '${app.displayName}'. Send an interactive authorization request for this user and resource.`,
      'consent_required',
    );
  const issued = ctx.emulator.issueToken(tenant, app.clientId, 'graph', { userId: user.id, scopes });
  return ok({
    token_type: 'Bearer',
    scope: scopes.map((scope) => `${GRAPH_RESOURCE}/${scope}`).join(' '),
    expires_in: issued.expiresIn,
    ext_expires_in: issued.expiresIn,
    access_token: issued.token,
  });
}

/** The app's client id, or an App ID URI naming it (`api://<host>/<client id>`, `api://<client id>`). */
function audienceIsApp(audience: string, clientId: string): boolean {
  return (
    audience === clientId ||
    (audience.startsWith('api://') && audience.endsWith(`/${clientId}`)) ||
    audience === `api://${clientId}`
  );
}

/** The Graph permissions a scope parameter asks for (`.default`: all granted), or the first one not Graph's. */
function graphScopesOf(scope: string): { scopes: string[]; default: boolean } | { invalid: string } {
  const scopes: string[] = [];
  let all = false;
  for (const item of scope.split(' ').filter(Boolean)) {
    if (OIDC_SCOPES.has(item)) continue;
    if (!item.startsWith(`${GRAPH_RESOURCE}/`)) return { invalid: item };
    const permission = item.slice(GRAPH_RESOURCE.length + 1);
    if (permission === '.default') all = true;
    else scopes.push(permission);
  }
  return { scopes, default: all };
}
