import type { Logger } from '../observability/logger.js';
import { pbxTargetKey, type PbxHealth } from '../sip/registration/pbx.probe.js';
import type { SipServiceConfig } from '../sip/registration/registration.types.js';
import type { Store } from '../store/store.js';

/**
 * Takes the PBX verdicts the agent reports per target (OPTIONS probe, REGISTER answers) and writes them per PBX
 * service (several services may share one PBX target) at the next flush, so the API and portal can say whether
 * each service's PBX answers and when it last did. Only the latest verdict per target is written; a change of
 * reachability is logged.
 */
export class PbxReachabilityWriter {
  private pending = new Map<string, PbxHealth>();
  private servicesByTarget = new Map<string, string[]>();
  private readonly logged = new Map<string, boolean>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** The PBX services the role registers for (service id -> its settings), on every reload. */
  serviceTargets(services: ReadonlyMap<string, SipServiceConfig>): void {
    const byTarget = new Map<string, string[]>();
    for (const [id, service] of services) {
      const key = pbxTargetKey(service);
      byTarget.set(key, [...(byTarget.get(key) ?? []), id]);
    }
    this.servicesByTarget = byTarget;
  }

  /** A verdict on a target: kept for the next flush; logged when reachability changed. */
  report(key: string, health: PbxHealth): void {
    if (health.reachable === undefined) return;
    this.pending.set(key, health);
    if (this.logged.get(key) === health.reachable) return;
    this.logged.set(key, health.reachable);
    const fields = { pbx: key, services: this.servicesByTarget.get(key) ?? [] };
    if (health.reachable) this.logger.info(fields, 'PBX answers');
    else
      this.logger.warn({ ...fields, reason: health.reason }, 'PBX not answering: its users show unconfirmed');
  }

  /** Write the verdicts reported since the last flush, one transaction. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.store.transaction(async (tx) => {
      for (const [key, health] of batch) {
        const ids = this.servicesByTarget.get(key);
        if (!ids) continue;
        await tx.pbxReachability.record(ids, {
          reachable: health.reachable === true,
          lastConfirmedAt: health.lastConfirmedAt > 0 ? new Date(health.lastConfirmedAt).toISOString() : null,
          checkedAt: new Date(health.lastCheckedAt || Date.now()).toISOString(),
          reason: health.reachable ? null : (health.reason ?? 'No answer'),
        });
      }
    });
  }
}
