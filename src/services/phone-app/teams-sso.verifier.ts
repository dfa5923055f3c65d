import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../../domain/errors.js';
import type { TenantConnection } from '../../domain/records.js';
import type { Store } from '../../store/store.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Who a verified Teams SSO token names: the user's object id in their tenant, and that tenant's connection. */
export interface TeamsSsoIdentity {
  tenantId: string;
  objectId: string;
  name: string | null;
  upn: string | null;
  connection: TenantConnection;
}

export interface TeamsSsoOptions {
  /** The Phone App application (the manifest's webApplicationInfo.id): the token's audience. */
  clientId: string;
  /** Callbridge's public URL: the App ID URI `api://<host>/<client id>` is the other accepted audience. */
  publicUrl: string;
  /** Plain-http authorities allowed (the emulator in the demo, and operator-listed origins). */
  demo: boolean;
  allowedOrigins: readonly string[];
}

const unverifiable = (reason: string) =>
  new AppError(
    'unauthenticated',
    `The Teams sign-in token could not be verified (${reason}). Close and reopen the Phone App tab in Teams; if it persists, your administrator should check that the Phone App is authorized for your organisation.`,
  );

/**
 * Verifies the token a Teams tab gets from `authentication.getAuthToken` (Microsoft's "Enable SSO for tab
 * app"): an RS256 v2.0 access token signed by the keys of the user's tenant, with the tenant's issuer, the
 * Phone App application as audience, not expired. jose does the JOSE work (a maintained, audited library) and
 * caches each tenant's key set. The keys and issuer come from the authority stored on the tenant's connection,
 * never from the token: a token can only be checked against the tenant it claims, at the address that tenant's
 * connection trusts. A token for a tenant with no connection fails like a bad signature, so the answer does
 * not tell who is a customer.
 */
export class TeamsSsoVerifier {
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  private readonly audiences: string[];

  constructor(
    private readonly store: Store,
    private readonly options: TeamsSsoOptions,
  ) {
    const host = new URL(options.publicUrl).host;
    this.audiences = [options.clientId, `api://${host}/${options.clientId}`];
  }

  async verify(authorization: string | undefined): Promise<TeamsSsoIdentity> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token)
      throw new AppError(
        'unauthenticated',
        'Send the Teams sign-in token as "Authorization: Bearer <token>" (the tab gets it from Teams with authentication.getAuthToken).',
      );
    const tenantId = this.claimedTenant(token);
    const connection = await this.store.repos.tenantConnections.findByTenant(tenantId);
    if (!connection) throw unverifiable('unknown organisation');
    const authority = this.authorityOf(connection);
    const payload = await this.check(token, authority, tenantId);
    if (typeof payload.oid !== 'string') throw unverifiable('no user object id');
    return {
      tenantId,
      objectId: payload.oid,
      name: typeof payload.name === 'string' ? payload.name : null,
      upn: typeof payload.preferred_username === 'string' ? payload.preferred_username : null,
      connection,
    };
  }

  /** The `tid` the token claims (unverified: only used to find whose keys verify it). */
  private claimedTenant(token: string): string {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch {
      throw unverifiable('not a JWT');
    }
    const tid = claims.tid;
    if (typeof tid !== 'string' || !/^[0-9a-f-]{36}$/i.test(tid)) throw unverifiable('no tenant id');
    return tid.toLowerCase();
  }

  private authorityOf(connection: TenantConnection): URL {
    const authority = new URL(connection.authorityHost);
    const plainAllowed =
      (this.options.demo && LOOPBACK.has(authority.hostname)) ||
      this.options.allowedOrigins.includes(authority.origin);
    if (authority.protocol !== 'https:' && !plainAllowed) throw unverifiable('the sign-in host is not https');
    return authority;
  }

  private async check(token: string, authority: URL, tenantId: string): Promise<JWTPayload> {
    const base = `${authority.origin}${authority.pathname.replace(/\/+$/, '')}/${tenantId}`;
    const jwksUrl = `${base}/discovery/v2.0/keys`;
    let keySet = this.keySets.get(jwksUrl);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
      this.keySets.set(jwksUrl, keySet);
    }
    try {
      const { payload } = await jwtVerify(token, keySet, {
        algorithms: ['RS256'],
        issuer: `${base}/v2.0`,
        audience: this.audiences,
        requiredClaims: ['exp', 'iat', 'oid', 'tid'],
        clockTolerance: 120,
      });
      if (payload.tid !== tenantId) throw unverifiable('tenant mismatch');
      const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
      if (!scopes.includes('access_as_user')) throw unverifiable('no access_as_user scope');
      return payload;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw unverifiable(reasonOf(error));
    }
  }
}

/** A short reason from jose's typed errors, fit to show the user (no token content). */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'it is for another application';
    if (error.claim === 'iss') return 'it is from another issuer';
    return `its ${error.claim} claim is not valid`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not match';
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed with an unknown key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'an algorithm other than RS256';
  if (error instanceof errors.JWKSTimeout) return 'the sign-in keys could not be fetched in time';
  return 'it is malformed or the sign-in keys could not be read';
}
