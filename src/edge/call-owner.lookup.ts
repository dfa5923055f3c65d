import { parseHistoryInfo, wasRetargeted } from '../sip/message/history-info.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import { parseNameAddr, parseSipUri } from '../sip/message/sip-uri.js';

/** A +E.164 number, the only form Microsoft gives Teams users' numbers in. */
const E164 = /^\+[1-9]\d{1,14}$/;

/** At most this many numbers are looked up per INVITE (one indexed query each). */
const MAX_CANDIDATES = 6;

/**
 * The numbers that may name the Callbridge user of a call from Teams, in the order they are tried (CALLS.md
 * "Forwarding and simultaneous ring"). A call Microsoft forwards or simultaneously rings to the PBX is the call of
 * the Teams user whose rule fired, not of its caller (a PSTN number, or another Teams user): their number is in
 * History-Info (RFC 7044: the entries the request left, most recent first, never the Request-URI's target), or in
 * a Referred-By with a user part. Then the caller (P-Asserted-Identity, else From), as for an ordinary call.
 *
 * @example ownerNumbers(forwardedInvite) // ['+4930111', '+447700900123']
 */
export function ownerNumbers(request: SipRequest): string[] {
  const target = userOfUri(request.uri);
  const entries = parseHistoryInfo(request.headers.getAll('History-Info'));
  const forwarded = entries
    .filter((entry) => entry.user !== target && wasRetargeted(entry, entries))
    .reverse()
    .map((entry) => entry.user);
  const candidates = [
    ...forwarded,
    userOfNameAddr(request.headers.get('Referred-By')),
    userOfNameAddr(request.headers.first('P-Asserted-Identity')),
    userOfNameAddr(request.headers.get('From')),
  ];
  const numbers = candidates.filter((n): n is string => n !== undefined && E164.test(n));
  return [...new Set(numbers)].slice(0, MAX_CANDIDATES);
}

function userOfUri(uri: string): string | undefined {
  try {
    return parseSipUri(uri).user;
  } catch {
    return undefined;
  }
}

function userOfNameAddr(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNameAddr(value).uri.user;
  } catch {
    return undefined;
  }
}
