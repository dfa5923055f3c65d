import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { parseParams } from '../message/sip-uri.js';

/** Who refreshes the session (RFC 4028 section 4). */
export type Refresher = 'uac' | 'uas';

/** A negotiated session timer: the interval in seconds and whether this side sends the refreshes. */
export interface SessionTimerTerms {
  intervalSeconds: number;
  refresher: Refresher;
}

/** RFC 4028's floor for Min-SE and the value we ask for as UAC (Teams offers 3600, PBXs often 1800). */
export const MIN_SE_FLOOR = 90;
export const DEFAULT_SESSION_EXPIRES = 1800;

/** Session-Expires value: `1800;refresher=uac` -> { 1800, 'uac' }; undefined when absent or malformed. */
export function parseSessionExpires(
  value: string | undefined,
): { seconds: number; refresher: Refresher | undefined } | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  const seconds = Number((semi >= 0 ? value.slice(0, semi) : value).trim());
  if (!Number.isInteger(seconds) || seconds <= 0) return undefined;
  const refresher = semi >= 0 ? parseParams(value.slice(semi + 1)).get('refresher') : undefined;
  return {
    seconds,
    refresher: refresher === 'uac' || refresher === 'uas' ? refresher : undefined,
  };
}

/** True when the message lists `timer` in Supported (or Require). */
export function supportsTimer(message: SipRequest | SipResponse): boolean {
  return [...message.headers.getList('Supported'), ...message.headers.getList('Require')].some(
    (option) => option.toLowerCase() === 'timer',
  );
}

/** What a UAS does with an INVITE's session-timer headers (RFC 4028 section 9). */
export type UasSessionDecision =
  | { kind: 'none' }
  | { kind: 'too-small'; minSe: number }
  | { kind: 'use'; terms: SessionTimerTerms; headers: Record<string, string> };

/**
 * The UAS side: an INVITE asking for less than our Min-SE gets 422 with Min-SE; one with Session-Expires gets it
 * echoed in the 2xx with the refresher the UAC chose (or `uac` when it supports timers, else `uas`, so that a UAC
 * without timer support is never asked to refresh); without the header there is no session timer.
 *
 * @example uasSessionTimer(invite, 90) // { kind: 'use', terms: { intervalSeconds: 3600, refresher: 'uac' }, ... }
 */
export function uasSessionTimer(invite: SipRequest, minSe = MIN_SE_FLOOR): UasSessionDecision {
  const asked = parseSessionExpires(invite.headers.get('Session-Expires'));
  if (!asked) return { kind: 'none' };
  if (asked.seconds < minSe) return { kind: 'too-small', minSe };
  const refresher = asked.refresher ?? (supportsTimer(invite) ? 'uac' : 'uas');
  const headers: Record<string, string> = {
    'Session-Expires': `${asked.seconds};refresher=${refresher}`,
  };
  if (refresher === 'uac') headers.Require = 'timer';
  return { kind: 'use', terms: { intervalSeconds: asked.seconds, refresher }, headers };
}

/** Headers of an INVITE we send with a session timer (RFC 4028 section 7.1). */
export function uacSessionHeaders(
  seconds = DEFAULT_SESSION_EXPIRES,
  minSe = MIN_SE_FLOOR,
): Record<string, string> {
  return { Supported: 'timer', 'Session-Expires': String(seconds), 'Min-SE': String(minSe) };
}

/** The UAC side after the 2xx: the interval the UAS chose; a 2xx without it means no session timer. */
export function uacSessionTerms(response: SipResponse): SessionTimerTerms | undefined {
  const granted = parseSessionExpires(response.headers.get('Session-Expires'));
  if (!granted) return undefined;
  return { intervalSeconds: granted.seconds, refresher: granted.refresher ?? 'uac' };
}

/** The refresher side of a dialog: `uac` on the dialog's UAC is us. */
export function weRefresh(terms: SessionTimerTerms, role: 'uac' | 'uas'): boolean {
  return terms.refresher === role;
}

/**
 * One running session timer: the refresher re-INVITEs at half the interval; the other side ends the session
 * (BYE) when no refresh came by the interval minus min(32 s, interval/3) (RFC 4028 section 10).
 */
export class SessionTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private terms: SessionTimerTerms,
    private readonly refreshing: boolean,
    private readonly actions: { refresh: () => void; expire: () => void },
  ) {
    this.arm();
  }

  /** A refresh (re-INVITE or UPDATE 2xx) happened: start the interval again, with new terms if given. */
  refreshed(terms?: SessionTimerTerms): void {
    if (terms) this.terms = terms;
    this.arm();
  }

  /** The dialog ended. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.stop();
    const interval = this.terms.intervalSeconds * 1000;
    const wait = this.refreshing ? interval / 2 : interval - Math.min(32_000, interval / 3);
    this.timer = setTimeout(() => (this.refreshing ? this.actions.refresh() : this.actions.expire()), wait);
    this.timer.unref?.();
  }
}
