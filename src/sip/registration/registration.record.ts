import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../auth/digest.js';
import { detachString, randomToken } from '../message/sip-message.js';
import { ALLOWED_METHODS } from '../stack/incoming-request.handler.js';
import type { LocalEndpoint } from '../transport/transport.types.js';
import type { Scheduled } from './timer.heap.js';
import type { RegistrationConfig, RegistrationStateName } from './registration.types.js';

/** The parts of a digest challenge that repeat across users of one PBX; shared, not copied per registration. */
export interface ChallengeShape {
  realm: string;
  algorithm: DigestAlgorithm;
  qop: string[];
  opaque: string | undefined;
  /** 407 Proxy-Authenticate rather than 401 WWW-Authenticate. */
  proxy: boolean;
}

/**
 * One user's registration, kept small: numbers and a few strings, no closures and no timers of its own (the
 * agent's TimerHeap schedules it). One Call-ID for its whole life, CSeq increasing, a Contact user part (`token`)
 * derived from the user id so a restarted agent re-uses the same Contact and replaces its old binding.
 */
export class Registration implements Scheduled {
  dueAt = 0;
  heapIndex = -1;
  cseq = 0;
  state: RegistrationStateName = 'pending';
  /** When the current binding runs out (ms since epoch), 0 when none. */
  expiresAt = 0;
  lastSuccessAt = 0;
  /** Consecutive failed attempts, for backoff. */
  failures = 0;
  /** Raised Min-Expires (423) in seconds, 0 when none. */
  minExpires = 0;
  /** Cached challenge for pre-emptive credentials on refreshes. */
  challenge: ChallengeShape | undefined = undefined;
  nonce: string | undefined = undefined;
  nonceCount = 0;
  /**
   * H(auth username:realm:password) for `ha1Shape`'s realm and algorithm: computed once, not for every answer
   * (user and password change only through the agent's reconfigure, which clears it).
   */
  ha1: string | undefined = undefined;
  ha1Shape: ChallengeShape | undefined = undefined;
  /** Bumped on every configuration change; a response to an older generation is ignored. */
  generation = 0;
  /** An attempt is running or queued. */
  busy = false;
  queued = false;
  /** Being removed: the next attempt unregisters (Expires: 0) and the record is dropped. */
  removing = false;
  /** Set only to remove another node's binding: the Contact address to unregister instead of ours. */
  contactAt: LocalEndpoint | undefined = undefined;

  constructor(
    public config: RegistrationConfig,
    readonly token: string,
    readonly callId: string = detachString(randomToken(20)),
  ) {}
}

/** Contact user part for a user id: 12 URL-safe characters of its SHA-256, stable across restarts. */
export function contactToken(id: string, salt = ''): string {
  return (
    'cb' +
    createHash('sha256')
      .update(id + salt)
      .digest('base64url')
      .slice(0, 12)
  );
}

/** Our Contact URI for a registration on a local endpoint. */
export function contactUri(token: string, local: LocalEndpoint): string {
  const transport = local.protocol === 'udp' ? '' : `;transport=${local.protocol}`;
  return `sip:${token}@${local.host}:${local.port}${transport}`;
}

/**
 * The header lines of a registration that stay the same from one REGISTER to the next (From, To, Call-ID). An
 * attempt builds them once for its requests (the first one and the answer to the challenge); they are not kept
 * on the record, where 50,000 held registrations would each hold another string.
 */
export function registerPrefix(reg: Registration): string {
  const { service, sipUsername } = reg.config;
  const aor = `<sip:${sipUsername}@${service.sipDomain}>`;
  return `From: ${aor};tag=${reg.token}\r\nTo: ${aor}\r\nCall-ID: ${reg.callId}\r\n`;
}

/**
 * The header lines of the next REGISTER of a registration (CSeq incremented) after the top Via, as text for
 * `SipStack.requestText`, which adds Via, Max-Forwards, User-Agent and Content-Length: the same lines a SipHeaders
 * would serialize, built from `registerPrefix` and the few values that change (CSeq, Contact, Expires,
 * Authorization) without a header object per request.
 *
 * @example stack.requestText(`REGISTER sip:${domain} SIP/2.0`, registerHeaderLines(registerPrefix(reg), reg, local, 3600), target)
 */
export function registerHeaderLines(
  prefix: string,
  reg: Registration,
  local: LocalEndpoint,
  expires: number,
  authorization?: { name: string; value: string },
): string {
  reg.cseq++;
  const lines =
    `${prefix}CSeq: ${reg.cseq} REGISTER\r\nContact: <${contactUri(reg.token, local)}>\r\n` +
    `Expires: ${expires}\r\nAllow: ${ALLOWED_METHODS}\r\n`;
  return authorization ? `${lines}${authorization.name}: ${authorization.value}\r\n` : lines;
}

/** Request-URI of a REGISTER: the domain (RFC 3261 section 10.2). */
export function registerUri(config: RegistrationConfig): string {
  return `sip:${config.service.sipDomain}`;
}
