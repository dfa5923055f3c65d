import { createHash, randomBytes } from 'node:crypto';
import type { AccessService } from './access.service.js';
import { z } from 'zod';
import { AppError, notFound } from '../domain/errors.js';
import type { Actor, TenantConnection } from '../domain/records.js';
import {
  buildAdminConsentUrl,
  GraphTenantClient,
  type DiagnosticHook,
  type MicrosoftTenantClient,
} from '../microsoft/index.js';
import { CLOUD_NAMES } from '../microsoft/connection.settings.js';
import { isTenantId, tenantIdSchema } from '../microsoft/tenant-id.js';
import { TENANT_TAKEN } from '../store/repositories/tenant-connections.repository.js';
import type { Store } from '../store/store.js';
import { ConsentCallback, type ConsentAnswer } from './consent-callback.js';
import {
  endpointsChanged,
  providerSecretMayGoTo,
  resolveEndpoints,
  type EndpointPolicy,
} from './connection-endpoints.js';
import type { SecretBox } from './secrets/secret-box.js';
import { moveTenant, recordOperatorConsent } from './tenant-connection-operator.js';

export const connectTenantInput = z.strictObject({
  tenantId: tenantIdSchema
    .nullish()
    .describe('Tenant id (GUID) or domain; empty: the administrator picks it at consent.'),
  cloud: z
    .enum(CLOUD_NAMES)
    .default('global')
    .describe(
      'global, usgov (GCC High), usgovdod (DoD) or china: fixed endpoints. custom: endpoints set by a platform operator (or allowed by the configuration).',
    ),
  clientId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      "Application (client) id of the app registration; omit it to use the provider's Callbridge app (the usual case).",
    ),
  clientSecret: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe(
      "Write-only. The secret of a customer's own app registration; not needed for the provider's app.",
    ),
  authorityHost: z.string().max(500).optional().describe('Custom cloud only.'),
  graphBaseUrl: z.string().max(500).optional().describe('Custom cloud only.'),
  teamsAdminBaseUrl: z.string().max(500).optional().describe('Custom cloud only.'),
});
export type ConnectTenantInput = z.input<typeof connectTenantInput>;

/** Builds the client for a connection; tests and the demo pass the emulator's endpoints through the connection. */
export type MicrosoftClientFactory = (
  settings: {
    tenantId: string;
    clientId: string;
    clientSecret: string;
    cloud: TenantConnection['cloud'];
    authorityHost: string;
    graphBaseUrl: string;
    teamsAdminBaseUrl?: string;
  },
  options?: { onExchange?: DiagnosticHook },
) => MicrosoftTenantClient;

export const graphClientFactory: MicrosoftClientFactory = (s, options) =>
  new GraphTenantClient(
    {
      tenantId: s.tenantId,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      cloud: s.cloud,
      authorityHost: s.authorityHost,
      graphBaseUrl: s.graphBaseUrl,
      ...(s.teamsAdminBaseUrl && { teamsAdminBaseUrl: s.teamsAdminBaseUrl }),
    },
    options?.onExchange ? { onExchange: options.onExchange } : {},
  );

/** How long a consent answer is accepted after the consent started. */
export const CONSENT_STATE_MS = 3_600_000;

/** The provider's app and who may name which endpoints (from the configuration). */
export interface TenantConnectionOptions extends Partial<EndpointPolicy> {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

/** What a consent round trip is for: the connection itself, or the Phone App of one service. */
export type ConsentPurpose = { purpose: 'tenant_connection' } | { purpose: 'phone_app'; serviceId: string };

/** The endpoints and app a consent was started for: if any changes meanwhile, the consent is void. */
export function fingerprintOf(c: TenantConnection): string {
  return createHash('sha256')
    .update(
      JSON.stringify([c.cloud, c.authorityHost, c.graphBaseUrl, c.teamsAdminBaseUrl, c.clientId, c.tenantId]),
    )
    .digest('base64url');
}

/**
 * The Microsoft 365 connection of an account: set up by administrator consent (no administrator password is
 * stored), its state recorded, the app secret encrypted and write-only.
 */
export class TenantConnectionsService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly clients: MicrosoftClientFactory,
    private readonly access: AccessService,
    /** The provider's multi-tenant Callbridge app (used by connections that name no app) and the endpoint policy. */
    private readonly providerApp: TenantConnectionOptions = {},
  ) {
    this.policy = { demo: providerApp.demo ?? false, allowedOrigins: providerApp.allowedOrigins ?? [] };
    this.callback = new ConsentCallback(store, secrets, access, this, this.policy);
  }

  readonly policy: EndpointPolicy;
  private readonly callback: ConsentCallback;

  async get(actor: Actor, accountId: string): Promise<TenantConnection> {
    await this.access.require(actor, accountId, 'service.read');
    const connection = await this.store.repos.tenantConnections.findByAccount(accountId);
    if (!connection)
      throw new AppError(
        'not_found',
        'This account has no Microsoft 365 connection yet: connect the tenant first.',
        { kind: 'tenant_connection' },
      );
    return connection;
  }

  /** Creates or changes the connection; returns it with the admin-consent URL to send the administrator to. */
  async connect(
    actor: Actor,
    accountId: string,
    raw: ConnectTenantInput,
    redirectUri: string,
  ): Promise<{ connection: TenantConnection; consentUrl: string }> {
    const input = connectTenantInput.parse(raw);
    await this.access.require(actor, accountId, 'service.write');
    const clientId = input.clientId ?? this.providerApp.clientId;
    if (!clientId)
      throw new AppError(
        'validation_failed',
        "Give the app's client id: no provider app is configured (CALLBRIDGE_MICROSOFT_CLIENT_ID and _CLIENT_SECRET).",
        { field: 'clientId' },
      );
    const endpoints = resolveEndpoints(input.cloud, input, {
      operator: await this.access.isOperator(actor),
      policy: this.policy,
    });
    const tenantId = input.tenantId ?? null;
    const connection = await this.store.transaction(async (tx) => {
      if (!(await tx.accounts.findById(accountId))) throw notFound('account', accountId);
      const before = await tx.tenantConnections.findByAccount(accountId);
      if (tenantId !== null) {
        const holder = await tx.tenantConnections.findByTenant(tenantId);
        if (holder && holder.accountId !== accountId)
          throw new AppError('conflict', TENANT_TAKEN, { field: 'tenantId' });
      }
      // A secret belongs to its app and its sign-in host: a new endpoint or app drops it (issue 14).
      const dropSecret =
        before !== undefined && endpointsChanged(before, { ...endpoints, cloud: input.cloud, clientId });
      const fields = {
        tenantId,
        cloud: input.cloud,
        ...endpoints,
        clientId,
        consentState: 'pending' as const,
        consentError: null,
        ...(input.clientSecret !== undefined
          ? { clientSecretEnc: this.secrets.encrypt(input.clientSecret) }
          : dropSecret && { clientSecretEnc: null }),
      };
      const after = before
        ? await tx.tenantConnections.update(accountId, fields)
        : await tx.tenantConnections.create({
            accountId,
            consentedAt: null,
            deltaLink: null,
            clientSecretEnc: null,
            ...fields,
          });
      if (!after) throw notFound('account', accountId);
      await tx.audit.append({
        accountId,
        actor,
        action: before ? 'tenant_connection.update' : 'tenant_connection.create',
        objectType: 'tenant_connection',
        objectId: after.id,
        before: before ?? null,
        after: { ...after, ...(dropSecret && input.clientSecret === undefined && { secretDropped: true }) },
      });
      return after;
    });
    const consentUrl = await this.startConsent(
      actor,
      connection,
      { purpose: 'tenant_connection' },
      {
        clientId,
        redirectUri,
      },
    );
    return { connection, consentUrl };
  }

  /**
   * Records a new consent round trip and answers the admin-consent URL for it. The `state` is a random id of a
   * server-side row bound to the account, purpose (and service), the administrator who started it and the
   * connection's endpoints; it is valid for an hour and once.
   */
  async startConsent(
    actor: Actor,
    connection: TenantConnection,
    purpose: ConsentPurpose,
    app: { clientId: string; redirectUri: string },
    now = Date.now(),
  ): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await this.store.repos.consentRequests.purgeBefore(new Date(now - 24 * 3_600_000).toISOString());
    await this.store.repos.consentRequests.create({
      id: state,
      accountId: connection.accountId,
      purpose: purpose.purpose,
      serviceId: purpose.purpose === 'phone_app' ? purpose.serviceId : null,
      actor,
      connectionFingerprint: fingerprintOf(connection),
      expiresAt: new Date(now + CONSENT_STATE_MS).toISOString(),
    });
    return buildAdminConsentUrl({
      authorityHost: connection.authorityHost,
      tenant: connection.tenantId ?? 'organizations',
      clientId: app.clientId,
      redirectUri: app.redirectUri,
      state,
    });
  }

  /**
   * Handles Microsoft's redirects to the consent callback. The query alone never grants anything: after the
   * admin-consent page the browser is sent on to sign in (authorization code + PKCE), and only the verified ID
   * token of an administrator of the tenant records the consent (see {@link ConsentCallback}).
   */
  completeConsent(query: Record<string, string>, now = Date.now(), redirectUri = ''): Promise<ConsentAnswer> {
    return this.callback.handle(query, redirectUri, now);
  }

  /** Whether the connection still has the endpoints, app and tenant a consent was started for. */
  sameAsStarted(connection: TenantConnection, request: { connectionFingerprint: string }): boolean {
    return fingerprintOf(connection) === request.connectionFingerprint;
  }

  /** The app's client id and secret to use with the connection's sign-in host; refuses what may not be sent. */
  appCredentials(
    connection: TenantConnection,
    storedCiphertext: string | null,
  ): { clientId: string; secret: string } {
    if (!connection.clientId)
      throw new AppError('precondition_failed', 'The tenant connection names no app.');
    if (storedCiphertext)
      return { clientId: connection.clientId, secret: this.secrets.decrypt(storedCiphertext) };
    if (connection.clientId !== this.providerApp.clientId)
      throw new AppError(
        'precondition_failed',
        'The tenant connection has no app secret: set the client secret of its app registration.',
      );
    if (!this.providerApp.clientSecret)
      throw new AppError(
        'precondition_failed',
        "The provider's app has no secret configured: set CALLBRIDGE_MICROSOFT_CLIENT_SECRET.",
      );
    if (!providerSecretMayGoTo(connection.authorityHost, this.policy))
      throw new AppError(
        'precondition_failed',
        `The provider's app secret is sent only to Microsoft's sign-in hosts, not to ${new URL(connection.authorityHost).origin}: a platform operator must allow that host (CALLBRIDGE_MICROSOFT_ALLOWED_ENDPOINTS) or give the connection its own app.`,
      );
    return { clientId: connection.clientId, secret: this.providerApp.clientSecret };
  }

  /** A client for the account's tenant; refuses with what to do when consent is missing. */
  async clientFor(
    accountId: string,
    options: { onExchange?: DiagnosticHook } = {},
  ): Promise<MicrosoftTenantClient> {
    const connection = await this.store.repos.tenantConnections.findByAccount(accountId);
    if (!connection)
      throw new AppError(
        'precondition_failed',
        'This account has no Microsoft 365 connection yet: connect the tenant first.',
        { consentState: 'not_connected' },
      );
    if (connection.consentState !== 'granted' || !connection.tenantId || !connection.clientId) {
      throw new AppError(
        'precondition_failed',
        `The Microsoft 365 tenant is not connected (consent: ${connection.consentState}). Open the tenant connection and grant administrator consent (a Global Administrator is needed the first time).`,
        { consentState: connection.consentState },
      );
    }
    if (!isTenantId(connection.tenantId))
      throw new AppError(
        'validation_failed',
        `The connection's tenant id ${JSON.stringify(connection.tenantId.slice(0, 100))} is not a tenant id (a GUID or a domain name): connect the tenant again.`,
        { field: 'tenantId' },
      );
    const stored = await this.store.repos.tenantConnections.findSecretCiphertext(accountId);
    const { secret } = this.appCredentials(connection, stored);
    const own = [connection.authorityHost, connection.graphBaseUrl, connection.teamsAdminBaseUrl]
      .filter((u): u is string => u !== null)
      .map((u) => new URL(u).origin);
    const onExchange = options.onExchange;
    return this.clients(
      {
        tenantId: connection.tenantId,
        clientId: connection.clientId,
        clientSecret: secret,
        cloud: connection.cloud,
        authorityHost: connection.authorityHost,
        graphBaseUrl: connection.graphBaseUrl,
        ...(connection.teamsAdminBaseUrl && { teamsAdminBaseUrl: connection.teamsAdminBaseUrl }),
      },
      // Diagnostic logs hold exchanges with the connection's own endpoints only (the client refuses others anyway).
      onExchange ? { onExchange: (x) => own.includes(new URL(x.url).origin) && onExchange(x) } : {},
    );
  }

  /** A platform operator records consent given outside Callbridge (CLI only; audited). */
  recordOperatorConsent(actor: Actor, accountId: string, note?: string): Promise<TenantConnection> {
    return recordOperatorConsent(this.store, this.access, actor, accountId, note);
  }

  /** A platform operator moves a tenant to another account (CLI only; audited on both accounts). */
  moveTenant(actor: Actor, tenantId: string, toAccountId: string): Promise<TenantConnection> {
    return moveTenant(this.store, this.access, actor, tenantId, toAccountId);
  }

  /** Records that Microsoft refused the app (consent revoked): later syncs say so until consent is given again. */
  async markRevoked(accountId: string, reason: string): Promise<void> {
    await this.store.repos.tenantConnections.update(accountId, {
      consentState: 'revoked',
      consentError: reason,
    });
  }
}
