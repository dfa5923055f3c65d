import { constants, createHash, createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import { ok, type EmRequest, type EmResponse, type Route, type RouteContext } from './emulator.http.js';
import { TEAMS_ADMIN_APP_ID, type Audience } from './emulator.state.js';
import { JWT_BEARER, onBehalfOfGrant } from './obo-grant.js';
import type { AppRegistration } from './seed.schema.js';
import type { EmUser, TenantState } from './tenant.state.js';

/** The token endpoint's error shape, with an AADSTS code as Entra ID writes it. */
function tokenError(
  status: number,
  error: string,
  code: number,
  description: string,
  suberror?: string,
): EmResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      ...(suberror && { suberror }),
    },
  };
}

function formOf(req: EmRequest): URLSearchParams {
  return typeof req.body === 'string' ? new URLSearchParams(req.body) : new URLSearchParams();
}

function audienceOf(scope: string): Audience | undefined {
  const resource = scope.trim().replace(/\/\.default$/, '');
  if (/^https:\/\/graph\.microsoft\.(com|us)$|^https:\/\/microsoftgraph\.chinacloudapi\.cn$/.test(resource))
    return 'graph';
  if (resource === TEAMS_ADMIN_APP_ID || /api\.interfaces\.records\.teams\.microsoft/.test(resource))
    return 'teamsAdmin';
  return undefined;
}

/** Check a client assertion (certificate credential): thumbprint known, signature valid, audience right. */
function assertionValid(app: AppRegistration, assertion: string, tokenUrl: string): boolean {
  const [h, p, s] = assertion.split('.');
  if (!h || !p || !s) return false;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, string>;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  const thumb = header['x5t#S256'];
  const cert = app.certificates.find(
    (c) => Buffer.from(c.thumbprintSha256, 'hex').toString('base64url') === thumb,
  );
  if (!cert || claims.iss !== app.clientId || claims.sub !== app.clientId) return false;
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return false;
  if (claims.aud !== tokenUrl) return false;
  const key = createPublicKey(cert.publicKeyPem);
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  if (header.alg === 'PS256') {
    return verify(
      'sha256',
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      signature,
    );
  }
  return header.alg === 'RS256' && verify('sha256', data, key, signature);
}

function authenticateApp(
  ctx: RouteContext,
  tenant: TenantState,
  form: URLSearchParams,
): AppRegistration | EmResponse {
  const clientId = form.get('client_id') ?? '';
  const app = ctx.emulator.apps.get(clientId);
  if (!app) {
    return tokenError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant.domain}'.`,
    );
  }
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  const tokenUrl = `${ctx.req.baseUrl}${ctx.req.path}`;
  if (
    secret !== null ? !app.secrets.includes(secret) : !assertion || !assertionValid(app, assertion, tokenUrl)
  ) {
    return secret !== null
      ? tokenError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        )
      : tokenError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
  if (!tenant.consentedApps.has(clientId)) {
    return tokenError(
      401,
      'invalid_client',
      7000229,
      `The client application ${clientId} is missing service principal in the tenant ${tenant.id}. An administrator must consent to the application.`,
    );
  }
  return app;
}

function token(ctx: RouteContext): EmResponse {
  const tenant = ctx.emulator.tenant(ctx.params[0]!);
  if (!tenant) return tokenError(400, 'invalid_request', 90002, `Tenant '${ctx.params[0]}' not found.`);
  const form = formOf(ctx.req);
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') return authorizationCodeGrant(ctx, tenant, form);
  if (grantType === JWT_BEARER) return onBehalfOfGrant(ctx, tenant, form, { authenticateApp, tokenError });
  if (grantType !== 'client_credentials') {
    return tokenError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
  const scope = form.get('scope') ?? '';
  const counts = ctx.emulator.authRequests.tokens;
  counts[scope] = (counts[scope] ?? 0) + 1;
  const app = authenticateApp(ctx, tenant, form);
  if ('status' in app) return app;
  const audience = audienceOf(form.get('scope') ?? '');
  if (!audience) {
    return tokenError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${form.get('scope')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
    );
  }
  const issued = ctx.emulator.issueToken(tenant, app.clientId, audience);
  return ok({
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    ext_expires_in: issued.expiresIn,
    access_token: issued.token,
  });
}

const CODE_LIFETIME_MS = 10 * 60_000;

/** Redeem an authorization code (once, by its app, with its redirect URI and PKCE verifier). */
function authorizationCodeGrant(ctx: RouteContext, tenant: TenantState, form: URLSearchParams): EmResponse {
  const app = authenticateApp(ctx, tenant, form);
  if ('status' in app) return app;
  const code = ctx.emulator.authorizationCodes.get(form.get('code') ?? '');
  if (!code || code.tenantId !== tenant.id || code.clientId !== app.clientId) {
    return tokenError(
      400,
      'invalid_grant',
      70000,
      "The provided value for the 'code' parameter is not valid.",
    );
  }
  if (code.redeemed) {
    return tokenError(
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    );
  }
  code.redeemed = true;
  if (code.expiresAt < Date.now()) {
    return tokenError(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity.',
    );
  }
  if (form.get('redirect_uri') !== code.redirectUri) {
    return tokenError(
      400,
      'invalid_grant',
      50011,
      `The redirect URI '${form.get('redirect_uri')}' specified in the request does not match the redirect URI used when the authorization code was requested.`,
    );
  }
  const verifier = form.get('code_verifier') ?? '';
  if (
    code.codeChallenge &&
    createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge
  ) {
    return tokenError(
      400,
      'invalid_grant',
      50148,
      'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
    );
  }
  const user = tenant.findUser(code.userId);
  if (!user)
    return tokenError(400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
  const issued = ctx.emulator.issueToken(tenant, app.clientId, 'graph');
  return ok({
    token_type: 'Bearer',
    scope: code.scope,
    expires_in: issued.expiresIn,
    ext_expires_in: issued.expiresIn,
    access_token: issued.token,
    ...(code.scope.split(' ').includes('openid') && {
      id_token: idTokenOf(ctx, tenant, user, app.clientId, code.nonce),
    }),
  });
}

/**
 * The v2.0 ID token Entra ID issues: `sub` is pairwise (per app), `oid` the user's object id, `tid` the tenant,
 * `wids` the user's directory roles (role template ids).
 */
function idTokenOf(
  ctx: RouteContext,
  tenant: TenantState,
  user: EmUser,
  clientId: string,
  nonce: string | null,
): string {
  const now = Math.floor(Date.now() / 1000);
  return ctx.emulator.signIdToken({
    aud: clientId,
    iss: `${ctx.req.baseUrl}/${tenant.id}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    ...(user.mail && { email: user.mail }),
    name: user.displayName,
    ...(nonce !== null && { nonce }),
    oid: user.id,
    preferred_username: user.userPrincipalName,
    sub: createHash('sha256').update(`${clientId}:${user.id}`).digest('base64url').slice(0, 43),
    tid: tenant.id,
    ver: '2.0',
    // The tenant-wide roles, as Entra ID emits them for an app whose groupMembershipClaims include DirectoryRole.
    ...(user.directoryRoles.length > 0 && { wids: user.directoryRoles }),
  });
}

function openIdConfiguration(ctx: RouteContext): EmResponse {
  ctx.emulator.authRequests.discovery++;
  const tenant = ctx.emulator.tenant(ctx.params[0]!);
  const tenantId = tenant?.id ?? ctx.params[0]!;
  const base = `${ctx.req.baseUrl}/${tenantId}`;
  return ok({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${ctx.req.baseUrl}/${tenantId}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'emulator.local',
  });
}

function instanceDiscovery(ctx: RouteContext): EmResponse {
  ctx.emulator.authRequests.discovery++;
  const host = new URL(ctx.req.baseUrl).host;
  return ok({
    tenant_discovery_endpoint: `${ctx.req.baseUrl}/{tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

/** Whether a redirect URI is one of the app's (a trailing `*` matches any rest, for the demo's loopback URIs). */
function redirectAllowed(app: AppRegistration, redirect: string): boolean {
  return app.redirectUris.some((uri) =>
    uri.endsWith('*') ? redirect.startsWith(uri.slice(0, -1)) : uri === redirect,
  );
}

const redirectMismatch = (redirect: string, app: AppRegistration): EmResponse => ({
  status: 400,
  text: `AADSTS50011: The redirect URI '${redirect}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`,
});

/** `/{tenant|common}/adminconsent`: consent is given (or refused) at once and the browser sent back. */
function adminConsent(ctx: RouteContext): EmResponse {
  const { query } = ctx.req;
  const app = ctx.emulator.apps.get(query.get('client_id') ?? '');
  const redirect = query.get('redirect_uri') ?? '';
  if (!app)
    return { status: 400, text: `AADSTS700016: Application '${query.get('client_id')}' was not found.` };
  if (!redirectAllowed(app, redirect)) return redirectMismatch(redirect, app);
  const tenants = [...ctx.emulator.tenants.values()];
  const tenant = ctx.emulator.tenant(ctx.params[0]!) ?? (tenants.length === 1 ? tenants[0] : undefined);
  if (!tenant) return chooser(ctx, tenants);
  const target = new URL(redirect);
  if (tenant.consentBehaviour === 'deny') {
    target.searchParams.set('error', 'permission_denied');
    target.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
  } else {
    tenant.consentedApps.add(app.clientId);
    // The delegated permissions the app requests now are what this consent grants (re-consent picks up new ones).
    tenant.delegatedGrants.set(app.clientId, new Set(app.delegatedScopes));
    target.searchParams.set('tenant', tenant.id);
    target.searchParams.set('admin_consent', 'True');
  }
  target.searchParams.set('state', query.get('state') ?? '');
  return { status: 302, headers: { location: target.toString() }, text: '' };
}

/**
 * `/{tenant}/oauth2/v2.0/authorize` (response_type=code): the user named by `login_hint` "signs in" at once;
 * without a hint, a page lists the tenant's users to pick from. Problems with the request itself are shown on
 * the page (as Entra ID does); the others go back to the app as `error` and `error_description`.
 */
function authorize(ctx: RouteContext): EmResponse {
  const { query } = ctx.req;
  const app = ctx.emulator.apps.get(query.get('client_id') ?? '');
  const redirect = query.get('redirect_uri') ?? '';
  if (!app) {
    return {
      status: 400,
      text: `AADSTS700016: Application with identifier '${query.get('client_id')}' was not found in the directory.`,
    };
  }
  if (!redirectAllowed(app, redirect)) return redirectMismatch(redirect, app);
  const tenant = ctx.emulator.tenant(ctx.params[0]!);
  if (!tenant) return { status: 400, text: `AADSTS90002: Tenant '${ctx.params[0]}' not found.` };
  const refused = authorizeRefusal(query, tenant, app);
  if (refused) return backTo(redirect, { ...refused, state: query.get('state') });
  const hint = query.get('login_hint');
  if (!hint) return userChooser(ctx, tenant);
  const user = tenant.findUser(hint);
  if (!user || user.accountType === 'resourceAccount') {
    return {
      status: 400,
      text: `AADSTS50034: The user account ${hint} does not exist in the ${tenant.id} directory. To sign into this application, the account must be added to the directory.`,
    };
  }
  if (!user.accountEnabled) return { status: 400, text: 'AADSTS50057: The user account is disabled.' };
  return backTo(redirect, {
    code: issueCode(ctx, tenant, app, user, redirect),
    state: query.get('state'),
    session_state: randomUUID(),
  });
}

/** Why an authorization request goes back with an error, or undefined when it may proceed. */
function authorizeRefusal(
  query: URLSearchParams,
  tenant: TenantState,
  app: AppRegistration,
): { error: string; error_description: string } | undefined {
  if (query.get('response_type') !== 'code') {
    return {
      error: 'unsupported_response_type',
      error_description: `AADSTS700054: response_type '${query.get('response_type')}' is not enabled for the application.`,
    };
  }
  if (query.get('code_challenge') && query.get('code_challenge_method') !== 'S256') {
    return {
      error: 'invalid_request',
      error_description: 'AADSTS9002313: Invalid request. code_challenge_method must be S256.',
    };
  }
  if (!tenant.consentedApps.has(app.clientId)) {
    return {
      error: 'consent_required',
      error_description: `AADSTS65001: The user or administrator has not consented to use the application with ID '${app.clientId}'.`,
    };
  }
  return undefined;
}

function issueCode(
  ctx: RouteContext,
  tenant: TenantState,
  app: AppRegistration,
  user: EmUser,
  redirectUri: string,
): string {
  const codes = ctx.emulator.authorizationCodes;
  const now = Date.now();
  for (const [key, old] of codes) if (old.expiresAt < now) codes.delete(key);
  const code = randomBytes(32).toString('base64url');
  codes.set(code, {
    tenantId: tenant.id,
    clientId: app.clientId,
    userId: user.id,
    redirectUri,
    codeChallenge: ctx.req.query.get('code_challenge'),
    nonce: ctx.req.query.get('nonce'),
    scope: ctx.req.query.get('scope') ?? 'openid',
    expiresAt: now + CODE_LIFETIME_MS,
    redeemed: false,
  });
  return code;
}

function backTo(redirect: string, params: Record<string, string | null>): EmResponse {
  const target = new URL(redirect);
  for (const [name, value] of Object.entries(params))
    if (value !== null) target.searchParams.set(name, value);
  return { status: 302, headers: { location: target.toString() }, text: '' };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "Pick an account": the tenant's users who can sign in, each a link that signs in as them. */
function userChooser(ctx: RouteContext, tenant: TenantState): EmResponse {
  const links = tenant
    .userList()
    .filter((u) => u.accountEnabled && u.accountType !== 'resourceAccount')
    .map((u) => {
      const query = new URLSearchParams(ctx.req.query);
      query.set('login_hint', u.userPrincipalName);
      const href = `/${encodeURIComponent(tenant.id)}/oauth2/v2.0/authorize?${query.toString()}`;
      return `<li><a href="${escapeHtml(href)}">${escapeHtml(u.displayName)} (${escapeHtml(u.userPrincipalName)})</a></li>`;
    })
    .join('');
  return {
    status: 200,
    headers: { 'content-type': 'text/html' },
    text: `<h1>Pick an account</h1><p>${escapeHtml(tenant.displayName)}</p><ul>${links}</ul>`,
  };
}

/** The public keys that verify ID tokens (Microsoft's `discovery/v2.0/keys`). */
function signingKeys(ctx: RouteContext): EmResponse {
  return ok({ keys: ctx.emulator.jwks() });
}

/** With several tenants and `common`, let the person pick the tenant they "sign in" to. */
function chooser(ctx: RouteContext, tenants: TenantState[]): EmResponse {
  const query = ctx.req.query.toString();
  const links = tenants
    .map(
      (t) =>
        `<li><a href="/${encodeURIComponent(t.id)}/adminconsent?${query.replace(/&/g, '&amp;')}">${t.displayName} (${t.domain})</a></li>`,
    )
    .join('');
  return {
    status: 200,
    headers: { 'content-type': 'text/html' },
    text: `<h1>Pick an account</h1><ul>${links}</ul>`,
  };
}

/** Routes of the login host. */
export const authRoutes: Route[] = [
  { method: 'POST', pattern: /^\/([^/]+)\/oauth2\/v2\.0\/token$/, handler: token },
  {
    method: 'GET',
    pattern: /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/,
    handler: openIdConfiguration,
  },
  { method: 'GET', pattern: /^\/common\/discovery\/instance$/, handler: instanceDiscovery },
  { method: 'GET', pattern: /^\/([^/]+)\/adminconsent$/, handler: adminConsent },
  { method: 'GET', pattern: /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/, handler: authorize },
  { method: 'GET', pattern: /^\/([^/]+)\/discovery\/v2\.0\/keys$/, handler: signingKeys },
];
