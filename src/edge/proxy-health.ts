/** Microsoft's rule, applied to our side too: healthy when an OPTIONS got its 200 within 3 minutes. */
export const HEALTHY_WINDOW_MS = 3 * 60_000;

/** The state of one Microsoft proxy as the edge sees it. */
export interface ProxyHealthState {
  proxy: string;
  /** Last OPTIONS answered 200 (ISO), and its round trip. */
  lastOkAt: string | undefined;
  roundTripMs: number | undefined;
  /** Last attempt and its result (status, or 0 for a timeout / connection failure) with why. */
  lastAttemptAt: string | undefined;
  lastStatus: number | undefined;
  lastError: string | undefined;
  /** Failed OPTIONS in a row, and in all. */
  consecutiveFailures: number;
  failures: number;
  healthy: boolean;
}

/** Health of every proxy, updated by the OPTIONS pinger and by calls (a 503 or timeout counts as a failure). */
export class ProxyHealthBook {
  private readonly states = new Map<string, Omit<ProxyHealthState, 'healthy'> & { okAt?: number }>();

  constructor(
    proxies: readonly string[],
    private readonly windowMs = HEALTHY_WINDOW_MS,
  ) {
    for (const proxy of proxies)
      this.states.set(proxy, {
        proxy,
        lastOkAt: undefined,
        roundTripMs: undefined,
        lastAttemptAt: undefined,
        lastStatus: undefined,
        lastError: undefined,
        consecutiveFailures: 0,
        failures: 0,
      });
  }

  /** An OPTIONS came back with `status` after `roundTripMs`. */
  answered(proxy: string, status: number, roundTripMs: number, reason?: string, now = Date.now()): void {
    const state = this.states.get(proxy);
    if (!state) return;
    state.lastAttemptAt = new Date(now).toISOString();
    state.lastStatus = status;
    if (status === 200) {
      state.okAt = now;
      state.lastOkAt = state.lastAttemptAt;
      state.roundTripMs = roundTripMs;
      state.lastError = undefined;
      state.consecutiveFailures = 0;
      return;
    }
    this.failed(proxy, status, `${status} ${reason ?? ''}`.trim(), now);
  }

  /** An OPTIONS or call attempt failed (status 0: no answer / no connection). */
  failed(proxy: string, status: number, error: string, now = Date.now()): void {
    const state = this.states.get(proxy);
    if (!state) return;
    state.lastAttemptAt = new Date(now).toISOString();
    state.lastStatus = status;
    state.lastError = error;
    state.consecutiveFailures++;
    state.failures++;
  }

  /** Healthy: a 200 within the window and the last attempt did not fail. */
  isHealthy(proxy: string, now = Date.now()): boolean {
    const state = this.states.get(proxy);
    return !!state?.okAt && now - state.okAt <= this.windowMs && state.consecutiveFailures === 0;
  }

  /** Every proxy's state, in configured order. */
  list(now = Date.now()): ProxyHealthState[] {
    return [...this.states.values()].map(({ okAt: _okAt, ...state }) => ({
      ...state,
      healthy: this.isHealthy(state.proxy, now),
    }));
  }
}
