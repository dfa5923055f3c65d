/** How often an unreachable PBX target is probed: exponential backoff between these bounds (ms). */
export interface ProbeOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_PROBE: ProbeOptions = { baseMs: 1000, maxMs: 30_000 };

interface Down {
  failures: number;
  reason: string;
  nextProbeAt: number;
  timer: NodeJS.Timeout;
}

/**
 * Which TCP/TLS targets do not answer (issue 22: a PBX outage became 7,924 connection attempts in 40 s, one per
 * user attempt). While a target is down nobody connects to it: sends fail at once with the last reason, and one
 * probe connection is made at a time, backing off; when a probe connects, `up` is called and the target is used
 * again (the agent then re-registers its users, paced).
 */
export class TargetHealth {
  private readonly down = new Map<string, Down>();

  constructor(
    private readonly options: ProbeOptions,
    private readonly probe: (key: string) => void,
  ) {}

  /** Targets down now. */
  get downCount(): number {
    return this.down.size;
  }

  /** Why a target is down and when it is probed next, or undefined when it is not down. */
  status(key: string): { reason: string; nextProbeAt: number } | undefined {
    return this.down.get(key);
  }

  /** A connection to `key` failed (a probe or a first attempt): schedule the next probe, further away. */
  failed(key: string, reason: string): void {
    const previous = this.down.get(key);
    if (previous) clearTimeout(previous.timer);
    const failures = (previous?.failures ?? 0) + 1;
    // Exponential with jitter (50-100 % of min(max, base * 2^(n-1))), so many nodes probing one PBX spread out.
    const ceiling = Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(30, failures - 1));
    const delay = Math.round(ceiling * (0.5 + 0.5 * Math.random()));
    const timer = setTimeout(() => this.probe(key), delay);
    timer.unref();
    this.down.set(key, { failures, reason, nextProbeAt: Date.now() + delay, timer });
  }

  /** A connection to `key` opened: it is up again. True when it had been down. */
  connected(key: string): boolean {
    const entry = this.down.get(key);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.down.delete(key);
    return true;
  }

  /** Forget every target (transport closing). */
  clear(): void {
    for (const entry of this.down.values()) clearTimeout(entry.timer);
    this.down.clear();
  }
}
