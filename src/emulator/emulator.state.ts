import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppRegistration, SeedFile } from './seed.schema.js';
import { TenantState } from './tenant.state.js';
import { syntheticUsers } from './large-tenant.generator.js';

/** Audiences the emulator issues tokens for. */
export type Audience = 'graph' | 'teamsAdmin';

/** The Teams admin API's resource id (scope `<id>/.default`). */
export const TEAMS_ADMIN_APP_ID = '48ac35b8-9aa8-4d74-927d-1f4a14a0b239';

interface TokenClaims {
  tid: string;
  appid: string;
  aud: Audience;
  exp: number;
}

/** All emulated tenants and app registrations, and the key that signs the emulator's access tokens. */
export class EmulatorState {
  readonly apps = new Map<string, AppRegistration>();
  readonly tenants = new Map<string, TenantState>();
  private readonly byDomain = new Map<string, TenantState>();
  private readonly signingKey = randomBytes(32);
  tokenLifetimeSeconds = 3599;

  constructor(seed: SeedFile) {
    for (const app of seed.apps) this.apps.set(app.clientId, app);
    for (const tenantSeed of seed.tenants) {
      const tenant = new TenantState(tenantSeed);
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
  issueToken(tenant: TenantState, appId: string, audience: Audience): { token: string; expiresIn: number } {
    const claims: TokenClaims = {
      tid: tenant.id,
      appid: appId,
      aud: audience,
      exp: Math.floor(Date.now() / 1000) + this.tokenLifetimeSeconds,
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

  private sign(data: string): string {
    return createHmac('sha256', this.signingKey).update(data).digest('base64url');
  }
}
