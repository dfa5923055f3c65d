/** RFC 3261 timer base values (section 17.1.1.1 and table 4), in milliseconds. */
export interface TimerSettings {
  /** RTT estimate: first retransmission interval. Default 500 ms. */
  t1: number;
  /** Longest retransmission interval for non-INVITE requests and INVITE responses. Default 4 s. */
  t2: number;
  /** Longest time a message stays in the network. Default 5 s. */
  t4: number;
}

/** The RFC 3261 defaults. */
export const DEFAULT_TIMERS: TimerSettings = { t1: 500, t2: 4000, t4: 5000 };

/** Timer F / J / H: 64 * T1 (32 s with defaults). */
export function transactionTimeout(timers: TimerSettings): number {
  return 64 * timers.t1;
}

/** Next retransmission interval after `current` (Timer E / G): double, capped at T2. */
export function nextRetransmitInterval(current: number, timers: TimerSettings): number {
  return Math.min(current * 2, timers.t2);
}
