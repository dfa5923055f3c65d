import type { AccessService } from './access.service.js';
import { z } from 'zod';
import { AppError, notFound } from '../domain/errors.js';
import type { Actor, TenantConnection } from '../domain/records.js';
import {
  buildAdminConsentUrl,
  cloudPresets,
  GraphTenantClient,
  parseAdminConsentRedirect,
  type DiagnosticHook,
  type MicrosoftTenantClient,
} from '../microsoft/index.js';
import type { Store } from '../store/store.js';
import type { SecretBox } from './secrets/secret-box.js';

export const connectTenantInput = z.object({
  tenantId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .nullish()
    .describe('Tenant id (GUID) or domain; empty: the administrator picks it at consent.'),
  cloud: z.enum(['global', 'usgov', 'china', 'custom']).default('global'),
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
  authorityHost: z.url().optional(),
  graphBaseUrl: z.url().optional(),
  teamsAdminBaseUrl: z.url().optional(),
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
const CONSENT_STATE_MS = 3_600_000;

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
    /** The provider's multi-tenant Callbridge app, used by connections that do not name their own. */
    private readonly providerApp: { clientId?: string | undefined; clientSecret?: string | undefined } = {},
  ) {}

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
    const preset = input.cloud === 'custom' ? undefined : cloudPresets[input.cloud];
    const authorityHost = input.authorityHost ?? preset?.authorityHost;
    const graphBaseUrl = input.graphBaseUrl ?? preset?.graphBaseUrl;
    if (!authorityHost || !graphBaseUrl)
      throw new AppError(
        'validation_failed',
        'A custom cloud needs authorityHost, graphBaseUrl and teamsAdminBaseUrl.',
        { field: 'cloud' },
      );
    const connection = await this.store.transaction(async (tx) => {
      if (!(await tx.accounts.findById(accountId))) throw notFound('account', accountId);
      const before = await tx.tenantConnections.findByAccount(accountId);
      const fields = {
        tenantId: input.tenantId ?? null,
        cloud: input.cloud,
        authorityHost,
        graphBaseUrl,
        teamsAdminBaseUrl: input.teamsAdminBaseUrl ?? preset?.teamsAdminBaseUrl ?? null,
        clientId,
        consentState: 'pending' as const,
        consentError: null,
        ...(input.clientSecret !== undefined && {
          clientSecretEnc: this.secrets.encrypt(input.clientSecret),
        }),
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
        after,
      });
      return after;
    });
    const consentUrl = buildAdminConsentUrl({
      authorityHost,
      tenant: connection.tenantId ?? 'organizations',
      clientId,
      redirectUri,
      state: this.secrets.encrypt(JSON.stringify({ accountId, at: Date.now() })),
    });
    return { connection, consentUrl };
  }

  /**
   * Handles Microsoft's redirect after consent: records granted (with the tenant id) or denied (with why). The
   * browser comes back from Microsoft without the portal's SameSite=Strict session, so the answer is bound to the
   * connection by its `state` instead: the account id and time sealed with AES-GCM when the consent started, which
   * nobody else can forge, valid for an hour.
   */
  async completeConsent(query: Record<string, string>, now = Date.now()): Promise<TenantConnection> {
    const result = parseAdminConsentRedirect(query);
    let accountId: string;
    let phoneAppServiceId: string | undefined;
    try {
      const sealed = JSON.parse(this.secrets.decrypt(result.state ?? '')) as {
        accountId: string;
        at: number;
        purpose?: 'phone_app';
        serviceId?: string;
      };
      if (typeof sealed.accountId !== 'string' || !(now - sealed.at < CONSENT_STATE_MS))
        throw new Error('stale');
      accountId = sealed.accountId;
      if (sealed.purpose === 'phone_app') phoneAppServiceId = sealed.serviceId;
    } catch {
      throw new AppError(
        'validation_failed',
        'This consent answer does not belong to a connection started here in the last hour; start the connection again.',
        { field: 'state' },
      );
    }
    const actor: Actor = {
      type: 'system',
      id: null,
      label: 'Microsoft 365 administrator consent',
      source: 'portal',
    };
    if (phoneAppServiceId !== undefined)
      return this.completePhoneAppConsent(actor, accountId, phoneAppServiceId, result.kind === 'granted');
    const patch =
      result.kind === 'granted'
        ? {
            consentState: 'granted' as const,
            tenantId: result.tenantId,
            consentedAt: new Date().toISOString(),
            consentError: null,
          }
        : { consentState: 'denied' as const, consentError: `${result.error}: ${result.errorDescription}` };
    return this.store.transaction(async (tx) => {
      const before = await tx.tenantConnections.findByAccount(accountId);
      const after = await tx.tenantConnections.update(accountId, patch);
      if (!before || !after)
        throw new AppError('not_found', 'The connection was removed while consent was given; connect again.');
      await tx.audit.append({
        accountId,
        actor,
        action: `tenant_connection.consent_${result.kind}`,
        objectType: 'tenant_connection',
        objectId: after.id,
        before,
        after,
      });
      return after;
    });
  }

  /** Records the answer to "Authorize Phone App for my Organization" on the service; answers the connection. */
  private async completePhoneAppConsent(
    actor: Actor,
    accountId: string,
    serviceId: string,
    granted: boolean,
  ): Promise<TenantConnection> {
    return this.store.transaction(async (tx) => {
      const service = await tx.services.findById(accountId, serviceId);
      const connection = await tx.tenantConnections.findByAccount(accountId);
      if (!service || !connection)
        throw new AppError('not_found', 'The service or connection was removed while consent was given.');
      const teams = {
        ...service.teams,
        phoneAppConsent: granted ? ('granted' as const) : ('denied' as const),
        phoneAppConsentAt: granted ? new Date().toISOString() : (service.teams.phoneAppConsentAt ?? null),
      };
      await tx.services.update(accountId, serviceId, { teams });
      await tx.audit.append({
        accountId,
        actor,
        action: `service.phone_app_consent_${granted ? 'granted' : 'denied'}`,
        objectType: 'service',
        objectId: serviceId,
        before: { teams: service.teams },
        after: { teams },
      });
      return connection;
    });
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
    const stored = await this.store.repos.tenantConnections.findSecretCiphertext(accountId);
    const secret = stored
      ? this.secrets.decrypt(stored)
      : connection.clientId === this.providerApp.clientId
        ? this.providerApp.clientSecret
        : undefined;
    if (!secret)
      throw new AppError(
        'precondition_failed',
        connection.clientId === this.providerApp.clientId
          ? "The provider's app has no secret configured: set CALLBRIDGE_MICROSOFT_CLIENT_SECRET."
          : 'The tenant connection has no app secret: set the client secret of its app registration.',
      );
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
      options,
    );
  }

  /** Records that Microsoft refused the app (consent revoked): later syncs say so until consent is given again. */
  async markRevoked(accountId: string, reason: string): Promise<void> {
    await this.store.repos.tenantConnections.update(accountId, {
      consentState: 'revoked',
      consentError: reason,
    });
  }
}
