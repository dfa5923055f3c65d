import { parseError } from '../sip.error.js';

/**
 * SIP URIs (RFC 3261 section 19.1) and name-addr values (`"Alice" <sip:alice@example.com>;tag=1`).
 * Parameters are kept in order in a Map with lower-case names; a parameter without value maps to ''.
 */

/** A parsed `sip:` or `sips:` URI. */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | undefined;
  password: string | undefined;
  host: string;
  port: number | undefined;
  params: Map<string, string>;
  headers: string | undefined;
}

/** A parsed name-addr or addr-spec header value (From, To, Contact, Route ...). */
export interface NameAddr {
  displayName: string | undefined;
  uri: SipUri;
  params: Map<string, string>;
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?::(\d{1,5}))?$/;

/** Parse `;a=b;c` (leading `;` optional) into a Map with lower-case names. */
export function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const raw of splitOutsideQuotes(text, ';')) {
    const part = raw.trim();
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    if (eq < 0) params.set(part.toLowerCase(), '');
    else params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return params;
}

/** Render a parameter Map back to `;a=b;c`. */
export function formatParams(params: ReadonlyMap<string, string>): string {
  let out = '';
  for (const [name, value] of params) out += value === '' ? `;${name}` : `;${name}=${value}`;
  return out;
}

/** Parse a SIP or SIPS URI; throws SipError `sip_parse_failed` otherwise. */
export function parseSipUri(text: string): SipUri {
  const match = /^(sips?):(.+)$/i.exec(text.trim());
  if (!match) throw parseError(`not a sip: or sips: URI: "${text.slice(0, 80)}"`);
  const scheme = match[1]!.toLowerCase() as 'sip' | 'sips';
  let rest = match[2]!;
  let headers: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const at = rest.lastIndexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    password = colon >= 0 ? userinfo.slice(colon + 1) : undefined;
    if (user.length === 0) throw parseError('empty user part in URI');
  }
  const semi = rest.indexOf(';');
  const hostport = semi >= 0 ? rest.slice(0, semi) : rest;
  const params = semi >= 0 ? parseParams(rest.slice(semi + 1)) : new Map<string, string>();
  const hp = HOST_PORT.exec(hostport);
  if (!hp) throw parseError(`bad host in URI: "${hostport.slice(0, 80)}"`);
  const port = hp[2] === undefined ? undefined : Number(hp[2]);
  if (port !== undefined && port > 65535) throw parseError(`port out of range in URI: ${port}`);
  return { scheme, user, password, host: hp[1]!.toLowerCase(), port, params, headers };
}

/** Render a SipUri: `sip:alice@example.com:5060;transport=tcp`. */
export function formatSipUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined)
    out += uri.password === undefined ? `${uri.user}@` : `${uri.user}:${uri.password}@`;
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatParams(uri.params);
  if (uri.headers !== undefined) out += `?${uri.headers}`;
  return out;
}

/**
 * Parse a name-addr (`"Bob" <sip:bob@b.example>;tag=x`) or addr-spec (`sip:bob@b.example;tag=x`, where the
 * parameters belong to the header, RFC 3261 section 20.10).
 */
export function parseNameAddr(text: string): NameAddr {
  const value = text.trim();
  const lt = findUnquoted(value, '<');
  if (lt < 0) {
    const semi = value.indexOf(';');
    const uriText = semi >= 0 ? value.slice(0, semi) : value;
    const params = semi >= 0 ? parseParams(value.slice(semi + 1)) : new Map<string, string>();
    return { displayName: undefined, uri: parseSipUri(uriText), params };
  }
  const gt = value.indexOf('>', lt);
  if (gt < 0) throw parseError('unterminated <...> in name-addr');
  const display = value.slice(0, lt).trim();
  const displayName = display.length === 0 ? undefined : display.startsWith('"') ? unquote(display) : display;
  return {
    displayName,
    uri: parseSipUri(value.slice(lt + 1, gt)),
    params: parseParams(value.slice(gt + 1)),
  };
}

/** Render a NameAddr with angle brackets. */
export function formatNameAddr(addr: NameAddr): string {
  const display = addr.displayName === undefined ? '' : `${quote(addr.displayName)} `;
  return `${display}<${formatSipUri(addr.uri)}>${formatParams(addr.params)}`;
}

/** `"a \"b\""` -> `a "b"`. */
export function unquote(text: string): string {
  const t = text.trim();
  if (t.length < 2 || !t.startsWith('"') || !t.endsWith('"')) return t;
  return t.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** `a "b"` -> `"a \"b\""`. */
export function quote(text: string): string {
  return `"${text.replace(/(["\\])/g, '\\$1')}"`;
}

function findUnquoted(text: string, char: string): number {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes && c === '\\') i++;
    else if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && c === char) return i;
  }
  return -1;
}

/** Split at `separator` except inside double quotes. */
export function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes && c === '\\') i++;
    else if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
