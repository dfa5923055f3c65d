import type { SipResponse } from '../message/sip-message.js';
import { parseNameAddr } from '../message/sip-uri.js';

/**
 * Pure rules of registration: when to refresh, how long to back off, what a response means. No I/O, no clock:
 * callers pass `now` and a random number in [0, 1).
 */

/** Responses that need an administrator (credentials, account, domain): no automatic retry. */
const FINAL_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 407, 410, 484, 603, 604]);

/**
 * Delay before refreshing a binding granted for `expiresSeconds`: between 55 % and 80 % of it, spread by `random`
 * so thousands of users registered at once refresh at different times; never closer than 5 s to the end when
 * the expiry allows it.
 *
 * @example refreshDelayMs(3600, 0.5) // 2,430,000 ms (67.5 %)
 */
export function refreshDelayMs(expiresSeconds: number, random: number): number {
  const total = expiresSeconds * 1000;
  const delay = total * (0.55 + 0.25 * random);
  return Math.round(Math.max(500, Math.min(delay, Math.max(total - 5000, total * 0.55))));
}

/**
 * Exponential backoff with jitter after `failures` consecutive failures (1 = first failure): a random value
 * between 50 % and 100 % of min(max, base * 2^(failures-1)).
 *
 * @example backoffDelayMs(3, 2000, 300_000, 0.99) // ~7,960 ms
 */
export function backoffDelayMs(failures: number, baseMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(ceiling * (0.5 + 0.5 * random));
}

/** True when a failure with this status must not be retried until the configuration changes. */
export function isFinalFailure(status: number): boolean {
  return FINAL_STATUSES.has(status) || (status >= 600 && status < 700);
}

/**
 * The expiry the PBX granted (RFC 3261 section 10.2.4): our Contact's `expires` parameter in the 2xx, else the
 * Expires header, else what we asked for.
 */
export function grantedExpires(response: SipResponse, contactUser: string, requested: number): number {
  for (const value of response.headers.getList('Contact')) {
    try {
      const contact = parseNameAddr(value);
      if (contact.uri.user !== contactUser) continue;
      const expires = Number(contact.params.get('expires'));
      if (Number.isFinite(expires) && contact.params.has('expires')) return expires;
    } catch {
      // another client's odd Contact: not ours
    }
  }
  const header = Number(response.headers.get('Expires')?.trim());
  if (response.headers.has('Expires') && Number.isFinite(header)) return header;
  return requested;
}

/** Seconds from a Retry-After header (`120`, `120;duration=60`, `120 (busy)`), undefined when absent. */
export function retryAfterSeconds(response: SipResponse): number | undefined {
  const match = /^\s*(\d+)/.exec(response.headers.get('Retry-After') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Min-Expires of a 423 response, undefined when absent or malformed. */
export function minExpiresSeconds(response: SipResponse): number | undefined {
  const match = /^\s*(\d+)\s*$/.exec(response.headers.get('Min-Expires') ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Registered or expiring? A refresh that succeeded only after the previous binding had run out, while the
 * previous attempt had also succeeded (no outage in between), means refreshes are falling behind expiry.
 */
export function successState(
  previousExpiresAt: number,
  hadFailures: boolean,
  now: number,
): 'registered' | 'expiring' {
  if (!hadFailures && previousExpiresAt > 0 && now > previousExpiresAt) return 'expiring';
  return 'registered';
}
