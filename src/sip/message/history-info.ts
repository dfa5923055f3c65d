import { splitHeaderList } from './sip-headers.js';
import { parseNameAddr } from './sip-uri.js';

/**
 * History-Info (RFC 7044) as Microsoft's Direct Routing sends it on forwarded and simultaneously rung calls: one
 * entry per target the request went to, `<sip:+E164@sip.pstnhub.microsoft.com:5061;user=phone?Reason=...>;index=1.1`,
 * the Reason (RFC 3326, escaped as a URI header) saying why the request left that target. Read here because no
 * maintained npm package parses it; the entries are name-addrs, so the stack's own parser does the work.
 */
export interface HistoryEntry {
  /** The target's user part (a +E.164 number for Microsoft's entries). */
  user: string;
  /** `index=1.1.2` as numbers, the position in the request's tree of targets. */
  index: number[];
  /** The cause of the entry's Reason (`SIP;cause=302`): why the request was retargeted away from it. */
  reasonCause: number | undefined;
  /** RFC 4458's `cause` URI parameter: why the request was retargeted *to* this entry (the diversion's reason). */
  uriCause: number | undefined;
}

/** More entries than any real forwarding chain has: a hostile header costs no more than this to read. */
const MAX_ENTRIES = 32;

/**
 * The entries of a request's History-Info headers, in index order (RFC 7044 section 10.3); entries that cannot be
 * read (no SIP URI with a user, no index) are left out.
 *
 * @example parseHistoryInfo(['<sip:+1@ms?Reason=SIP%3Bcause%3D302>;index=1'])
 * // [{ user: '+1', index: [1], reasonCause: 302, uriCause: undefined }]
 */
export function parseHistoryInfo(values: readonly string[]): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const text of values.flatMap(splitHeaderList).slice(0, MAX_ENTRIES)) {
    const entry = parseEntry(text);
    if (entry) entries.push(entry);
  }
  return entries.sort((a, b) => compareIndex(a.index, b.index));
}

/**
 * Whether the request was retargeted away from `entry`: it has a Reason, or a later entry descends from it (RFC 7044
 * section 10.3: index `1.1` was reached from `1`; a simultaneous ring adds a branch without a Reason on its parent).
 */
export function wasRetargeted(entry: HistoryEntry, all: readonly HistoryEntry[]): boolean {
  return entry.reasonCause !== undefined || all.some((other) => isDescendant(other.index, entry.index));
}

/** The first child of `entry` among `all` (the target the request went to from it), if any. */
export function childOf(entry: HistoryEntry, all: readonly HistoryEntry[]): HistoryEntry | undefined {
  return all.find(
    (other) => other.index.length === entry.index.length + 1 && isDescendant(other.index, entry.index),
  );
}

/** Orders indices as RFC 7044 does: `1` < `1.1` < `1.1.1` < `1.2` < `2`. */
export function compareIndex(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

function isDescendant(index: readonly number[], ancestor: readonly number[]): boolean {
  return index.length > ancestor.length && ancestor.every((part, i) => index[i] === part);
}

function parseEntry(text: string): HistoryEntry | undefined {
  let user: string | undefined;
  let params: Map<string, string>;
  let uriParams: Map<string, string>;
  let headers: string | undefined;
  try {
    const parsed = parseNameAddr(text);
    ({ user, params: uriParams, headers } = parsed.uri);
    params = parsed.params;
  } catch {
    return undefined;
  }
  const index = params.get('index');
  if (!user || !index || !/^\d{1,4}(\.\d{1,4}){0,15}$/.test(index)) return undefined;
  const reason = headers === undefined ? undefined : /(?:^|&)Reason=([^&]*)/i.exec(headers)?.[1];
  const decoded = reason === undefined ? undefined : safeDecode(reason);
  return {
    user,
    index: index.split('.').map(Number),
    reasonCause: causeOf(decoded === undefined ? undefined : /cause=(\d{3})/i.exec(decoded)?.[1]),
    uriCause: causeOf(uriParams.get('cause')),
  };
}

function causeOf(text: string | undefined): number | undefined {
  return text !== undefined && /^\d{3}$/.test(text) ? Number(text) : undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
