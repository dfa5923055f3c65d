import { z } from 'zod';

/** Kinds of fault the emulator can inject. */
/**
 * Kinds of fault the emulator can inject. `notFound` is an outage seen on the Teams admin API (an endpoint
 * answering 404 for a while), which is not retried.
 */
export const faultKinds = ['throttle', 'unavailable', 'gatewayTimeout', 'notFound', 'slow', 'drop'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** A tenant's fault configuration (PUT /_emulator/tenants/{id}/faults). */
export const faultConfigSchema = z.object({
  /** Microsoft's resource-unit throttling of directory reads, per app and tenant. */
  resourceUnits: z
    .object({
      enabled: z.boolean().default(true),
      /** Units per window; default Microsoft's by tenant size (3,500 / 5,000 / 8,000 per 10 s). */
      limit: z.number().int().positive().optional(),
      windowMs: z.number().int().positive().default(10_000),
    })
    .optional(),
  /** Probability per request of each fault kind (0-1). */
  rates: z.partialRecord(z.enum(faultKinds), z.number().min(0).max(1)).default({}),
  /** Faults to inject on the next matching requests, in order, before any rate applies. */
  script: z
    .array(z.object({ kind: z.enum(faultKinds), count: z.number().int().positive().default(1) }))
    .default([]),
  /** Only requests whose path matches this regular expression get faults. */
  pathPattern: z.string().optional(),
  /** Retry-After sent with injected 429/503 (seconds, decimals allowed). */
  retryAfterSeconds: z.number().min(0).default(1),
  /** Extra latency of a "slow" answer. */
  slowMs: z.number().int().min(0).default(2_000),
  /** Seed of the random draws, for reproducible runs. */
  randomSeed: z.number().int().default(1),
  /** Number operations stay running this long, then succeed or fail. */
  operationDelayMs: z.number().int().min(0).default(0),
  /** Make every number operation fail with this message (e.g. "Service is unavailable. Please try again"). */
  operationFailure: z.string().nullable().default(null),
});

export type FaultConfig = z.output<typeof faultConfigSchema>;
export type FaultConfigInput = z.input<typeof faultConfigSchema>;

/** What to do to one request. */
export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | {
      kind: 'throttle' | 'unavailable' | 'gatewayTimeout' | 'notFound';
      retryAfterSeconds: number;
      resourceUnits: boolean;
    }
  | { kind: 'drop' };

/** Resource units charged per request (Microsoft's throttling limits page, identity and access service). */
export function resourceUnitCost(path: string): number {
  if (/\/transitiveMembers/i.test(path)) return 5;
  if (/\/subscribedSkus/i.test(path)) return 3;
  if (/\/users\/delta/i.test(path)) return 5;
  if (/\/(v1\.0|beta)\/users\/?$/i.test(path)) return 2;
  return 1;
}

/** Microsoft's directory limit by tenant size, per 10 seconds. */
export function defaultResourceUnitLimit(userCount: number): number {
  if (userCount < 50) return 3_500;
  if (userCount <= 500) return 5_000;
  return 8_000;
}

/** Live fault state of a tenant: its configuration, random generator, script and throttling window. */
export class FaultState {
  readonly config: FaultConfig;
  private readonly script: { kind: FaultKind; left: number }[];
  private readonly pattern: RegExp | undefined;
  private randomState: number;
  private readonly windows = new Map<string, { start: number; used: number }>();
  /** Counters for tests and the admin endpoint. */
  readonly injected: Record<FaultKind, number> = {
    throttle: 0,
    unavailable: 0,
    gatewayTimeout: 0,
    notFound: 0,
    slow: 0,
    drop: 0,
  };

  constructor(input: FaultConfigInput) {
    this.config = faultConfigSchema.parse(input);
    this.script = this.config.script.map((s) => ({ kind: s.kind, left: s.count }));
    this.pattern = this.config.pathPattern ? new RegExp(this.config.pathPattern) : undefined;
    this.randomState = this.config.randomSeed >>> 0 || 1;
  }

  /** Decide the fate of one request (`appId` scopes the resource-unit window, as Microsoft does). */
  decide(path: string, appId: string, userCount: number, now = Date.now()): FaultDecision {
    if (this.pattern && !this.pattern.test(path)) return { kind: 'none', delayMs: 0 };
    const throttled = this.chargeResourceUnits(path, appId, userCount, now);
    if (throttled !== undefined) {
      this.injected.throttle++;
      return { kind: 'throttle', retryAfterSeconds: throttled, resourceUnits: true };
    }
    const kind = this.nextScripted() ?? this.drawRate();
    if (!kind) return { kind: 'none', delayMs: 0 };
    this.injected[kind]++;
    if (kind === 'slow') return { kind: 'none', delayMs: this.config.slowMs };
    if (kind === 'drop') return { kind: 'drop' };
    return { kind, retryAfterSeconds: this.config.retryAfterSeconds, resourceUnits: false };
  }

  /** Usage of the current window in percent, for the x-ms-throttle-limit-percentage header. */
  usagePercent(appId: string, userCount: number): number {
    const window = this.windows.get(appId);
    return window ? Math.round((window.used / this.limit(userCount)) * 100) : 0;
  }

  private limit(userCount: number): number {
    return this.config.resourceUnits?.limit ?? defaultResourceUnitLimit(userCount);
  }

  /** Charge the request's units; returns seconds to wait when the window is spent. */
  private chargeResourceUnits(
    path: string,
    appId: string,
    userCount: number,
    now: number,
  ): number | undefined {
    const settings = this.config.resourceUnits;
    if (!settings?.enabled || !/^\/(v1\.0|beta)\//.test(path)) return undefined;
    let window = this.windows.get(appId);
    if (!window || now - window.start >= settings.windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(appId, window);
    }
    const cost = resourceUnitCost(path);
    if (window.used + cost > this.limit(userCount)) {
      return Math.max(0.001, (window.start + settings.windowMs - now) / 1000);
    }
    window.used += cost;
    return undefined;
  }

  private nextScripted(): FaultKind | undefined {
    const head = this.script[0];
    if (!head) return undefined;
    if (--head.left <= 0) this.script.shift();
    return head.kind;
  }

  private drawRate(): FaultKind | undefined {
    for (const kind of faultKinds) {
      const rate = this.config.rates[kind] ?? 0;
      if (rate > 0 && this.random() < rate) return kind;
    }
    return undefined;
  }

  /** mulberry32: small, fast and reproducible. */
  private random(): number {
    let t = (this.randomState = (this.randomState + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
