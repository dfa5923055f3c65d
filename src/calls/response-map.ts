import type { CallResult } from './call-record.types.js';
import type { RingbackProfile } from './call-user.js';

/**
 * How a final answer of one leg is told to the other (RFC 3261 section 21 classes, CALLS.md): busy, decline,
 * not found and unavailable keep their meaning; 603 stays 603 (a person declined: nobody may retry it); a timeout
 * becomes 480; server failures become 503 so that the caller's side may try elsewhere; challenges of the far side
 * are never passed on (they are Callbridge's to answer, not the caller's).
 *
 * @example finalStatusAcross(600) // 486
 */
export function finalStatusAcross(status: number): number {
  if (status === 600) return 486;
  if (PASSED.has(status)) return status;
  if (status === 408) return 480;
  if (status === 401 || status === 407) return 403;
  if (status >= 500 && status < 600) return 503;
  if (status >= 600) return 603;
  return 480;
}

const PASSED = new Set([403, 404, 410, 480, 484, 486, 487, 488, 603, 606]);

/** What a final status means for the call record. */
export function resultOf(status: number): CallResult {
  if (status < 300) return 'answered';
  if (status === 486 || status === 600) return 'busy';
  if (status === 603) return 'declined';
  if (status === 487) return 'cancelled';
  if (status === 480 || status === 408) return 'no-answer';
  return 'failed';
}

/** What to do with one provisional response under a ringback profile. */
export type RingbackStep = { kind: 'forward'; status: number; withSdp: boolean } | { kind: 'drop' };

/**
 * The per-service ringback profile (CALLS.md): Teams sends one 180 per device, then at most one 183 with SDP.
 * `pass-through` forwards each 18x as it is; `first-18x-only` forwards the first and drops the rest (the PBX
 * keeps the ringback it started); `183-as-180` turns a 183 into a 180 without SDP (the PBX plays its own ringback,
 * early media is not heard). A 100 is never forwarded (each leg has its own).
 *
 * @example const ringback = new RingbackFilter('first-18x-only'); ringback.next(180); ringback.next(183) // drop
 */
export class RingbackFilter {
  private forwarded = 0;

  constructor(private readonly profile: RingbackProfile) {}

  next(status: number, hasSdp: boolean): RingbackStep {
    if (status < 101 || status > 199) return { kind: 'drop' };
    if (this.profile === 'first-18x-only' && this.forwarded > 0) return { kind: 'drop' };
    this.forwarded++;
    if (this.profile === '183-as-180' && status === 183)
      return { kind: 'forward', status: 180, withSdp: false };
    return { kind: 'forward', status, withSdp: hasSdp };
  }
}
