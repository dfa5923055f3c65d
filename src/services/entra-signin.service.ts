import * as oidc from 'openid-client';
import { z } from 'zod';
import type { Config } from '../config/config.schema.js';
import { AppError, isAppError } from '../domain/errors.js';
import type { Actor, Administrator } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { SecretBox } from './secrets/secret-box.js';

/** The app registration administrators sign in with, and the tenant (issuer) they belong to. */
export interface EntraSignInSettings {
  /** A tenant's issuer, e.g. `https://login.microsoftonline.com/<tenant id>/v2.0`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Where to send the browser, and the transaction to keep (in a cookie) until it comes back. */
export interface EntraSignInStart {
  authorizationUrl: string;
  /** Encrypted PKCE verifier, state and nonce; opaque to the browser. */
  transaction: string;
}

/** How long a sign-in may take between leaving for Microsoft and coming back. */
export const TRANSACTION_MINUTES = 10;

const transactionSchema = z.object({
  verifier: z.string(),
  state: z.string(),
  nonce: z.string(),
  expiresAt: z.number(),
});
type Transaction = z.infer<typeof transactionSchema>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Administrator sign-in with Microsoft Entra ID: OpenID Connect authorization code flow with PKCE (S256), state
 * and nonce, through openid-client. An Entra user signs in as the administrator linked to their object id
 * (`oid`), or, on their first sign-in, as the administrator with their email, who is then linked. Nobody is
 * created here: an Entra user without an administrator is refused.
 *
 * @example
 *   const entra = EntraSignInService.fromConfig(config, store, secrets);
 *   const { authorizationUrl, transaction } = await entra.start('https://portal.example/api/session/entra/callback');
 *   // ...the browser comes back to the callback URL...
 *   const administrator = await entra.finish(new URL(callbackUrl), transaction);
 */
export class EntraSignInService {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly settings: EntraSignInSettings,
  ) {}

  /** The service when issuer, client id and client secret are all configured; otherwise undefined. */
  static fromConfig(config: Config, store: Store, secrets: SecretBox): EntraSignInService | undefined {
    const { entraIssuer: issuer, entraClientId: clientId, entraClientSecret: clientSecret } = config;
    if (!issuer || !clientId || !clientSecret) return undefined;
    return new EntraSignInService(store, secrets, { issuer, clientId, clientSecret });
  }

  /** Begins a sign-in: the authorization URL (code flow, PKCE S256, state, nonce) and its sealed transaction. */
  async start(redirectUri: string, now = Date.now()): Promise<EntraSignInStart> {
    const configuration = await this.discover();
    const transaction: Transaction = {
      verifier: oidc.randomPKCECodeVerifier(),
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      expiresAt: now + TRANSACTION_MINUTES * 60_000,
    };
    const authorizationUrl = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(transaction.verifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
    });
    return {
      authorizationUrl: authorizationUrl.href,
      transaction: this.secrets.encrypt(JSON.stringify(transaction)),
    };
  }

  /**
   * Completes a sign-in from the callback URL (as the browser reached it, with `code` and `state`) and the
   * transaction from {@link start}: redeems the code, checks the ID token, and finds the administrator.
   * Throws an AppError whose message says why the sign-in was refused.
   */
  async finish(
    currentUrl: URL,
    sealedTransaction: string | undefined,
    now = Date.now(),
  ): Promise<Administrator> {
    const transaction = this.openTransaction(sealedTransaction, now);
    const configuration = await this.discover();
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: transaction.verifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw refusalOf(error);
    }
    if (!claims) throw new AppError('unauthenticated', 'Microsoft Entra ID did not return an ID token.');
    return this.administratorOf(claims);
  }

  /** The administrator for the ID token: linked by object id, else found by email and linked now. */
  private async administratorOf(claims: oidc.IDToken): Promise<Administrator> {
    const objectId = typeof claims.oid === 'string' ? claims.oid : undefined;
    if (!objectId) {
      throw new AppError(
        'unauthenticated',
        'The Microsoft Entra ID token has no object id (oid); sign in with a work account of the tenant.',
      );
    }
    const linked = await this.store.repos.administrators.findByEntraSubject(objectId);
    if (linked) return linked;
    // preferred_username is the UPN (a verified domain of the tenant); email may be unverified, so it comes second.
    const emails = [claims.preferred_username, claims.email].filter(
      (v, i, all): v is string => typeof v === 'string' && v.includes('@') && all.indexOf(v) === i,
    );
    for (const email of emails) {
      const found = await this.store.repos.administrators.findByEmail(email);
      if (!found) continue;
      const { passwordHash: _, ...administrator } = found;
      await this.link(administrator, objectId);
      return administrator;
    }
    throw new AppError(
      'forbidden',
      `No Callbridge administrator has the email ${emails[0] ?? '(none in the token)'}; ask an Account Owner to invite you.`,
    );
  }

  /** Records the Entra object id on the administrator, with its audit entry, in one transaction. */
  private async link(administrator: Administrator, objectId: string): Promise<void> {
    const actor: Actor = {
      type: 'administrator',
      id: administrator.id,
      label: administrator.email,
      source: 'portal',
    };
    await this.store.transaction(async (tx) => {
      if (!(await tx.administrators.setEntraSubject(administrator.id, objectId)))
        throw new AppError(
          'forbidden',
          `${administrator.email} is already linked to another Microsoft account; sign in with that account, or ask a platform operator to unlink it.`,
        );
      await tx.audit.append({
        accountId: null,
        actor,
        action: 'administrator.entra_link',
        objectType: 'administrator',
        objectId: administrator.id,
        before: { email: administrator.email, entraSubject: null },
        after: { email: administrator.email, entraSubject: objectId, issuer: this.settings.issuer },
      });
    });
  }

  private openTransaction(sealed: string | undefined, now: number): Transaction {
    const expired = new AppError(
      'unauthenticated',
      `The sign-in took longer than ${TRANSACTION_MINUTES} minutes or was started in another browser; sign in again.`,
    );
    if (!sealed) throw expired;
    let transaction: Transaction;
    try {
      transaction = transactionSchema.parse(JSON.parse(this.secrets.decrypt(sealed)));
    } catch {
      throw expired;
    }
    if (transaction.expiresAt < now) throw expired;
    return transaction;
  }

  /** The issuer's metadata, discovered once (again after a failure). */
  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= this.discoverNow().catch((error: unknown) => {
      this.configuration = undefined;
      throw error;
    });
    return this.configuration;
  }

  private async discoverNow(): Promise<oidc.Configuration> {
    const issuer = new URL(this.settings.issuer);
    // openid-client refuses plain HTTP; only the local emulator on a loopback address may use it.
    const local = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
    // ID token signatures are checked against the issuer's JWKS too, not only trusted for coming over TLS.
    const execute = local
      ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks]
      : [oidc.enableNonRepudiationChecks];
    try {
      return await oidc.discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
        execute,
      });
    } catch (error) {
      throw new AppError(
        'upstream_failed',
        `Microsoft Entra ID sign-in is not available: the issuer ${this.settings.issuer} could not be read (${error instanceof Error ? error.message : String(error)}). Check CALLBRIDGE_ENTRA_ISSUER.`,
      );
    }
  }
}

/** A readable reason for a refused sign-in (Microsoft's AADSTS text without its trace ids). */
function refusalOf(error: unknown): AppError {
  if (isAppError(error)) return error;
  const short = (text: string) => text.split(/\r?\n| Trace ID:/)[0]!.trim();
  if (error instanceof oidc.AuthorizationResponseError) {
    return new AppError(
      'unauthenticated',
      `Microsoft Entra ID did not sign you in: ${short(error.error_description ?? error.error)}`,
    );
  }
  if (error instanceof oidc.ResponseBodyError) {
    return new AppError(
      'unauthenticated',
      `Microsoft Entra ID refused the sign-in: ${short(error.error_description ?? error.error)}`,
    );
  }
  // openid-client wraps the precise reason (e.g. 'unexpected "state" response parameter value') as the cause.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new AppError(
    'unauthenticated',
    `The answer from Microsoft Entra ID could not be verified (${detail}); sign in again.`,
  );
}
