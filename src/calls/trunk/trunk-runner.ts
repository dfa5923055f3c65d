import type { VoiceService } from '../../domain/records.js';
import type { Logger } from '../../observability/logger.js';
import type { SecretBox } from '../../services/secrets/secret-box.js';
import type { SipResolver } from '../../sip/dns/sip.resolver.js';
import type { RegistrationConfig, RegistrationStatus } from '../../sip/registration/registration.types.js';
import type { SipStack } from '../../sip/stack/sip.stack.js';
import type { Store } from '../../store/store.js';
import { trunkOfRegistrationId, trunkRegistrationId } from './trunk-calls.types.js';
import type { TrunkCalls } from './trunk-calls.js';
import { TrunkLine } from './trunk-line.js';
import { TrunkOptionsPinger } from './trunk-options.pinger.js';

/**
 * The sip role's side of trunks (issue 19): on every reload, the trunk settings are read, opened (password
 * decrypted, addresses resolved) and handed to the B2BUA's trunk calls; registration trunks become one
 * registration each in the registration agent (the caller adds `registrations()` to the users it registers);
 * OPTIONS pings every address. What the sip role sees of each trunk (registration state, health per address) is
 * written back to the trunk's row at most once a flush, for the API and portal.
 *
 * @example const runner = new TrunkRunner(store, secrets, stack, resolver, trunks, logger);
 * await runner.load(servicesById); agent configs = [...users, ...runner.registrations()];
 */
export class TrunkRunner {
  private configs: RegistrationConfig[] = [];
  /** Registration trunks this node registers (all on one node; its leased ones among several). */
  private mine = new Set<string>();
  private readonly states = new Map<string, RegistrationStatus>();
  private readonly healthChanged = new Set<string>();
  readonly pinger: TrunkOptionsPinger;

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    stack: SipStack,
    private readonly resolver: SipResolver,
    readonly trunks: TrunkCalls,
    private readonly logger: Logger,
  ) {
    this.pinger = new TrunkOptionsPinger(
      stack,
      () => trunks.all(),
      (line) => this.healthChanged.add(line.serviceId),
    );
  }

  /** Read and open every trunk of a trunk service (a trunk whose settings cannot be opened is logged and skipped). */
  async load(services: ReadonlyMap<string, VoiceService>): Promise<void> {
    const lines: TrunkLine[] = [];
    const configs: RegistrationConfig[] = [];
    for (const settings of await this.store.repos.trunkSettings.listForSystem()) {
      const service = services.get(settings.serviceId);
      if (service?.kind !== 'trunk' || service.accountId !== settings.accountId) continue;
      try {
        const password = settings.passwordEnc ? this.secrets.decrypt(settings.passwordEnc) : null;
        const line = await TrunkLine.open(settings, password, service, this.resolver);
        lines.push(line);
        const first = settings.addresses[0];
        if (settings.kind === 'registration' && settings.username && password !== null)
          configs.push({
            id: trunkRegistrationId(settings.serviceId),
            service: {
              sipDomain: settings.domain,
              transport: settings.transport,
              expirySeconds: service.registrationExpiry,
              ...(first && { proxyHost: first.host }),
              ...(first?.port && { proxyPort: first.port }),
            },
            sipUsername: settings.username,
            authUsername: settings.authUsername ?? settings.username,
            password,
            enabled: true,
          });
      } catch (error) {
        this.logger.error({ err: error, serviceId: settings.serviceId }, 'trunk could not be opened');
      }
    }
    this.trunks.replace(lines);
    this.configs = configs;
  }

  /** The registrations of registration trunks, for the agent beside the users'. */
  registrations(): RegistrationConfig[] {
    return this.configs;
  }

  /**
   * What this node registers now among all registrations (the sip nodes' lease round): only those trunks' states
   * are written from here, so a node handing a trunk over cannot overwrite the new holder's state.
   */
  registering(configs: readonly RegistrationConfig[]): void {
    this.mine = new Set(configs.map((c) => c.id).filter((id) => trunkOfRegistrationId(id)));
  }

  /** Whether this node registers the trunk (the metrics count only those). */
  registers(serviceId: string): boolean {
    return this.mine.has(trunkRegistrationId(serviceId));
  }

  /** The agent reported a state: true when it was a trunk's (then it is not a user's to write). */
  report(id: string, status: RegistrationStatus): boolean {
    if (!trunkOfRegistrationId(id)) return false;
    if (this.mine.has(id)) this.states.set(id, status);
    return true;
  }

  /** Write the registration states and health changed since the last flush. */
  async flush(): Promise<void> {
    const now = new Date().toISOString();
    const states = [...this.states];
    this.states.clear();
    for (const [id, status] of states) {
      const serviceId = trunkOfRegistrationId(id)!;
      const registration = { state: status.state, detail: { ...status.detail } };
      await this.store.repos.trunkSettings.recordState(serviceId, { registration }, now);
    }
    const changed = [...this.healthChanged];
    this.healthChanged.clear();
    for (const serviceId of changed) {
      const line = this.trunks.line(serviceId);
      if (line) await this.store.repos.trunkSettings.recordState(serviceId, { health: line.health() }, now);
    }
  }
}
