import { transactionTimeout, type TimerSettings } from './timer-settings.js';

/**
 * The INVITE transaction timers of RFC 3261 table 4 and RFC 6026, derived from T1/T2/T4 so that tests can shrink
 * them all at once. Values in milliseconds; 0 means "at once" (reliable transports skip the wait states).
 */
export interface InviteTimers {
  /** Timer A: first INVITE retransmission (UDP), doubling each time. */
  a: number;
  /** Timer B: the INVITE gets no response at all (64*T1). */
  b: number;
  /** Timer C: a proceeding INVITE gets no final response (> 3 min, RFC 3261 16.6 step 11), reset by each 1xx. */
  c: number;
  /** Timer D: client absorbs retransmitted non-2xx finals (>= 32 s on UDP, 0 on TCP/TLS). */
  d: number;
  /** Timer G: server retransmits its non-2xx final (UDP), doubling to T2. */
  g: number;
  /** Longest Timer G interval (T2). */
  gMax: number;
  /** Timer H: server waits for the ACK of its non-2xx final (64*T1). */
  h: number;
  /** Timer I: server absorbs ACK retransmissions (T4 on UDP, 0 on TCP/TLS). */
  i: number;
  /** Timer L (RFC 6026): server stays Accepted to absorb INVITE retransmissions after a 2xx (64*T1). */
  l: number;
  /** Timer M (RFC 6026): client stays Accepted to pass 2xx retransmissions and other forks' 2xx up (64*T1). */
  m: number;
}

/** Timer C default: RFC 3261 asks for more than three minutes. */
export const TIMER_C_MS = 181_000;

/** The INVITE timers for one transaction over a reliable (TCP/TLS) or unreliable (UDP) transport. */
export function inviteTimers(timers: TimerSettings, reliable: boolean, timerC = TIMER_C_MS): InviteTimers {
  const long = transactionTimeout(timers);
  return {
    a: timers.t1,
    b: long,
    c: timerC,
    d: reliable ? 0 : Math.max(32_000, long),
    g: timers.t1,
    gMax: timers.t2,
    h: long,
    i: reliable ? 0 : timers.t4,
    l: long,
    m: long,
  };
}
