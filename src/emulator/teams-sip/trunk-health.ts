/** Microsoft counts an SBC healthy when it sent OPTIONS within this window (Direct Routing monitoring page). */
export const HEALTH_WINDOW_MS = 3 * 60_000;

/** What the emulated proxy knows about one SBC FQDN. */
export interface TrunkRecord {
  fqdn: string;
  lastOptionsAt: number | undefined;
  /** Our own OPTIONS to the SBC's Contact: when, and what it answered (0: no answer). */
  lastProbeAt: number | undefined;
  lastProbeStatus: number | undefined;
}

/**
 * Per-SBC health as Microsoft keeps it: an SBC is "active" when its OPTIONS arrived within the last 3 minutes and
 * it answered our OPTIONS back with 200.
 *
 * @example health.optionsReceived('sbc.example.com'); health.isHealthy('sbc.example.com') // after the probe's 200
 */
export class TrunkHealth {
  private readonly trunks = new Map<string, TrunkRecord>();

  /** The SBC sent OPTIONS (and passed the TLS and Contact checks). */
  optionsReceived(fqdn: string, now = Date.now()): TrunkRecord {
    const record = this.record(fqdn);
    record.lastOptionsAt = now;
    return record;
  }

  /** Our OPTIONS to the SBC came back with `status` (0 when it timed out or failed). */
  probeAnswered(fqdn: string, status: number, now = Date.now()): void {
    const record = this.record(fqdn);
    record.lastProbeAt = now;
    record.lastProbeStatus = status;
  }

  /** True within 3 minutes of the SBC's last OPTIONS, when it answered our last probe with 200. */
  isHealthy(fqdn: string, now = Date.now()): boolean {
    const record = this.trunks.get(fqdn.toLowerCase());
    if (!record?.lastOptionsAt || now - record.lastOptionsAt > HEALTH_WINDOW_MS) return false;
    return record.lastProbeStatus === 200;
  }

  /** Every SBC seen. */
  list(now = Date.now()): (TrunkRecord & { healthy: boolean })[] {
    return [...this.trunks.values()].map((r) => ({ ...r, healthy: this.isHealthy(r.fqdn, now) }));
  }

  get(fqdn: string): TrunkRecord | undefined {
    return this.trunks.get(fqdn.toLowerCase());
  }

  private record(fqdn: string): TrunkRecord {
    const key = fqdn.toLowerCase();
    let record = this.trunks.get(key);
    if (!record) {
      record = { fqdn: key, lastOptionsAt: undefined, lastProbeAt: undefined, lastProbeStatus: undefined };
      this.trunks.set(key, record);
    }
    return record;
  }
}
