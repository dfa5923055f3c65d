import type { PbxHealth } from './pbx.probe.js';
import type { Registration } from './registration.record.js';
import type {
  RegistrationConfig,
  RegistrationStateDetail,
  RegistrationStateName,
  RegistrationStatus,
  SipServiceConfig,
} from './registration.types.js';

/**
 * The agent's records: registrations by user id and by Contact token, PBX service settings interned (one shared
 * object per distinct service), counts per state, and state changes reported through `emit`. Failure detail is
 * kept only for failed and unconfirmed registrations, so a registered user costs no strings for it.
 */
export class RegistrationBook {
  readonly counts: Record<RegistrationStateName, number> = {
    registered: 0,
    failed: 0,
    disabled: 0,
    pending: 0,
    expiring: 0,
    unconfirmed: 0,
  };
  private readonly ids = new Map<string, Registration>();
  private readonly tokens = new Map<string, Registration>();
  private readonly services = new Map<string, SipServiceConfig>();
  private readonly failures = new Map<Registration, RegistrationStateDetail>();

  constructor(private readonly emit: (id: string, status: RegistrationStatus) => void) {}

  /** Copy a config with its service replaced by the shared instance for equal settings. */
  normalize(input: RegistrationConfig): RegistrationConfig {
    const s = input.service;
    const key = `${s.sipDomain}|${s.proxyHost ?? ''}|${s.proxyPort ?? ''}|${s.transport}|${s.expirySeconds}`;
    let service = this.services.get(key);
    if (!service) {
      service = {
        sipDomain: s.sipDomain,
        proxyHost: s.proxyHost,
        proxyPort: s.proxyPort,
        transport: s.transport,
        expirySeconds: s.expirySeconds,
      };
      this.services.set(key, service);
    }
    return {
      id: input.id,
      service,
      sipUsername: input.sipUsername,
      authUsername: input.authUsername,
      password: input.password,
      enabled: input.enabled !== false,
      ...(input.disabledReason !== undefined && { disabledReason: input.disabledReason }),
    };
  }

  /**
   * Equal in everything. Services are compared by identity: they are interned by every setting, so a service whose
   * expiry alone changed is another object and the registration is refreshed with the new expiry at once.
   */
  sameConfig(a: RegistrationConfig, b: RegistrationConfig): boolean {
    return (
      a.service === b.service &&
      this.sameIdentity(a, b) &&
      a.authUsername === b.authUsername &&
      a.password === b.password &&
      a.enabled === b.enabled &&
      a.disabledReason === b.disabledReason
    );
  }

  /** Same address of record at the same PBX; only credentials, expiry or enablement differ. */
  sameIdentity(a: RegistrationConfig, b: RegistrationConfig): boolean {
    const sa = a.service;
    const sb = b.service;
    return (
      a.sipUsername === b.sipUsername &&
      sa.sipDomain === sb.sipDomain &&
      sa.proxyHost === sb.proxyHost &&
      sa.proxyPort === sb.proxyPort &&
      sa.transport === sb.transport
    );
  }

  /** A Contact token for `id` not used by another registration. */
  uniqueToken(id: string, derive: (id: string, salt?: string) => string): string {
    let token = derive(id);
    for (let n = 1; this.tokens.has(token); n++) token = derive(id, `#${n}`);
    return token;
  }

  /** Hold a new registration; it counts in its initial state from now on. */
  add(reg: Registration): void {
    this.ids.set(reg.config.id, reg);
    this.tokens.set(reg.token, reg);
    this.counts[reg.state]++;
  }

  /** Forget a registration (it may still finish unregistering). */
  delete(reg: Registration): void {
    if (this.ids.get(reg.config.id) === reg) this.ids.delete(reg.config.id);
    if (this.tokens.get(reg.token) === reg) this.tokens.delete(reg.token);
    this.counts[reg.state]--;
    this.failures.delete(reg);
  }

  /** The registration of a user id. */
  byId(id: string): Registration | undefined {
    return this.ids.get(id);
  }

  /** The registration whose Contact user part is `token`. */
  byToken(token: string): Registration | undefined {
    return this.tokens.get(token);
  }

  /** Every user id held. */
  userIds(): string[] {
    return [...this.ids.keys()];
  }

  /** Visit every held registration. */
  forEach(fn: (reg: Registration) => void): void {
    for (const reg of this.ids.values()) fn(reg);
  }

  /** Registrations held. */
  get size(): number {
    return this.ids.size;
  }

  /** Record and report a state change of a held registration. */
  setState(reg: Registration, status: RegistrationStatus): void {
    if (this.ids.get(reg.config.id) !== reg) return;
    this.counts[reg.state]--;
    reg.state = status.state;
    this.counts[status.state]++;
    if (status.state === 'failed' || status.state === 'unconfirmed') this.failures.set(reg, status.detail);
    else this.failures.delete(reg);
    this.emit(reg.config.id, status);
  }

  /** The status of a registration as last reported. */
  statusOf(reg: Registration): RegistrationStatus {
    if (reg.state === 'failed' || reg.state === 'unconfirmed')
      return { state: reg.state, detail: this.failures.get(reg) ?? {} };
    if (reg.state === 'registered' || reg.state === 'expiring') return this.boundStatus(reg, reg.state);
    return { state: reg.state, detail: {} };
  }

  /** Registered or expiring, with expiry and time of the last 2xx. */
  boundStatus(reg: Registration, state: 'registered' | 'expiring'): RegistrationStatus {
    return {
      state,
      detail: {
        expiresAt: new Date(reg.expiresAt).toISOString(),
        lastSuccessAt: new Date(reg.lastSuccessAt).toISOString(),
      },
    };
  }

  /** Unconfirmed: the binding's times, and since when the PBX is silent (`health` of its target) and why. */
  unconfirmedStatus(reg: Registration, health: PbxHealth | undefined): RegistrationStatus {
    const since = health?.lastConfirmedAt ? ` since ${new Date(health.lastConfirmedAt).toISOString()}` : '';
    const why = health?.reason ? ` (${health.reason})` : '';
    return {
      state: 'unconfirmed',
      detail: {
        ...this.boundStatus(reg, 'registered').detail,
        reason: `The PBX has not answered${since}${why}; it may have lost this registration, which is renewed as soon as it answers.`,
      },
    };
  }

  /** Every distinct service the enabled registrations use (what the PBX probe watches). */
  *servicesInUse(): Iterable<SipServiceConfig> {
    const seen = new Set<SipServiceConfig>();
    for (const reg of this.ids.values()) {
      if (reg.config.enabled === false || seen.has(reg.config.service)) continue;
      seen.add(reg.config.service);
      yield reg.config.service;
    }
  }

  /** `{ lastSuccessAt }` when there was one, for failure details. */
  lastSuccess(reg: Registration): RegistrationStateDetail {
    return reg.lastSuccessAt > 0 ? { lastSuccessAt: new Date(reg.lastSuccessAt).toISOString() } : {};
  }
}
