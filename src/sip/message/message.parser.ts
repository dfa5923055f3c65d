import { parseError, SipError } from '../sip.error.js';
import { SipHeaders } from './sip-headers.js';
import { parseCSeq, type SipMessage } from './sip-message.js';
import { checkVia } from './via.js';

/** Size limits that keep garbage from exhausting memory or time. */
export interface ParseLimits {
  /** Largest header section (start line + headers) in bytes. */
  maxHeaderBytes: number;
  /** Largest body in bytes. */
  maxBodyBytes: number;
  /** Most header lines. */
  maxHeaders: number;
}

/** Defaults: SIP over UDP is usually under 1,500 bytes; 64 KiB is the UDP datagram ceiling. */
export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxHeaderBytes: 32_768,
  maxBodyBytes: 65_536,
  maxHeaders: 200,
};

const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/;
const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;

/** Where the header section ends: index of the blank line and the index the body starts at. */
export function findHeaderEnd(buf: Buffer, from = 0): { end: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return undefined;
}

/**
 * Parse one complete SIP message. On datagram transports (`datagram: true`) the body is the rest of the packet,
 * cut to Content-Length; a body shorter than Content-Length is an error (RFC 3261 section 18.3).
 * Throws only SipError (`sip_parse_failed` or `sip_message_too_large`).
 *
 * @example parseMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: ...\r\n\r\n'))
 */
export function parseMessage(buf: Buffer, limits: ParseLimits = DEFAULT_PARSE_LIMITS): SipMessage {
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  const header = findHeaderEnd(buf, start);
  if (!header) {
    if (buf.length - start > limits.maxHeaderBytes) throw tooLarge('header section', limits.maxHeaderBytes);
    throw parseError('no blank line after the headers');
  }
  if (header.end - start > limits.maxHeaderBytes) throw tooLarge('header section', limits.maxHeaderBytes);
  const message = parseHead(buf.toString('utf8', start, header.end), limits);
  const declared = contentLength(message.headers);
  const available = buf.length - header.bodyStart;
  const bodyLength = declared ?? available;
  if (bodyLength > limits.maxBodyBytes) throw tooLarge('body', limits.maxBodyBytes);
  if (bodyLength > available) throw parseError(`body shorter than Content-Length ${bodyLength}`);
  if (bodyLength > 0) message.body = ownBytes(buf.subarray(header.bodyStart, header.bodyStart + bodyLength));
  return message;
}

/**
 * The string as a copy of its own. A header value cut from a received message is a V8 "sliced string" that keeps
 * the whole message text alive; what a call keeps (its dialog's tags and target, a leg's reason) lives as long as
 * the call, and keeping the 180's and the 2xx's text for it cost about 1 KB per held call (heap snapshot).
 */
export function ownText(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * A copy of `bytes` in memory of its own. `Buffer.from` copies small buffers into a shared 8 KiB pool slab, and a
 * body kept for a whole call (the SDP of an INVITE, of a dialog) then keeps its slab alive with every other message
 * that was cut from it: measured at about 12 KB of Buffer memory per held call.
 */
export function ownBytes(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Content-Length value, undefined when absent; throws on a malformed value. */
export function contentLength(headers: SipHeaders): number | undefined {
  const raw = headers.get('Content-Length');
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (!/^\d{1,9}$/.test(trimmed)) throw parseError(`bad Content-Length "${raw.slice(0, 20)}"`);
  return Number(trimmed);
}

/** Parse start line and headers (the text before the blank line); body left empty. */
export function parseHead(text: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): SipMessage {
  const lines = splitLines(text);
  const startLine = lines[0] ?? '';
  const headers = parseHeaderLines(lines, limits);
  const message = parseStartLine(startLine, headers);
  validate(message);
  return message;
}

/** The lines of a header section, at CRLF or a bare LF (a plain scan: this runs for every message). */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let lf = text.indexOf('\n'); lf >= 0; lf = text.indexOf('\n', start)) {
    lines.push(text.slice(start, lf > start && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf));
    start = lf + 1;
  }
  lines.push(text.slice(start));
  return lines;
}

function parseStartLine(line: string, headers: SipHeaders): SipMessage {
  const status = STATUS_LINE.exec(line);
  if (status) {
    return {
      kind: 'response',
      status: Number(status[1]),
      reason: status[2]!.trim(),
      headers,
      body: Buffer.alloc(0),
    };
  }
  const request = REQUEST_LINE.exec(line);
  if (!request) throw parseError(`bad start line "${line.slice(0, 80)}"`);
  return { kind: 'request', method: request[1]!, uri: request[2]!, headers, body: Buffer.alloc(0) };
}

function parseHeaderLines(lines: string[], limits: ParseLimits): SipHeaders {
  const headers = new SipHeaders();
  let name: string | undefined;
  let value = '';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (name === undefined) throw parseError('continuation line before any header');
      value += ' ' + line.trim();
      continue;
    }
    if (name !== undefined) headers.append(name, value.trim());
    const colon = line.indexOf(':');
    if (colon <= 0) throw parseError(`header line without name: "${line.slice(0, 80)}"`);
    name = line.slice(0, colon).trimEnd();
    if (!isToken(name)) throw parseError(`bad header name "${name.slice(0, 40)}"`);
    value = line.slice(colon + 1);
    if (headers.size >= limits.maxHeaders) throw tooLarge('header count', limits.maxHeaders);
  }
  if (name !== undefined) headers.append(name, value.trim());
  return headers;
}

/** RFC 3261 token characters (`TOKEN` as a table: header names are checked on every message). */
const TOKEN_CHARS = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~")
  TOKEN_CHARS[c.charCodeAt(0)] = 1;

function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) return false;
  }
  return true;
}

function validate(message: SipMessage): void {
  for (const name of MANDATORY) {
    if (!message.headers.has(name)) throw parseError(`missing ${name} header`);
  }
  const cseq = parseCSeq(message.headers.get('CSeq'));
  if (!cseq) throw parseError(`bad CSeq "${(message.headers.get('CSeq') ?? '').slice(0, 40)}"`);
  if (message.kind === 'request' && cseq.method !== message.method) {
    throw parseError(`CSeq method ${cseq.method} differs from request method ${message.method}`);
  }
  const via = message.headers.first('Via');
  if (via === undefined) throw parseError('empty Via header');
  checkVia(via);
  if ((message.headers.get('Call-ID') ?? '').length === 0) throw parseError('empty Call-ID');
}

function tooLarge(what: string, limit: number): SipError {
  return new SipError('sip_message_too_large', `SIP message rejected: ${what} exceeds ${limit}`, {
    what,
    limit,
  });
}
