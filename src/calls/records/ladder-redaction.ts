/**
 * Removes secrets from SIP messages before a ladder is stored. The B2BUA's capture is said to redact already; the
 * records never rely on it (a ladder is shown to administrators and downloaded as text), so every message passes
 * here: digest responses (and cnonces), bearer tokens, SRTP keys on `a=crypto` lines and `k=` lines, passwords in
 * SIP URIs, Teams' transfer tokens (`x-tt`), and any header whose name says it carries a token, secret or password.
 */
import type { LadderEntry } from '../call-record.types.js';

export const REMOVED = '<removed>';

/** Each rule: a pattern and its replacement (case-insensitive: Microsoft sends headers in upper case). */
const RULES: [RegExp, string][] = [
  // Digest parameters that prove the password: response="..." (quoted or not) and the client nonce.
  [/(\b(?:response|cnonce)\s*=\s*)("[^"]*"|[^\s,;]+)/gi, `$1"${REMOVED}"`],
  // Bearer or other token schemes in any authorization header.
  [/(\b(?:bearer|basic|negotiate|ntlm)\s+)[A-Za-z0-9\-._~+/=]+/gi, `$1${REMOVED}`],
  // SDES keys: every inline: key of an a=crypto line (key||salt, lifetime and MKI included).
  [/(\binline:)[^\s;]+/gi, `$1${REMOVED}`],
  // An SDP key line (k=clear:..., k=base64:...).
  [/^(k=[a-z0-9-]+)(:.*)?$/gim, `$1:${REMOVED}`],
  // A password in a SIP URI: sip:user:password@host.
  [/(\bsips?:[^:@\s<>;"]+:)[^@\s<>;"]+(@)/gi, `$1${REMOVED}$2`],
  // Teams' transfer token in Referred-By (x-tt=...).
  [/(\bx-tt=)[^;>,\s]+/gi, `$1${REMOVED}`],
  // Headers that name what they carry: X-Auth-Token, X-Api-Secret, X-Password...
  [/^([A-Za-z0-9-]*(?:token|secret|password|passwd|api-key)[A-Za-z0-9-]*\s*:\s*).+$/gim, `$1${REMOVED}`],
];

/** One SIP message (or its first line) with every known secret replaced by `<removed>`. */
export function redactSipText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** A ladder as stored: each entry's summary and text redacted. */
export function redactLadder(entries: readonly LadderEntry[]): LadderEntry[] {
  return entries.map((entry) => ({
    at: entry.at,
    leg: entry.leg,
    direction: entry.direction,
    summary: redactSipText(entry.summary),
    text: redactSipText(entry.text),
  }));
}
