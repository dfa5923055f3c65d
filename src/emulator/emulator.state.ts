import {
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { AppRegistration, SeedFile } from './seed.schema.js';
import { TenantState } from './tenant.state.js';
import { syntheticUsers } from './large-tenant.generator.js';

/** Audiences the emulator issues tokens for. */
export type Audience = 'graph' | 'teamsAdmin';

/** The Teams admin API's resource id (scope `<id>/.default`). */
export const TEAMS_ADMIN_APP_ID = '48ac35b8-9aa8-4d74-927d-1f4a14a0b239';

/** A code from the authorize endpoint: redeemed once, within ten minutes, by the app it was issued to. */
export interface AuthorizationCode {
  tenantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** PKCE S256 challenge; null when the app sent none. */
  codeChallenge: string | null;
  nonce: string | null;
  scope: string;
  expiresAt: number;
  redeemed: boolean;
}

/** The RSA key that signs ID tokens, published in the JWKS under `kid`. */
interface IdTokenKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JsonWebKey;
}

interface TokenClaims {
  tid: string;
  appid: string;
  aud: Audience;
  exp: number;
  /** A delegated token (on-behalf-of): the user's object id and the granted scopes, space-separated. */
  oid?: string;
  scp?: string;
}

/**
 * Requests to the login host since the last reset, for tests and benches of token reuse: client-credential
 * token requests per scope, and discovery requests (OpenID configuration, instance discovery).
 */
export interface AuthRequestCounts {
  tokens: Record<string, number>;
  discovery: number;
}

/** All emulated tenants and app registrations, and the key that signs the emulator's access tokens. */
export class EmulatorState {
  readonly apps = new Map<string, AppRegistration>();
  readonly tenants = new Map<string, TenantState>();
  private readonly byDomain = new Map<string, TenantState>();
  private readonly signingKey = randomBytes(32);
  /** Codes issued by the authorize endpoint (sign-in with authorization code + PKCE). */
  readonly authorizationCodes = new Map<string, AuthorizationCode>();
  private idTokenKey: IdTokenKey | undefined;
  tokenLifetimeSeconds = 3599;
  /** Login-host requests counted since the last reset (`GET/DELETE /_emulator/auth-requests`). */
  authRequests: AuthRequestCounts = { tokens: {}, discovery: 0 };

  constructor(seed: SeedFile) {
    for (const app of seed.apps) this.apps.set(app.clientId, app);
    for (const tenantSeed of seed.tenants) {
      const tenant = new TenantState(tenantSeed);
      // A seeded consent grants the app's delegated permissions as they are registered (as an admin consent does).
      for (const clientId of tenantSeed.consentedApps)
        tenant.delegatedGrants.set(clientId, new Set(this.apps.get(clientId)?.delegatedScopes ?? []));
      if (tenantSeed.generateUsers > 0) {
        for (const user of syntheticUsers(tenantSeed.generateUsers, tenant.domain, tenantSeed.skus))
          tenant.addUser(user);
      }
      this.addTenant(tenant);
    }
  }

  addTenant(tenant: TenantState): void {
    this.tenants.set(tenant.id, tenant);
    this.byDomain.set(tenant.domain.toLowerCase(), tenant);
  }

  /** A tenant by id or by its initial domain. */
  tenant(idOrDomain: string): TenantState | undefined {
    return this.tenants.get(idOrDomain) ?? this.byDomain.get(idOrDomain.toLowerCase());
  }

  /** Issue a signed access token (JWT-shaped, HMAC-signed: only the emulator reads it). */
  issueToken(
    tenant: TenantState,
    appId: string,
    audience: Audience,
    delegated?: { userId: string; scopes: string[] },
  ): { token: string; expiresIn: number } {
    const claims: TokenClaims = {
      tid: tenant.id,
      appid: appId,
      aud: audience,
      exp: Math.floor(Date.now() / 1000) + this.tokenLifetimeSeconds,
      ...(delegated && { oid: delegated.userId, scp: delegated.scopes.join(' ') }),
    };
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = this.sign(`${header}.${payload}`);
    return { token: `${header}.${payload}.${signature}`, expiresIn: this.tokenLifetimeSeconds };
  }

  /** Validate a bearer token for an audience; returns the claims or a reason. */
  verifyToken(authorization: string | undefined, audience: Audience): TokenClaims | { error: string } {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return { error: 'Access token is empty.' };
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return { error: 'IDX14100: JWT is not well formed.' };
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { error: 'Access token validation failure. Invalid signature.' };
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    if (claims.exp * 1000 < Date.now()) return { error: 'Lifetime validation failed, the token is expired.' };
    if (claims.aud !== audience) return { error: 'Invalid audience.' };
    return claims;
  }

  /** Sign ID token claims with RS256 and the `kid` of the key published by {@link jwks}. */
  signIdToken(claims: Record<string, unknown>): string {
    const key = this.rsaKey();
    const header = { typ: 'JWT', alg: 'RS256', kid: key.kid };
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const signingInput = `${encode(header)}.${encode(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url');
    return `${signingInput}.${signature}`;
  }

  /**
   * The claims of a token this emulator signed with its RS256 key (an SSO token, an ID token), or undefined when
   * the token is malformed or its signature does not match (a token from elsewhere, or altered).
   */
  verifySigned(token: string): Record<string, unknown> | undefined {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return undefined;
    try {
      const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string }).alg;
      const key = createPublicKey(this.rsaKey().privateKey);
      const data = Buffer.from(`${header}.${payload}`);
      if (alg !== 'RS256' || !verify('sha256', data, key, Buffer.from(signature, 'base64url')))
        return undefined;
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  /** The public half of the ID token key, as the `keys` of Microsoft's JWKS document. */
  jwks(): Record<string, unknown>[] {
    const key = this.rsaKey();
    return [{ kty: 'RSA', use: 'sig', kid: key.kid, n: key.publicJwk.n, e: key.publicJwk.e }];
  }

  /** The RSA key pair, made once per emulator on first use (2048-bit generation costs tens of ms). */
  private rsaKey(): IdTokenKey {
    if (!this.idTokenKey) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const publicJwk = publicKey.export({ format: 'jwk' });
      // RFC 7638 thumbprint: the members e, kty, n in that order.
      const thumbprint = JSON.stringify({ e: publicJwk.e, kty: 'RSA', n: publicJwk.n });
      const kid = createHash('sha256').update(thumbprint).digest('base64url');
      this.idTokenKey = { kid, privateKey, publicJwk };
    }
    return this.idTokenKey;
  }

  private sign(data: string): string {
    return createHmac('sha256', this.signingKey).update(data).digest('base64url');
  }
}
