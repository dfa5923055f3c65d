import { hash, randomBytes } from 'node:crypto';
import { SipError } from '../sip.error.js';
import { quote, splitOutsideQuotes, unquote } from '../message/sip-uri.js';

/**
 * HTTP Digest for SIP (RFC 3261 section 22.4, RFC 7616, RFC 8760): parse a WWW-Authenticate or
 * Proxy-Authenticate challenge, and compute the Authorization / Proxy-Authorization answer with MD5 or SHA-256
 * (and their -sess variants), qop=auth (or auth-int when it is the only one offered), cnonce and nonce count.
 */

/** Algorithms we answer, strongest first (RFC 8760 section 2.4: pick the first one supported). */
export const DIGEST_ALGORITHMS = ['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** A parsed Digest challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  algorithm: DigestAlgorithm;
  /** qop options offered, lower-case; empty for RFC 2069 servers. */
  qop: string[];
  /** The server says our last answer used an old nonce; answer again without counting a failure. */
  stale: boolean;
}

/** What the answer needs besides the challenge. */
export interface DigestAnswerInput {
  username: string;
  password: string;
  method: string;
  uri: string;
  /** Nonce count: 1 for the first request with this nonce, then 2, 3 ... */
  nonceCount: number;
  /** Client nonce; random when omitted. */
  cnonce?: string;
  /** Body, for qop=auth-int. */
  body?: Buffer;
  /**
   * H(username:realm:password) from `digestHa1`, when the caller keeps it: a registration answers a challenge on
   * every refresh with the same user, realm and password, so it hashes them once instead of per answer.
   */
  ha1?: string;
}

/** Parse the auth-params of a `Digest ...` challenge into a Map with lower-case names and unquoted values. */
export function parseAuthParams(value: string): { scheme: string; params: Map<string, string> } {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  const scheme = space < 0 ? trimmed : trimmed.slice(0, space);
  const params = new Map<string, string>();
  const rest = space < 0 ? '' : trimmed.slice(space + 1);
  for (const part of splitOutsideQuotes(rest, ',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    params.set(part.slice(0, eq).trim().toLowerCase(), unquote(part.slice(eq + 1).trim()));
  }
  return { scheme, params };
}

/** Parse one challenge header value. Throws SipError `sip_auth_failed` when it is not a Digest we can answer. */
export function parseChallenge(value: string): DigestChallenge {
  const { scheme, params } = parseAuthParams(value);
  if (scheme.toLowerCase() !== 'digest') throw authError(`the server asks for ${scheme} authentication`);
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) throw authError('the challenge has no realm or nonce');
  const rawAlgorithm = (params.get('algorithm') ?? 'MD5').toUpperCase();
  const algorithm = DIGEST_ALGORITHMS.find((a) => a.toUpperCase() === rawAlgorithm);
  if (!algorithm)
    throw authError(`the server asks for digest algorithm ${rawAlgorithm}, which is not supported`);
  const qop = (params.get('qop') ?? '')
    .split(',')
    .map((q) => q.trim().toLowerCase())
    .filter((q) => q.length > 0);
  return {
    realm,
    nonce,
    opaque: params.get('opaque'),
    algorithm,
    qop,
    stale: params.get('stale')?.toLowerCase() === 'true',
  };
}

/**
 * Pick the challenge to answer among several header values (a server may offer SHA-256 and MD5): the strongest
 * supported algorithm wins. Unsupported ones are skipped; throws only when none is usable.
 */
export function chooseChallenge(values: readonly string[]): DigestChallenge {
  const usable: DigestChallenge[] = [];
  let lastError: unknown;
  for (const value of values) {
    try {
      usable.push(parseChallenge(value));
    } catch (error) {
      lastError = error;
    }
  }
  usable.sort((a, b) => DIGEST_ALGORITHMS.indexOf(a.algorithm) - DIGEST_ALGORITHMS.indexOf(b.algorithm));
  const best = usable[0];
  if (best) return best;
  throw lastError instanceof SipError ? lastError : authError('the response carries no digest challenge');
}

/** Hash a string with the challenge's algorithm, hex (one-shot `crypto.hash`: no Hash object per call). */
export function digestHash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  return hash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5', data, 'hex');
}

/** H(username:realm:password), the part of HA1 that depends only on the credentials (RFC 7616 section 3.4.2). */
export function digestHa1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

/** The `response` value of RFC 7616 section 3.4.1, with the qop actually used ('' for none). */
export function digestResponse(
  challenge: DigestChallenge,
  input: DigestAnswerInput & { cnonce: string },
  qop: string,
): string {
  return responseHash(challenge, input, input.cnonce, qop);
}

function responseHash(
  challenge: DigestChallenge,
  input: DigestAnswerInput,
  cnonce: string,
  qop: string,
): string {
  const algorithm = challenge.algorithm;
  let ha1 = input.ha1 ?? digestHa1(algorithm, input.username, challenge.realm, input.password);
  if (algorithm.endsWith('-sess')) ha1 = digestHash(algorithm, `${ha1}:${challenge.nonce}:${cnonce}`);
  const a2 =
    qop === 'auth-int'
      ? `${input.method}:${input.uri}:${digestHash(algorithm, input.body ?? Buffer.alloc(0))}`
      : `${input.method}:${input.uri}`;
  const ha2 = digestHash(algorithm, a2);
  if (qop === '') return digestHash(algorithm, `${ha1}:${challenge.nonce}:${ha2}`);
  const nc = formatNonceCount(input.nonceCount);
  return digestHash(algorithm, `${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
}

/**
 * Build the Authorization (or Proxy-Authorization) header value answering `challenge`.
 *
 * @example
 * buildAuthorization(parseChallenge(res.headers.get('WWW-Authenticate')!),
 *   { username: '1001', password: 'secret', method: 'REGISTER', uri: 'sip:pbx.example.com', nonceCount: 1 })
 */
export function buildAuthorization(challenge: DigestChallenge, input: DigestAnswerInput): string {
  const cnonce = input.cnonce ?? randomCnonce();
  const qop = challenge.qop.includes('auth') ? 'auth' : challenge.qop.includes('auth-int') ? 'auth-int' : '';
  const response = responseHash(challenge, input, cnonce, qop);
  let header =
    `Digest username=${quote(input.username)}, realm=${quote(challenge.realm)}, nonce=${quote(challenge.nonce)}, ` +
    `uri=${quote(input.uri)}, response="${response}", algorithm=${challenge.algorithm}`;
  if (challenge.opaque !== undefined) header += `, opaque=${quote(challenge.opaque)}`;
  if (qop !== '') header += `, qop=${qop}, nc=${formatNonceCount(input.nonceCount)}, cnonce="${cnonce}"`;
  return header;
}

/** `1` -> `00000001`. */
export function formatNonceCount(count: number): string {
  return count.toString(16).padStart(8, '0');
}

/** 16 hex characters from a pooled crypto-random buffer (one randomFillSync per 512 answers, not per answer). */
let pool = Buffer.alloc(0);
let poolOffset = 0;
function randomCnonce(): string {
  if (poolOffset + 8 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const value = pool.toString('hex', poolOffset, poolOffset + 8);
  poolOffset += 8;
  return value;
}

function authError(message: string): SipError {
  return new SipError('sip_auth_failed', `Digest authentication failed: ${message}`);
}
