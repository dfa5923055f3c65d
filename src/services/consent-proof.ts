import * as oidc from 'openid-client';
import { AppError, isAppError } from '../domain/errors.js';
import { isTenantGuid } from '../microsoft/tenant-id.js';

/**
 * Entra ID directory roles that may grant tenant-wide admin consent to application permissions (Microsoft Learn,
 * "Grant tenant-wide admin consent to an application": Global Administrator, or Privileged Role Administrator for
 * Microsoft Graph app roles), by role template id as the `wids` claim lists them.
 */
export const CONSENT_ROLES: Readonly<Record<string, string>> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
};

/** What the verified ID token says about who consented. */
export interface ConsentProof {
  tenantId: string;
  objectId: string | null;
  userPrincipalName: string | null;
  roles: string[];
}

/** The app that redeems the code: the connection's own app (its client id and secret). */
export interface SignInClient {
  authorityHost: string;
  clientId: string;
  clientSecret: string;
  /** Demo mode: a loopback emulator may answer over plain http. */
  demo: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The sign-in that proves who consented: OpenID Connect authorization code flow with PKCE (S256), state and
 * nonce, through openid-client (as the Entra sign-in of administrators), at the authority of the one tenant the
 * consent is for. openid-client checks the ID token's signature against the tenant's JWKS, its issuer (which
 * names the tenant), audience (our app), nonce and lifetime; here the `tid` must be that tenant and `wids` must
 * hold a role that may grant tenant-wide consent.
 */
export class ConsentSignIn {
  private constructor(private readonly configuration: oidc.Configuration) {}

  /** Reads the tenant's OpenID metadata; its token endpoint must be on the authority itself (the secret goes there). */
  static async open(client: SignInClient, tenantId: string): Promise<ConsentSignIn> {
    if (!isTenantGuid(tenantId))
      throw refusal(
        `Microsoft named the tenant ${JSON.stringify(tenantId.slice(0, 60))}, which is not a tenant id.`,
      );
    const authority = new URL(client.authorityHost);
    const issuer = new URL(`${authority.origin}${authority.pathname.replace(/\/+$/, '')}/${tenantId}/v2.0`);
    const local = authority.protocol === 'http:' && client.demo && LOOPBACK.has(authority.hostname);
    let configuration: oidc.Configuration;
    try {
      configuration = await oidc.discovery(issuer, client.clientId, client.clientSecret, undefined, {
        execute: local
          ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks]
          : [oidc.enableNonRepudiationChecks],
      });
    } catch (error) {
      throw new AppError(
        'upstream_failed',
        `Microsoft's sign-in for the tenant could not be read (${error instanceof Error ? error.message : String(error)}); try again later.`,
      );
    }
    const metadata = configuration.serverMetadata();
    for (const endpoint of [metadata.token_endpoint, metadata.authorization_endpoint]) {
      if (!endpoint || new URL(endpoint).origin !== authority.origin)
        throw new AppError(
          'upstream_failed',
          `The sign-in metadata names an endpoint on another host (${endpoint ?? 'none'}); Callbridge uses only ${authority.origin}.`,
        );
    }
    return new ConsentSignIn(configuration);
  }

  /**
   * The tenant id a domain name stands for, as Microsoft's metadata for that domain names it in its issuer
   * (`<authority>/<tenant id>/v2.0`). No secret is sent; the domain was checked before it is put in the URL.
   */
  static async tenantIdOf(authorityHost: string, domain: string, demo: boolean): Promise<string> {
    const authority = new URL(authorityHost);
    const base = `${authority.origin}${authority.pathname.replace(/\/+$/, '')}`;
    const local = authority.protocol === 'http:' && demo && LOOPBACK.has(authority.hostname);
    if (authority.protocol !== 'https:' && !local) throw refusal('The sign-in host must use https.');
    let issuer: unknown;
    try {
      const response = await fetch(
        `${base}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`,
        {
          signal: AbortSignal.timeout(10_000),
        },
      );
      issuer = response.ok ? ((await response.json()) as { issuer?: unknown }).issuer : undefined;
    } catch {
      issuer = undefined;
    }
    const match = typeof issuer === 'string' ? /\/([0-9a-f-]{36})\/v2\.0$/i.exec(issuer) : null;
    if (!match || !issuer || !(issuer as string).startsWith(`${base}/`))
      throw refusal(`Microsoft does not know the domain ${domain}: give the tenant id (a GUID) instead.`);
    return match[1]!.toLowerCase();
  }

  /** The sign-in URL and the secrets to keep (sealed, server-side) until the browser comes back. */
  async start(redirectUri: string, state: string): Promise<{ url: string; verifier: string; nonce: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(this.configuration, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, verifier, nonce };
  }

  /** Redeems the code of the callback URL and checks the ID token; throws a refusal saying what was wrong. */
  async finish(
    callbackUrl: URL,
    expected: { state: string; verifier: string; nonce: string; tenantId: string },
  ): Promise<ConsentProof> {
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(this.configuration, callbackUrl, {
        pkceCodeVerifier: expected.verifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw refusalOf(error);
    }
    if (!claims) throw refusal('Microsoft returned no ID token.');
    const tid = typeof claims['tid'] === 'string' ? claims['tid'].toLowerCase() : '';
    if (tid !== expected.tenantId)
      throw refusal('The administrator signed in to another tenant than the one being connected.');
    const wids = Array.isArray(claims['wids'])
      ? claims['wids'].filter((w): w is string => typeof w === 'string')
      : [];
    const roles = wids.map((w) => CONSENT_ROLES[w.toLowerCase()]).filter((r): r is string => r !== undefined);
    const upn = typeof claims['preferred_username'] === 'string' ? claims['preferred_username'] : null;
    if (roles.length === 0)
      throw refusal(
        `${upn ?? 'The user who signed in'} may not grant tenant-wide consent: sign in as a Global Administrator or Privileged Role Administrator of the tenant.`,
      );
    return {
      tenantId: tid,
      objectId: typeof claims['oid'] === 'string' ? claims['oid'] : null,
      userPrincipalName: upn,
      roles,
    };
  }
}

function refusal(message: string): AppError {
  return new AppError('forbidden', `Consent not recorded. ${message}`, { field: 'consent' });
}

/** A readable reason for a sign-in openid-client refused (Microsoft's AADSTS text without its trace ids). */
function refusalOf(error: unknown): AppError {
  if (isAppError(error)) return error;
  const short = (text: string) => text.split(/\r?\n| Trace ID:/)[0]!.trim();
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError)
    return refusal(`Microsoft refused the sign-in: ${short(error.error_description ?? error.error)}`);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return refusal(
    `Microsoft's answer could not be verified (${cause instanceof Error ? cause.message : String(cause)}).`,
  );
}
