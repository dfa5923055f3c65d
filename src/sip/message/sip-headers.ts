/**
 * An ordered, case-insensitive SIP header list. Compact forms (`i`, `m`, `v` ...) are expanded on the way in,
 * so `headers.get('call-id')` finds a header that arrived as `i:`. Header values are kept as received (one entry
 * per header line); `getList` splits comma-separated multi-value headers such as Via or Contact.
 */

/** RFC 3261 section 7.3.3 and later RFCs' compact forms, mapped to their full names. */
const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
};

/** Spellings whose capitalisation is not simply "Word-Word". */
const CANONICAL_NAMES: ReadonlyMap<string, string> = new Map(
  ['Call-ID', 'CSeq', 'WWW-Authenticate', 'MIME-Version', 'RAck', 'RSeq', 'SIP-ETag', 'SIP-If-Match'].map(
    (name) => [name.toLowerCase(), name],
  ),
);

/** Headers whose value is a comma-separated list (RFC 3261 section 7.3.1); others are never split. */
const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'path',
  'service-route',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'allow-events',
]);

/** Full lower-case key of a header name, compact forms expanded: `i` -> `call-id`. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  if (lower.length === 1) return (COMPACT_FORMS[lower] ?? lower).toLowerCase();
  return lower;
}

/** A header name as stored: its lookup key and the spelling we send. */
interface HeaderName {
  key: string;
  canonical: string;
}

/**
 * Names seen so far, by the spelling they arrived or were asked for in. Header names repeat endlessly, so this
 * stays small (bounded anyway); every message parsed, built or looked into then costs a Map lookup per name
 * instead of a lower-casing and a re-spelling.
 */
const names = new Map<string, HeaderName>();

function headerName(name: string): HeaderName {
  const known = names.get(name);
  if (known !== undefined) return known;
  const keep = names.size < 2000;
  // Kept names are flat copies: a name cut from a received message would keep that message's text alive (and
  // lower-casing a lower-case name returns the very same string).
  const flat = keep ? Buffer.from(name, 'utf8').toString('utf8') : name;
  const key = headerKey(flat);
  const canonical =
    CANONICAL_NAMES.get(key) ??
    key.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  const entry = { key, canonical };
  if (keep) names.set(flat, entry);
  return entry;
}

/** The spelling we send: `call-id` -> `Call-ID`, `x-custom-thing` -> `X-Custom-Thing`. */
export function canonicalHeaderName(name: string): string {
  return headerName(name).canonical;
}

/**
 * Split a header value at top-level commas: commas inside quoted strings or `<...>` do not split.
 * `splitHeaderList('"Doe, J" <sip:a@b>, <sip:c@d>')` -> two entries.
 */
export function splitHeaderList(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuotes) {
      if (c === 0x5c)
        i++; // backslash escapes the next character
      else if (c === 0x22) inQuotes = false;
    } else if (c === 0x22) inQuotes = true;
    else if (c === 0x3c) inAngle = true;
    else if (c === 0x3e) inAngle = false;
    else if (c === 0x2c && !inAngle) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

interface HeaderEntry {
  key: string;
  name: string;
  value: string;
}

/** Ordered header list with case-insensitive, compact-form-aware access. */
export class SipHeaders {
  private readonly entries: HeaderEntry[] = [];

  /** Build from `[name, value]` pairs, e.g. `SipHeaders.of([['Via', '...'], ['i', 'abc']])`. */
  static of(pairs: Iterable<readonly [string, string]>): SipHeaders {
    const headers = new SipHeaders();
    for (const [name, value] of pairs) headers.append(name, value);
    return headers;
  }

  /** Add a header line at the end (or at the top with `prepend`). */
  append(name: string, value: string, prepend = false): this {
    const known = headerName(name);
    const entry = { key: known.key, name: known.canonical, value };
    if (prepend) this.entries.unshift(entry);
    else this.entries.push(entry);
    return this;
  }

  /** Replace every line of this header by one line. */
  set(name: string, value: string): this {
    const known = headerName(name);
    const key = known.key;
    const index = this.entries.findIndex((e) => e.key === key);
    this.delete(name);
    const entry = { key, name: known.canonical, value };
    if (index < 0 || index > this.entries.length) this.entries.push(entry);
    else this.entries.splice(index, 0, entry);
    return this;
  }

  /** Remove every line of this header. */
  delete(name: string): this {
    const key = headerName(name).key;
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (this.entries[i]!.key === key) this.entries.splice(i, 1);
    return this;
  }

  /** Value of the first line of this header, or undefined. For list headers this may hold several values. */
  get(name: string): string | undefined {
    const key = headerName(name).key;
    // A plain loop: this runs several times for every message (find with a closure showed in profiles).
    for (const e of this.entries) if (e.key === key) return e.value;
    return undefined;
  }

  /** True when at least one line of this header is present. */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every line's value, in order, unsplit. */
  getAll(name: string): string[] {
    const key = headerName(name).key;
    return this.entries.filter((e) => e.key === key).map((e) => e.value);
  }

  /** The first value of a header, a list header's first line split: the top Via. */
  first(name: string): string | undefined {
    const value = this.get(name);
    if (value === undefined || !value.includes(',') || !LIST_HEADERS.has(headerName(name).key)) return value;
    return splitHeaderList(value)[0];
  }

  /** Every value of a header, comma-separated list headers split: two Via lines of two each -> four values. */
  getList(name: string): string[] {
    const key = headerName(name).key;
    const values = this.getAll(name);
    return LIST_HEADERS.has(key) ? values.flatMap(splitHeaderList) : values;
  }

  /**
   * The header lines as sent, `Name: value\r\n` each in order, leaving out one header (by its key). A plain loop
   * over the lines: the serializer runs for every message we send.
   */
  format(skipKey: string): string {
    let text = '';
    for (const e of this.entries) if (e.key !== skipKey) text += `${e.name}: ${e.value}\r\n`;
    return text;
  }

  /** `[canonical name, value]` per line, in order. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const e of this.entries) yield [e.name, e.value];
  }

  /** Number of header lines. */
  get size(): number {
    return this.entries.length;
  }
}
