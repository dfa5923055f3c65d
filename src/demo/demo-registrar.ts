import { randomBytes, timingSafeEqual } from 'node:crypto';
import { digestResponse, parseAuthParams } from '../sip/auth/digest.js';
import { createResponse } from '../sip/message/response.factory.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import { formatSipUri, parseNameAddr } from '../sip/message/sip-uri.js';

/** One extension's binding at the demo PBX. */
export interface DemoBinding {
  username: string;
  contact: string;
  expiresAt: number;
}

/** Nonces older than this are refused as stale (a REGISTER then answers the new challenge). */
const NONCE_MS = 5 * 60_000;
const REALM = 'callbridge-demo';

/**
 * The demo PBX's registrar (RFC 3261 section 10.3): MD5 digest with qop=auth against the extensions' passwords,
 * one binding per extension (the Contact of the last REGISTER), `Expires: 0` removes it. Written here rather than
 * taken from a library because it is a few lines over our own stack's digest code, and the demo must not need a
 * PBX installed (Kamailio plays the PBX in the tests that matter).
 */
export class DemoRegistrar {
  private readonly bindings = new Map<string, DemoBinding>();
  private readonly nonces = new Map<string, number>();

  constructor(private readonly passwordOf: (username: string) => string | undefined) {}

  /** Live bindings (expired ones dropped). */
  list(now = Date.now()): DemoBinding[] {
    for (const [user, binding] of this.bindings) if (binding.expiresAt <= now) this.bindings.delete(user);
    return [...this.bindings.values()];
  }

  /** The Contact an extension registered, if it is registered now. */
  contactOf(username: string): string | undefined {
    const binding = this.bindings.get(username);
    return binding && binding.expiresAt > Date.now() ? binding.contact : undefined;
  }

  /** Answer one REGISTER: 401 with a fresh nonce, 403 for an unknown extension, 200 with the binding. */
  handle(request: SipRequest): SipResponse {
    const username = userOf(request.headers.get('To'));
    const password = username === undefined ? undefined : this.passwordOf(username);
    if (username === undefined || password === undefined)
      return createResponse(request, 403, {}, 'No such extension on the demo PBX');
    const verdict = this.check(request, username, password);
    if (verdict !== 'ok') return this.challenge(request, verdict === 'stale');
    const contactHeader = request.headers.get('Contact') ?? '';
    const expires = Math.min(Number(expiresOf(request, contactHeader)), 3600);
    if (!Number.isFinite(expires) || expires <= 0 || contactHeader === '*') {
      this.bindings.delete(username);
      return createResponse(request, 200);
    }
    const contact = uriOf(contactHeader);
    this.bindings.set(username, { username, contact, expiresAt: Date.now() + expires * 1000 });
    return createResponse(request, 200, { Contact: `<${contact}>;expires=${expires}` });
  }

  private challenge(request: SipRequest, stale: boolean): SipResponse {
    const nonce = randomBytes(16).toString('hex');
    const now = Date.now();
    for (const [old, at] of this.nonces) if (now - at > NONCE_MS) this.nonces.delete(old);
    this.nonces.set(nonce, now);
    return createResponse(request, 401, {
      'WWW-Authenticate': `Digest realm="${REALM}", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`,
    });
  }

  private check(request: SipRequest, username: string, password: string): 'ok' | 'missing' | 'stale' {
    const header = request.headers.get('Authorization');
    if (!header) return 'missing';
    const { params } = parseAuthParams(header);
    const nonce = params.get('nonce') ?? '';
    if (!this.nonces.has(nonce)) return 'stale';
    // The registrar's own rule: the digest username is the extension (the auth username of the demo's users).
    if (params.get('username') !== username) return 'missing';
    const expected = digestResponse(
      { realm: REALM, nonce, opaque: undefined, algorithm: 'MD5', qop: ['auth'], stale: false },
      {
        username,
        password,
        method: 'REGISTER',
        uri: params.get('uri') ?? '',
        nonceCount: Number.parseInt(params.get('nc') ?? '1', 16),
        cnonce: params.get('cnonce') ?? '',
      },
      params.get('qop') ?? '',
    );
    const given = Buffer.from(params.get('response') ?? '');
    const wanted = Buffer.from(expected);
    return given.length === wanted.length && timingSafeEqual(given, wanted) ? 'ok' : 'missing';
  }
}

function userOf(value: string | undefined): string | undefined {
  try {
    return parseNameAddr(value ?? '').uri.user || undefined;
  } catch {
    return undefined;
  }
}

function uriOf(contact: string): string {
  try {
    return formatSipUri(parseNameAddr(contact).uri);
  } catch {
    return contact;
  }
}

function expiresOf(request: SipRequest, contact: string): string {
  try {
    const fromContact = parseNameAddr(contact).params.get('expires');
    if (fromContact !== undefined) return fromContact;
  } catch {
    // a Contact of '*' has no params
  }
  return request.headers.get('Expires') ?? '3600';
}
