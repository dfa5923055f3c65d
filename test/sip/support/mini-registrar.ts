import { createHash, randomBytes } from 'node:crypto';
import { parseAuthParams } from '../../../src/sip/auth/digest.js';
import { createResponse } from '../../../src/sip/message/response.factory.js';
import { parseCSeq, type SipRequest, type SipResponse } from '../../../src/sip/message/sip-message.js';
import { parseNameAddr } from '../../../src/sip/message/sip-uri.js';
import { SipStack } from '../../../src/sip/stack/sip.stack.js';

/** What the registrar saw of one REGISTER. */
export interface SeenRegister {
  user: string;
  callId: string;
  cseq: number;
  expires: number;
  authorized: boolean;
}

/** Behaviour switches for fault injection. */
export interface MiniRegistrarOptions {
  /** Password of every user (default 'secret'), or per user. */
  password?: string | ((user: string) => string);
  /** Grant at most this expiry. */
  maxExpires?: number;
  /** Answer 423 below this expiry. */
  minExpires?: number;
  /** Answer every REGISTER with this status (e.g. 503) and these headers. */
  forceStatus?: { status: number; headers?: Record<string, string> };
  /** Keep no per-REGISTER log (for the 50,000-user memory run). */
  quiet?: boolean;
  /** Challenge with 407 Proxy-Authenticate and read Proxy-Authorization. */
  proxyAuth?: boolean;
  /** Answer the first correct answer of each user with 401 stale=true (its nonce "expired in flight"). */
  staleOnce?: boolean;
}

/**
 * A small digest-authenticating registrar on loopback UDP, built on our own stack. For fast agent tests and
 * the memory benchmark; the interop tests use Kamailio as the independent peer.
 */
export class MiniRegistrar {
  readonly seen: SeenRegister[] = [];
  readonly bindings = new Map<string, { contact: string; expiresAt: number; callId: string }>();
  registers = 0;
  private readonly nonces = new Set<string>();
  private readonly staled = new Set<string>();

  private constructor(
    readonly stack: SipStack,
    readonly options: MiniRegistrarOptions,
  ) {}

  static async start(options: MiniRegistrarOptions = {}): Promise<MiniRegistrar> {
    return MiniRegistrar.startOn({}, options);
  }

  /** Start on given ports (e.g. the TCP port of a registrar that was stopped, to play a PBX restart). */
  static async startOn(
    ports: { udpPort?: number; tcpPort?: number },
    options: MiniRegistrarOptions = {},
  ): Promise<MiniRegistrar> {
    const stack = await SipStack.start({ host: '127.0.0.1', userAgent: 'mini-registrar', ...ports });
    const registrar = new MiniRegistrar(stack, options);
    stack.setRequestHandler((request) => registrar.handle(request));
    return registrar;
  }

  /** UDP port it listens on. */
  get port(): number {
    return this.stack.local('udp').port;
  }

  async stop(): Promise<void> {
    await this.stack.stop();
  }

  private handle(request: SipRequest): SipResponse {
    if (request.method !== 'REGISTER') return createResponse(request, 405);
    this.registers++;
    const user = parseNameAddr(request.headers.get('To') ?? '').uri.user ?? '';
    const expires = Number(request.headers.get('Expires') ?? '3600');
    const authorized = this.authorized(request, user);
    if (!this.options.quiet) {
      const callId = request.headers.get('Call-ID') ?? '';
      this.seen.push({
        user,
        callId,
        cseq: parseCSeq(request.headers.get('CSeq'))?.seq ?? 0,
        expires,
        authorized,
      });
    }
    if (this.options.forceStatus)
      return createResponse(request, this.options.forceStatus.status, this.options.forceStatus.headers);
    if (!authorized) return this.challenge(request, false);
    if (this.options.staleOnce && !this.staled.has(user)) {
      this.staled.add(user);
      return this.challenge(request, true);
    }
    if (this.options.minExpires && expires > 0 && expires < this.options.minExpires) {
      return createResponse(request, 423, { 'Min-Expires': String(this.options.minExpires) });
    }
    const contact = request.headers.get('Contact') ?? '';
    if (expires === 0) {
      this.bindings.delete(user);
      return createResponse(request, 200);
    }
    const granted = Math.min(expires, this.options.maxExpires ?? expires);
    const callId = this.options.quiet ? '' : (request.headers.get('Call-ID') ?? '');
    this.bindings.set(user, {
      contact: this.options.quiet ? '' : contact,
      expiresAt: Date.now() + granted * 1000,
      callId,
    });
    return createResponse(request, 200, { Contact: `${contact};expires=${granted}` });
  }

  private challenge(request: SipRequest, stale: boolean): SipResponse {
    const nonce = randomBytes(12).toString('hex');
    if (this.nonces.size > 100_000) this.nonces.clear();
    this.nonces.add(nonce);
    const value = `Digest realm="mini", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ', stale=true' : ''}`;
    if (this.options.proxyAuth) return createResponse(request, 407, { 'Proxy-Authenticate': value });
    return createResponse(request, 401, { 'WWW-Authenticate': value });
  }

  private authorized(request: SipRequest, user: string): boolean {
    const header = request.headers.get(this.options.proxyAuth ? 'Proxy-Authorization' : 'Authorization');
    if (!header) return false;
    const { params } = parseAuthParams(header);
    const nonce = params.get('nonce') ?? '';
    if (!this.nonces.has(nonce)) return false;
    const password =
      typeof this.options.password === 'function'
        ? this.options.password(user)
        : (this.options.password ?? 'secret');
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`${params.get('username') ?? ''}:mini:${password}`);
    const ha2 = md5(`REGISTER:${params.get('uri') ?? ''}`);
    const expected = md5(
      `${ha1}:${nonce}:${params.get('nc') ?? ''}:${params.get('cnonce') ?? ''}:auth:${ha2}`,
    );
    return expected === params.get('response');
  }
}
