import type { SyncLogLine } from '../../domain/records.js';
import { GraphError, type MicrosoftTenantClient } from '../../microsoft/index.js';
import type {
  TenantObject,
  TenantObjectKind,
  TenantObjectState,
} from '../../store/repositories/tenant-objects.repository.js';
import type { Store } from '../../store/store.js';

/** The names of a service's carrier-model objects in its customer's tenant. */
export interface CarrierNames {
  /** The customer subdomain of the provider's SBC domain; the voice route's gateway. */
  domain: string;
  pstnUsage: string;
  voiceRoute: string;
  voiceRoutingPolicy: string;
}

/**
 * Names derived from the service id, so every run (and every worker) ensures the same objects.
 * @example carrierNamesOf('3f2a9c1e-...', 'sbc.example.com').domain // '3f2a9c1e.sbc.example.com'
 */
export function carrierNamesOf(serviceId: string, sbcDomain: string): CarrierNames {
  const short = serviceId.slice(0, 8).toLowerCase();
  const name = `Callbridge-${short}`;
  return { domain: `${short}.${sbcDomain}`, pstnUsage: name, voiceRoute: name, voiceRoutingPolicy: name };
}

export interface CarrierSetupOptions {
  /** First retry delay of a pending object; doubles per attempt (default 30 s). */
  retryBaseMs?: number;
  /** Longest retry delay (default 1 h). */
  retryMaxMs?: number;
  now?: () => Date;
}

type Outcome = { state: TenantObjectState; reason: string | null };

/** An object whose write Microsoft answered with an error (not merely "not ready yet"). */
export interface CarrierFailure {
  /** e.g. "voice route Callbridge-3f2a9c1e". */
  label: string;
  error: unknown;
}

const labels: Record<TenantObjectKind, string> = {
  domain: 'domain',
  pstn_usage: 'PSTN usage',
  voice_route: 'voice route',
  voice_routing_policy: 'voice routing policy',
};
type Say = (message: string, level?: SyncLogLine['level']) => void;

/**
 * Sets a customer tenant up for Direct Routing in Microsoft's carrier model: the customer subdomain (added and
 * verified), a PSTN usage, a voice routing policy and a voice route to the subdomain. Every write is idempotent.
 * An object Microsoft is not ready for yet (a domain whose DNS record is not visible, a gateway not active) stays
 * pending with Microsoft's reason and a next attempt with backoff, which the worker's scheduler takes up by itself.
 */
export class CarrierSetup {
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly store: Store,
    private readonly sbcDomain: string,
    options: CarrierSetupOptions = {},
  ) {
    this.retryBaseMs = options.retryBaseMs ?? 30_000;
    this.retryMaxMs = options.retryMaxMs ?? 3600_000;
    this.now = options.now ?? (() => new Date());
  }

  names(serviceId: string): CarrierNames {
    return carrierNamesOf(serviceId, this.sbcDomain);
  }

  /**
   * Ensures the service's objects (with `onlyNotReady`, those not yet ready); returns their states and whether
   * the voice routing policy can be granted to users.
   */
  async ensure(
    accountId: string,
    serviceId: string,
    client: MicrosoftTenantClient,
    say: Say,
    options: { onlyNotReady?: boolean } = {},
  ): Promise<{ objects: TenantObject[]; policyReady: boolean; failures: CarrierFailure[] }> {
    const names = this.names(serviceId);
    const known = new Map(
      (await this.store.repos.tenantObjects.listByService(accountId, serviceId)).map((o) => [o.kind, o]),
    );
    const states = new Map<TenantObjectKind, TenantObjectState>();
    const failures: CarrierFailure[] = [];
    const step = async (kind: TenantObjectKind, name: string, attempt: () => Promise<Outcome>) => {
      const stored = known.get(kind);
      if (options.onlyNotReady && stored?.state === 'ready' && stored.name === name) {
        states.set(kind, 'ready');
        return;
      }
      const outcome = await attempt().catch((error: unknown) => {
        failures.push({ label: `${labels[kind]} ${name}`, error });
        return outcomeOfError(error);
      });
      states.set(kind, outcome.state);
      const saved = await this.store.repos.tenantObjects.record(
        accountId,
        serviceId,
        { kind, name, ...outcome },
        (attempts) => new Date(this.now().getTime() + this.backoffMs(attempts)),
      );
      if (outcome.state !== 'ready' || stored?.state !== 'ready')
        say(describeObject(saved), outcome.state === 'ready' ? 'info' : 'warn');
    };
    await step('domain', names.domain, async () => {
      let domain = await client.ensureDomain(names.domain);
      if (!domain.isVerified) domain = await client.verifyDomain(names.domain);
      return domain.isVerified
        ? ready()
        : pending(domain.verificationError ?? 'Microsoft has not verified the domain yet.');
    });
    await step(
      'pstn_usage',
      names.pstnUsage,
      async () => (await client.ensurePstnUsage(names.pstnUsage), ready()),
    );
    await step('voice_routing_policy', names.voiceRoutingPolicy, async () => {
      if (states.get('pstn_usage') !== 'ready')
        return pending(`Waiting for the PSTN usage ${names.pstnUsage}.`);
      await client.ensureVoiceRoutingPolicy({
        identity: names.voiceRoutingPolicy,
        onlinePstnUsages: [names.pstnUsage],
      });
      return ready();
    });
    await step('voice_route', names.voiceRoute, async () => {
      if (states.get('domain') !== 'ready')
        return pending(`Waiting for the domain ${names.domain} to be verified.`);
      if (states.get('pstn_usage') !== 'ready')
        return pending(`Waiting for the PSTN usage ${names.pstnUsage}.`);
      await client.ensureVoiceRoute({
        identity: names.voiceRoute,
        numberPattern: '.*',
        onlinePstnGatewayList: [names.domain],
        onlinePstnUsages: [names.pstnUsage],
        priority: 1,
      });
      return ready();
    });
    const objects = await this.store.repos.tenantObjects.listByService(accountId, serviceId);
    return { objects, policyReady: states.get('voice_routing_policy') === 'ready', failures };
  }

  private backoffMs(attempts: number): number {
    return Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  }
}

const ready = (): Outcome => ({ state: 'ready', reason: null });
const pending = (reason: string): Outcome => ({ state: 'pending', reason });

/** Access refused will not change by waiting: failed, with what to do. Anything else is retried. */
function outcomeOfError(error: unknown): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof GraphError && (error.httpStatus === 401 || error.httpStatus === 403)) {
    return {
      state: 'failed',
      reason: `${message} The Callbridge app needs the Teams Administrator role (and Domain.ReadWrite.All for the domain) in the tenant.`,
    };
  }
  return pending(message);
}

function describeObject(o: TenantObject): string {
  const label = {
    domain: 'Domain',
    pstn_usage: 'PSTN usage',
    voice_route: 'Voice route',
    voice_routing_policy: 'Voice routing policy',
  }[o.kind];
  if (o.state === 'ready') return `${label} ${o.name} is ready.`;
  const next = o.nextAttemptAt ? ` Retried automatically from ${o.nextAttemptAt}.` : '';
  return `${label} ${o.name} is ${o.state}: ${o.reason ?? 'no reason given'}.${next}`;
}
