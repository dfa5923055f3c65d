import type { SipHeaders } from './sip-headers.js';

/** A parsed or to-be-sent SIP request. `uri` is the Request-URI as text; parse it with `parseSipUri`. */
export interface SipRequest {
  readonly kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

/** A parsed or to-be-sent SIP response. */
export interface SipResponse {
  readonly kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

/** Either kind of SIP message. */
export type SipMessage = SipRequest | SipResponse;

/** The CSeq header split into its number and method. */
export interface CSeq {
  seq: number;
  method: string;
}

/** Reason phrases we use when we answer (RFC 3261 section 21). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  410: 'Gone',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  600: 'Busy Everywhere',
  603: 'Decline',
  606: 'Not Acceptable',
};

/** Parse `CSeq: 4711 REGISTER`; undefined when malformed. */
export function parseCSeq(value: string | undefined): CSeq | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)\s*$/.exec(value);
  if (!match) return undefined;
  const seq = Number(match[1]);
  if (seq > 0xffffffff) return undefined;
  return { seq, method: match[2]! };
}

/** Random token of `length` base-36 characters, e.g. for branch, tag and Call-ID values. */
export function randomToken(length = 16): string {
  let out = '';
  while (out.length < length) out += Math.random().toString(36).slice(2);
  return out.slice(0, length);
}

/**
 * A flat copy of a string that is kept for long. V8 represents slices and concatenations as views that keep
 * their parent alive: a nonce sliced out of a response would hold the whole response text.
 */
export function detachString(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}
