import { childOf, parseHistoryInfo, wasRetargeted } from '../sip/message/history-info.js';

/**
 * Teams' History-Info (RFC 7044) mapped to the Diversion header (RFC 5806) PBXs and trunks want, for calls
 * Teams forwards or rings simultaneously to the PBX (CALLS.md "Forwarding and simultaneous ring"). Written
 * here rather than taken from a library: no maintained npm package parses either header, and the mapping is a
 * table (RFC 6044 section 4).
 */

/** RFC 6044's causes -> Diversion reasons. Microsoft's published capture writes `496 "User Busy"`: busy too. */
const REASONS: Record<number, string> = {
  302: 'unconditional',
  404: 'unknown',
  408: 'no-answer',
  480: 'deflection',
  486: 'user-busy',
  487: 'deflection',
  496: 'user-busy',
  503: 'unavailable',
};

/**
 * The Diversion value for a call whose History-Info shows it was retargeted: one diversion per entry the request
 * left (it has a Reason, or a later entry descends from it: a simultaneous ring adds a branch without one), most
 * recent first, each `<sip:user@pbxDomain>;reason=...;counter=1`. The reason is the entry's Reason cause, else
 * RFC 4458's `cause` on the entry it went to, else `unknown`. `target` (the Request-URI's user) is where the
 * request is now, never a diversion. Undefined when nothing was retargeted (a plain call) or nothing can be read.
 *
 * @example diversionFromHistoryInfo(['<sip:+1@ms?Reason=SIP%3Bcause%3D302>;index=1'], 'pbx.example')
 * // '<sip:+1@pbx.example>;reason=unconditional;counter=1'
 */
export function diversionFromHistoryInfo(
  values: string[],
  pbxDomain: string,
  target?: string,
): string | undefined {
  const entries = parseHistoryInfo(values);
  const diverted = entries
    .filter((entry) => entry.user !== target && wasRetargeted(entry, entries))
    .reverse();
  if (diverted.length === 0) return undefined;
  return diverted
    .map((entry) => {
      const cause = entry.reasonCause ?? childOf(entry, entries)?.uriCause;
      const reason = (cause === undefined ? undefined : REASONS[cause]) ?? 'unknown';
      return `<sip:${entry.user}@${pbxDomain}>;reason=${reason};counter=1`;
    })
    .join(', ');
}
