import { constants, createPublicKey, randomUUID, verify } from 'node:crypto';
import { ok, type EmRequest, type EmResponse, type Route, type RouteContext } from './emulator.http.js';
import { TEAMS_ADMIN_APP_ID, type Audience } from './emulator.state.js';
import type { AppRegistration } from './seed.schema.js';
import type { TenantState } from './tenant.state.js';

/** The token endpoint's error shape, with an AADSTS code as Entra ID writes it. */
function tokenError(status: number, error: string, code: number, description: string): EmResponse {
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
  if (form.get('grant_type') !== 'client_credentials') {
    return tokenError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
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

function openIdConfiguration(ctx: RouteContext): EmResponse {
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
  const host = new URL(ctx.req.baseUrl).host;
  return ok({
    tenant_discovery_endpoint: `${ctx.req.baseUrl}/{tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

/** `/{tenant|common}/adminconsent`: consent is given (or refused) at once and the browser sent back. */
function adminConsent(ctx: RouteContext): EmResponse {
  const { query } = ctx.req;
  const app = ctx.emulator.apps.get(query.get('client_id') ?? '');
  const redirect = query.get('redirect_uri') ?? '';
  if (!app)
    return { status: 400, text: `AADSTS700016: Application '${query.get('client_id')}' was not found.` };
  const allowed = app.redirectUris.some((uri) =>
    uri.endsWith('*') ? redirect.startsWith(uri.slice(0, -1)) : uri === redirect,
  );
  if (!allowed) {
    return {
      status: 400,
      text: `AADSTS50011: The redirect URI '${redirect}' does not match the app's redirect URIs.`,
    };
  }
  const tenants = [...ctx.emulator.tenants.values()];
  const tenant = ctx.emulator.tenant(ctx.params[0]!) ?? (tenants.length === 1 ? tenants[0] : undefined);
  if (!tenant) return chooser(ctx, tenants);
  const target = new URL(redirect);
  if (tenant.consentBehaviour === 'deny') {
    target.searchParams.set('error', 'permission_denied');
    target.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
  } else {
    tenant.consentedApps.add(app.clientId);
    target.searchParams.set('tenant', tenant.id);
    target.searchParams.set('admin_consent', 'True');
  }
  target.searchParams.set('state', query.get('state') ?? '');
  return { status: 302, headers: { location: target.toString() }, text: '' };
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
];
