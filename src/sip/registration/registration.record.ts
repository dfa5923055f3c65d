import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../auth/digest.js';
import { SipHeaders } from '../message/sip-headers.js';
import { detachString, randomToken, type SipRequest } from '../message/sip-message.js';
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
 * Build the next REGISTER of a registration (CSeq incremented); the stack adds Via, Max-Forwards, User-Agent.
 *
 * @example buildRegister(reg, local, 3600, { name: 'Authorization', value: 'Digest ...' })
 */
export function buildRegister(
  reg: Registration,
  local: LocalEndpoint,
  expires: number,
  authorization?: { name: string; value: string },
): SipRequest {
  const { service, sipUsername } = reg.config;
  const aor = `<sip:${sipUsername}@${service.sipDomain}>`;
  reg.cseq++;
  const headers = new SipHeaders()
    .append('From', `${aor};tag=${reg.token}`)
    .append('To', aor)
    .append('Call-ID', reg.callId)
    .append('CSeq', `${reg.cseq} REGISTER`)
    .append('Contact', `<${contactUri(reg.token, local)}>`)
    .append('Expires', String(expires))
    .append('Allow', ALLOWED_METHODS);
  if (authorization) headers.append(authorization.name, authorization.value);
  return {
    kind: 'request',
    method: 'REGISTER',
    uri: registerUri(reg.config),
    headers,
    body: Buffer.alloc(0),
  };
}

/** Request-URI of a REGISTER: the domain (RFC 3261 section 10.2). */
export function registerUri(config: RegistrationConfig): string {
  return `sip:${config.service.sipDomain}`;
}
