import { z } from 'zod';
import { AppError } from '../domain/errors.js';
import type { Actor, TenantConnection } from '../domain/records.js';
import { isTenantGuid } from '../microsoft/tenant-id.js';
import type { ConsentRequest } from '../store/repositories/consent-requests.repository.js';
import { TENANT_TAKEN } from '../store/repositories/tenant-connections.repository.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import type { EndpointPolicy } from './connection-endpoints.js';
import { ConsentSignIn, type ConsentProof } from './consent-proof.js';
import type { SecretBox } from './secrets/secret-box.js';
import type { TenantConnectionsService } from './tenant-connections.service.js';

/** What the callback answers: send the browser on to sign in, or the connection as it now is. */
export type ConsentAnswer = { kind: 'sign_in'; url: string } | { kind: 'done'; connection: TenantConnection };

const sealedSignIn = z.object({ verifier: z.string(), nonce: z.string() });

const invalidState = () =>
  new AppError(
    'validation_failed',
    'This consent answer was already used, has expired (after an hour) or was not started here: start the connection again.',
    { field: 'state' },
  );

/**
 * Microsoft's redirects to `/api/v1/consent/callback`, in two steps sharing one `state`:
 * 1. back from the admin-consent page (`admin_consent=True&tenant=…`, or `error=…`): nothing is recorded for a
 *    grant (anyone can type that query); the browser is sent on to sign in at that tenant's authority;
 * 2. back from the sign-in with a `code`: the code is redeemed (PKCE) and the ID token checked (see
 *    {@link ConsentSignIn}); only then is the consent recorded, with who gave it.
 * The state row is moved on by conditional updates, so each step runs once; a refusal uses the state up.
 */
export class ConsentCallback {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly access: AccessService,
    private readonly connections: TenantConnectionsService,
    private readonly policy: EndpointPolicy,
  ) {}

  async handle(query: Record<string, string>, redirectUri: string, now: number): Promise<ConsentAnswer> {
    const state = query['state'] ?? '';
    const request =
      state.length > 0 && state.length <= 100
        ? await this.store.repos.consentRequests.find(state)
        : undefined;
    if (!request || request.usedAt !== null || Date.parse(request.expiresAt) <= now) throw invalidState();
    if (query['error'] !== undefined) return this.denied(request, query);
    if (request.step === 'sign_in' && query['code']) return this.signedIn(request, query, redirectUri);
    if (request.step === 'consent' && query['admin_consent']?.toLowerCase() === 'true')
      return this.toSignIn(request, query['tenant'] ?? '', redirectUri);
    await this.store.repos.consentRequests.use(request.id);
    throw invalidState();
  }

  /** Step 1: the admin-consent page came back "granted": send the browser on to prove it by signing in. */
  private async toSignIn(
    request: ConsentRequest,
    tenant: string,
    redirectUri: string,
  ): Promise<ConsentAnswer> {
    const connection = await this.connectionFor(request);
    const expected = await this.expectedTenant(request, connection, tenant.toLowerCase());
    const { clientId, secret } = await this.credentials(connection);
    const signIn = await ConsentSignIn.open(
      {
        authorityHost: connection.authorityHost,
        clientId,
        clientSecret: secret,
        demo: this.plainHttpAllowed(connection.authorityHost),
      },
      expected,
    );
    const started = await signIn.start(redirectUri, request.id);
    const sealed = this.secrets.encrypt(JSON.stringify({ verifier: started.verifier, nonce: started.nonce }));
    if (!(await this.store.repos.consentRequests.toSignIn(request.id, expected, sealed)))
      throw invalidState();
    return { kind: 'sign_in', url: started.url };
  }

  /** Step 2: back from the sign-in: the state is used up first, then the proof is checked and recorded. */
  private async signedIn(
    request: ConsentRequest,
    query: Record<string, string>,
    redirectUri: string,
  ): Promise<ConsentAnswer> {
    if (!(await this.store.repos.consentRequests.use(request.id))) throw invalidState();
    const { verifier, nonce } = sealedSignIn.parse(JSON.parse(this.secrets.decrypt(request.signInEnc ?? '')));
    const connection = await this.connectionFor(request);
    await this.access.require(request.actor, request.accountId, 'service.write').catch(() => {
      throw new AppError(
        'forbidden',
        'Consent not recorded. The administrator who started it may no longer change this account’s Microsoft 365 connection.',
      );
    });
    const { clientId, secret } = await this.credentials(connection);
    const signIn = await ConsentSignIn.open(
      {
        authorityHost: connection.authorityHost,
        clientId,
        clientSecret: secret,
        demo: this.plainHttpAllowed(connection.authorityHost),
      },
      request.tenantId ?? '',
    );
    const callbackUrl = new URL(redirectUri);
    for (const [name, value] of Object.entries(query)) callbackUrl.searchParams.set(name, value);
    const proof = await signIn.finish(callbackUrl, {
      state: request.id,
      verifier,
      nonce,
      tenantId: request.tenantId ?? '',
    });
    return { kind: 'done', connection: await this.record(request, proof) };
  }

  /** Records the proven consent, if the connection is still the one it was started for. */
  private record(request: ConsentRequest, proof: ConsentProof): Promise<TenantConnection> {
    const actor = withConsenter(request.actor, proof);
    const consentedBy = {
      userPrincipalName: proof.userPrincipalName,
      objectId: proof.objectId,
      roles: proof.roles,
    };
    return this.store.transaction(async (tx) => {
      const before = await tx.tenantConnections.findByAccount(request.accountId);
      if (!before || !this.connections.sameAsStarted(before, request))
        throw new AppError('conflict', 'The connection changed while consent was given: connect again.');
      if (request.purpose === 'phone_app') {
        if (before.tenantId !== proof.tenantId)
          throw new AppError('forbidden', 'Consent not recorded. The sign-in was for another tenant.');
        const service = await tx.services.findById(request.accountId, request.serviceId ?? '');
        if (!service) throw new AppError('not_found', 'The service was removed while consent was given.');
        const teams = {
          ...service.teams,
          phoneAppConsent: 'granted' as const,
          phoneAppConsentAt: new Date().toISOString(),
        };
        await tx.services.update(request.accountId, service.id, { teams });
        await tx.audit.append({
          accountId: request.accountId,
          actor,
          action: 'service.phone_app_consent_granted',
          objectType: 'service',
          objectId: service.id,
          before: { teams: service.teams },
          after: { teams, consentedBy },
        });
        return before;
      }
      const holder = await tx.tenantConnections.findByTenant(proof.tenantId);
      if (holder && holder.accountId !== request.accountId)
        throw new AppError('conflict', TENANT_TAKEN, { field: 'tenantId' });
      const after = await tx.tenantConnections.update(request.accountId, {
        consentState: 'granted',
        tenantId: proof.tenantId,
        consentedAt: new Date().toISOString(),
        consentError: null,
      });
      if (!after) throw new AppError('not_found', 'The connection was removed while consent was given.');
      await tx.audit.append({
        accountId: request.accountId,
        actor,
        action: 'tenant_connection.consent_granted',
        objectType: 'tenant_connection',
        objectId: after.id,
        before,
        after: { ...after, consentedBy },
      });
      return after;
    });
  }

  /**
   * The administrator declined (or Microsoft refused): recorded as denied on a connection still pending for this
   * consent. It grants nothing; the state, bound to the account that started it, is used up.
   */
  private async denied(request: ConsentRequest, query: Record<string, string>): Promise<ConsentAnswer> {
    if (!(await this.store.repos.consentRequests.use(request.id))) throw invalidState();
    const reason = `${query['error']}: ${query['error_description'] ?? ''}`.slice(0, 500);
    return this.store.transaction(async (tx) => {
      const before = await tx.tenantConnections.findByAccount(request.accountId);
      if (!before) throw new AppError('not_found', 'The connection was removed while consent was given.');
      if (request.purpose === 'phone_app') {
        const service = await tx.services.findById(request.accountId, request.serviceId ?? '');
        if (service && service.teams.phoneAppConsent !== 'granted') {
          const teams = { ...service.teams, phoneAppConsent: 'denied' as const };
          await tx.services.update(request.accountId, service.id, { teams });
          await tx.audit.append({
            accountId: request.accountId,
            actor: request.actor,
            action: 'service.phone_app_consent_denied',
            objectType: 'service',
            objectId: service.id,
            before: { teams: service.teams },
            after: { teams, reason },
          });
        }
        return { kind: 'done', connection: before };
      }
      if (before.consentState !== 'pending' || !this.connections.sameAsStarted(before, request))
        return { kind: 'done', connection: before };
      const after = (await tx.tenantConnections.update(request.accountId, {
        consentState: 'denied',
        consentError: reason,
      }))!;
      await tx.audit.append({
        accountId: request.accountId,
        actor: request.actor,
        action: 'tenant_connection.consent_denied',
        objectType: 'tenant_connection',
        objectId: after.id,
        before,
        after,
      });
      return { kind: 'done', connection: after };
    });
  }

  /**
   * The tenant the sign-in must prove: the connection's own (a domain is resolved to its id by Microsoft), or,
   * when it names none, the one the admin-consent page answered. A mismatch is refused at once.
   */
  private async expectedTenant(
    request: ConsentRequest,
    connection: TenantConnection,
    answered: string,
  ): Promise<string> {
    const refuse = async (message: string) => {
      await this.store.repos.consentRequests.use(request.id);
      return new AppError('forbidden', `Consent not recorded. ${message}`, { field: 'tenant' });
    };
    if (!isTenantGuid(answered)) throw await refuse('Microsoft named no tenant id.');
    const own = connection.tenantId;
    if (own === null) {
      if (request.purpose === 'phone_app') throw await refuse('Connect the Microsoft 365 tenant first.');
      return answered;
    }
    const resolved = isTenantGuid(own)
      ? own
      : await ConsentSignIn.tenantIdOf(
          connection.authorityHost,
          own,
          this.plainHttpAllowed(connection.authorityHost),
        );
    if (resolved !== answered)
      throw await refuse('Consent was given in another tenant than the one being connected.');
    return resolved;
  }

  /** Plain http (to a loopback emulator only, checked where it is used): demo mode, or allow-listed. */
  private plainHttpAllowed(authorityHost: string): boolean {
    return this.policy.demo || this.policy.allowedOrigins.includes(new URL(authorityHost).origin);
  }

  private async connectionFor(request: ConsentRequest): Promise<TenantConnection> {
    const connection = await this.store.repos.tenantConnections.findByAccount(request.accountId);
    if (!connection || !this.connections.sameAsStarted(connection, request)) {
      await this.store.repos.consentRequests.use(request.id);
      throw new AppError('conflict', 'The connection changed while consent was given: connect again.');
    }
    return connection;
  }

  private async credentials(connection: TenantConnection) {
    const stored = await this.store.repos.tenantConnections.findSecretCiphertext(connection.accountId);
    return this.connections.appCredentials(connection, stored);
  }
}

/** The audit actor: the administrator who started the consent, naming the Microsoft user who gave it. */
function withConsenter(actor: Actor, proof: ConsentProof): Actor {
  return {
    ...actor,
    label: `${actor.label} (consent by ${proof.userPrincipalName ?? proof.objectId ?? 'a tenant administrator'})`,
  };
}
