import { buildAuthorization, chooseChallenge, digestHa1, type DigestChallenge } from '../auth/digest.js';
import { detachString, type SipResponse } from '../message/sip-message.js';
import { SipResolver, type ServerLocation } from '../dns/sip.resolver.js';
import { isSipError } from '../sip.error.js';
import type { SipStack } from '../stack/sip.stack.js';
import { flowKey, type SipTarget } from '../transport/transport.types.js';
import {
  registerHeaderLines,
  registerPrefix,
  registerUri,
  type ChallengeShape,
  type Registration,
} from './registration.record.js';
import type { SipServiceConfig } from './registration.types.js';

/** How one REGISTER exchange ended: a final response, or no server answered (with a locally made status). */
export type ExchangeOutcome =
  { kind: 'response'; response: SipResponse } | { kind: 'unreachable'; status: number; reason: string };

/** Rounds of challenge/answer per attempt; stale nonces may need a second round, more means a loop. */
const MAX_AUTH_ROUNDS = 3;
/** Distinct challenge shapes kept shared; past this (a PBX with per-challenge opaque values) they are not pooled. */
const MAX_SHAPES = 1000;

/**
 * Per-PBX-service state shared by its registrations: which DNS target answered last, and what every attempt would
 * otherwise build again (where to locate the PBX, the REGISTER start line).
 */
interface ServiceRoute {
  preferred: number;
  flow: string | undefined;
  location: ServerLocation;
  startLine: string;
}

/**
 * Runs one registration attempt: resolve the PBX (RFC 3263), send REGISTER, answer 401/407 challenges with the
 * auth username (pre-emptively with the cached nonce on refreshes), and fail over to the next DNS target when a
 * target does not answer. A second challenge after answering a fresh one, without stale=true, is returned as
 * is: the password is wrong, and the agent stops there.
 */
export class RegisterExchange {
  private readonly routes = new WeakMap<SipServiceConfig, ServiceRoute>();
  private readonly shapes = new Map<string, ChallengeShape>();
  /** Challenges answered, for metrics. */
  challenges = 0;

  constructor(
    private readonly stack: SipStack,
    private readonly resolver: SipResolver,
  ) {}

  /** The flow (TCP/TLS connection key) a service currently registers over or last tried, if any. */
  flowOf(service: SipServiceConfig): string | undefined {
    return this.routes.get(service)?.flow;
  }

  /** Send REGISTER with `expires` for `reg` until a final answer or every target failed. */
  async run(reg: Registration, expires: number): Promise<ExchangeOutcome> {
    const service = reg.config.service;
    const route = this.routeOf(service);
    const location = route.location;
    let targets: SipTarget[];
    try {
      targets = this.resolver.cached(location) ?? (await this.resolver.resolve(location));
    } catch (error) {
      return {
        kind: 'unreachable',
        status: 503,
        reason: isSipError(error) ? error.message : 'DNS lookup failed',
      };
    }
    let last: ExchangeOutcome | undefined;
    for (let i = 0; i < targets.length; i++) {
      const index = (route.preferred + i) % targets.length;
      const target = targets[index]!;
      // Recorded before trying, so the agent knows which target a failing registration waits for.
      route.flow =
        target.protocol === 'udp' ? undefined : flowKey(target.protocol, target.address, target.port);
      try {
        const response = await this.authenticate(reg, route.startLine, target, expires);
        route.preferred = index;
        return { kind: 'response', response };
      } catch (error) {
        if (!isSipError(error) || error.code === 'sip_stack_stopped') throw error;
        const status = error.code === 'sip_transaction_timeout' ? 408 : 503;
        last = { kind: 'unreachable', status, reason: `${error.message} (${target.address}:${target.port})` };
      }
    }
    this.resolver.invalidate(location);
    return last ?? { kind: 'unreachable', status: 503, reason: 'No SIP server to try' };
  }

  private async authenticate(
    reg: Registration,
    startLine: string,
    target: SipTarget,
    expires: number,
  ): Promise<SipResponse> {
    let answeredFresh = false;
    const prefix = registerPrefix(reg);
    for (let round = 0; ; round++) {
      // contactAt: another node's Contact, whose binding this node removes (a dead node's users taken over).
      const local = reg.contactAt ?? this.stack.local(target.protocol);
      const lines = registerHeaderLines(prefix, reg, local, expires, this.credentials(reg));
      const response = await this.stack.requestText(startLine, lines, target);
      if (response.status !== 401 && response.status !== 407) return response;
      let challenge: DigestChallenge;
      try {
        challenge = chooseChallenge(
          response.headers.getAll(response.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate'),
        );
      } catch {
        return response; // no challenge we can answer: report the PBX's answer
      }
      if ((answeredFresh && !challenge.stale) || round >= MAX_AUTH_ROUNDS) return response;
      this.remember(reg, challenge, response.status === 407);
      answeredFresh = true;
      this.challenges++;
    }
  }

  private credentials(reg: Registration): { name: string; value: string } | undefined {
    const shape = reg.challenge;
    if (!shape || reg.nonce === undefined) return undefined;
    reg.nonceCount++;
    const { authUsername, password } = reg.config;
    if (reg.ha1Shape !== shape || reg.ha1 === undefined) {
      reg.ha1 = digestHa1(shape.algorithm, authUsername, shape.realm, password);
      reg.ha1Shape = shape;
    }
    const challenge: DigestChallenge = {
      realm: shape.realm,
      nonce: reg.nonce,
      opaque: shape.opaque,
      algorithm: shape.algorithm,
      qop: shape.qop,
      stale: false,
    };
    const value = buildAuthorization(challenge, {
      username: authUsername,
      password,
      method: 'REGISTER',
      uri: registerUri(reg.config),
      nonceCount: reg.nonceCount,
      ha1: reg.ha1,
    });
    return { name: shape.proxy ? 'Proxy-Authorization' : 'Authorization', value };
  }

  private remember(reg: Registration, challenge: DigestChallenge, proxy: boolean): void {
    const key = `${proxy ? 'p' : 'w'}|${challenge.realm}|${challenge.algorithm}|${challenge.qop.join(',')}|${challenge.opaque ?? ''}`;
    let shape = this.shapes.get(key);
    if (!shape) {
      shape = {
        realm: challenge.realm,
        algorithm: challenge.algorithm,
        qop: challenge.qop,
        opaque: challenge.opaque,
        proxy,
      };
      if (this.shapes.size < MAX_SHAPES) this.shapes.set(key, shape);
    }
    reg.challenge = shape;
    reg.nonce = detachString(challenge.nonce);
    reg.nonceCount = 0;
  }

  private routeOf(service: SipServiceConfig): ServiceRoute {
    let route = this.routes.get(service);
    if (!route) {
      route = {
        preferred: 0,
        flow: undefined,
        location: {
          host: service.proxyHost ?? service.sipDomain,
          port: service.proxyPort,
          protocol: service.transport,
        },
        startLine: `REGISTER sip:${service.sipDomain} SIP/2.0`,
      };
      this.routes.set(service, route);
    }
    return route;
  }
}
