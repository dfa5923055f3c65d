import { parseSipUri } from '../sip/message/sip-uri.js';

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

interface HistoryEntry {
  user: string;
  index: number[];
  cause: number | undefined;
}

/**
 * The Diversion value for a call whose History-Info shows it was retargeted: one diversion per entry that carries
 * a Reason (the target the request left), most recent first, each `<sip:user@pbxDomain>;reason=...;counter=1`.
 * Undefined when nothing was retargeted (a plain call) or the header cannot be read.
 *
 * @example diversionFromHistoryInfo(['<sip:+1@ms?Reason=SIP%3Bcause%3D302>;index=1'], 'pbx.example')
 * // '<sip:+1@pbx.example>;reason=unconditional;counter=1'
 */
export function diversionFromHistoryInfo(values: string[], pbxDomain: string): string | undefined {
  const entries = values.flatMap(splitEntries).map(parseEntry);
  const diverted = entries
    .filter((entry): entry is HistoryEntry => entry !== undefined && entry.cause !== undefined)
    .sort((a, b) => compareIndex(b.index, a.index));
  if (diverted.length === 0) return undefined;
  return diverted
    .map((e) => `<sip:${e.user}@${pbxDomain}>;reason=${REASONS[e.cause!] ?? 'unknown'};counter=1`)
    .join(', ');
}

/** Entries are comma-separated; commas inside `<...>` belong to the URI. */
function splitEntries(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '<') depth++;
    else if (value[i] === '>') depth--;
    else if (value[i] === ',' && depth === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

function parseEntry(entry: string): HistoryEntry | undefined {
  const match = /^<([^>]*)>(.*)$/s.exec(entry);
  if (!match) return undefined;
  const [uriText = '', headers = ''] = match[1]!.split('?', 2);
  const index = /;\s*index=([\d.]+)/i.exec(match[2]!)?.[1];
  let user: string | undefined;
  try {
    user = parseSipUri(uriText).user;
  } catch {
    return undefined;
  }
  if (!user || !index) return undefined;
  const reason = /(?:^|&)Reason=([^&]*)/i.exec(headers)?.[1];
  const decoded = reason === undefined ? undefined : safeDecode(reason);
  const cause = decoded === undefined ? undefined : /cause=(\d{3})/i.exec(decoded)?.[1];
  return {
    user,
    index: index.split('.').map(Number),
    cause: cause === undefined ? undefined : Number(cause),
  };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function compareIndex(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}
