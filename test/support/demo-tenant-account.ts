import type { AppContext } from '../../src/app/context.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID } from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import type { Account, VoiceService } from '../../src/domain/records.js';
import { GraphTenantClient } from '../../src/microsoft/index.js';
import type { MicrosoftClientFactory } from '../../src/services/tenant-connections.service.js';

const actor = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** The real Graph client with fast polling and short retry waits, so tests against the emulator stay quick. */
export const fastClients: MicrosoftClientFactory = (s, options) =>
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
    {
      operationPolling: { intervalMs: 20 },
      retry: { baseDelayMs: 5, maxDelayMs: 200, maxAttempts: 12 },
      ...(options?.onExchange && { onExchange: options.onExchange }),
    },
  );

/** Connection settings of the demo app against a running emulator. */
export function demoConnection(emulator: RunningEmulator) {
  return {
    tenantId: DEMO_TENANT_ID,
    cloud: 'custom' as const,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    authorityHost: emulator.url,
    graphBaseUrl: emulator.url,
    teamsAdminBaseUrl: emulator.teamsAdminUrl,
  };
}

/**
 * A partner with a client "Contoso" whose PBX service is connected to the emulator's demo tenant, consent
 * recorded by the operator path (`callbridge tenant-connection consent`). Tests of the consent round trip itself
 * use {@link consentRoundTrip} instead.
 */
export async function demoTenantAccount(
  ctx: AppContext,
  emulator: RunningEmulator,
): Promise<{ account: Account; service: VoiceService }> {
  const { services } = ctx;
  const partner = await services.accounts.create(actor, { name: 'Provider', kind: 'partner' });
  const account = await services.accounts.create(actor, {
    name: 'Contoso',
    kind: 'client',
    parentId: partner.id,
  });
  const service = await services.voiceServices.create(actor, account.id, {
    name: 'PBX',
    sipDomain: 'pbx.contoso.example',
    country: 'GB',
  });
  await services.tenantConnections.connect(
    actor,
    account.id,
    demoConnection(emulator),
    'http://localhost/cb',
  );
  // Consent as a platform operator records it when it was given outside Callbridge (the demo tenant has it).
  await services.tenantConnections.recordOperatorConsent(actor, account.id, 'test setup');
  return { account, service };
}

/** Starts a sync of the service, lets a worker run it to the end, and answers the finished run with plan and log. */
export async function syncToEnd(
  ctx: AppContext,
  accountId: string,
  serviceId: string,
  options: { dryRun?: boolean; diagnostic?: boolean } = {},
) {
  const { run } = await ctx.services.sync.start(actor, accountId, serviceId, options);
  await ctx.createWorker().drain();
  return ctx.services.sync.getRun(actor, accountId, run.id);
}
