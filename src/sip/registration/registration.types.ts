import type { PbxHealth } from './pbx.probe.js';

/**
 * What the registration agent takes in and reports out. The shapes match the user record's
 * `registrationState` / `registrationDetail` (src/domain/records.ts) so the sip role can persist them as they come.
 */

/** PBX service settings shared by its users. Pass the same object for users of one service (it is shared). */
export interface SipServiceConfig {
  /** Domain in the Request-URI, From and To: `REGISTER sip:<sipDomain>`. */
  sipDomain: string;
  /** Outbound proxy; when absent the domain is located by DNS (RFC 3263). */
  proxyHost?: string;
  /** Explicit proxy port (skips SRV). */
  proxyPort?: number;
  transport: 'udp' | 'tcp' | 'tls';
  /** Expiry we ask for; the PBX may grant less (or demand more with 423). */
  expirySeconds: number;
}

/** One user to register. `id` is the user id; `enabled: false` means not licensed or registration turned off. */
export interface RegistrationConfig {
  id: string;
  service: SipServiceConfig;
  sipUsername: string;
  authUsername: string;
  password: string;
  enabled?: boolean;
  /** With `enabled: false`: why, shown beside the disabled state (e.g. no licence left). */
  disabledReason?: string;
}

/**
 * The states shown to administrators (issue 7). `unconfirmed`: the binding should still hold, but the PBX stopped
 * answering (OPTIONS probe or REGISTER), so it may have lost it (issue 21).
 */
export type RegistrationStateName =
  'registered' | 'failed' | 'disabled' | 'pending' | 'expiring' | 'unconfirmed';

/** Detail stored beside the state; ISO timestamps. */
export interface RegistrationStateDetail {
  /** When the last 2xx was received. */
  lastSuccessAt?: string;
  /** When the binding granted by the PBX runs out. */
  expiresAt?: string;
  /** Final response of the last failure (408 for no answer, 503 for a refused connection or DNS failure). */
  statusCode?: number;
  reason?: string;
  /** For failed: true when the agent will not retry until the configuration changes (wrong password ...). */
  final?: boolean;
  /** For failed: when the next attempt is due. */
  retryAt?: string;
}

/** A state change of one registration. */
export interface RegistrationStatus {
  state: RegistrationStateName;
  detail: RegistrationStateDetail;
}

/**
 * Where the agent reports state changes; the sip role writes them to the users table. Called synchronously on
 * the agent's event loop turn: do not block, queue writes.
 */
export interface RegistrationStatePort {
  onState(id: string, status: RegistrationStatus): void;
  /** A PBX target (`pbxTargetKey`) was probed or answered a REGISTER: whether it answers and since when. */
  onPbx?(key: string, health: PbxHealth): void;
}

/** Tuning of the agent. Every field has a default. */
export interface RegistrationAgentOptions {
  /** REGISTERs started per second at most (token bucket), initial and refreshes alike. Default 200. */
  ratePerSecond?: number;
  /** Bucket size: how many may start at once after a quiet time. Default ratePerSecond / 10, at least 1. */
  burst?: number;
  /** Registration attempts in flight at most. Default 500. */
  maxInFlight?: number;
  /** Failure backoff (RFC 5626 section 4.5 style): base, cap, both in ms. Defaults 2 s and 300 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Retry-After values above this are cut to it (ms). Default 3600 s. */
  maxRetryAfterMs?: number;
  /** OPTIONS keep-alive interval per PBX target (ms). Default 30 s. */
  probeIntervalMs?: number;
}

/** Counters of the agent, read by the metrics. */
export interface RegistrationCounters {
  attempts: number;
  successes: number;
  failures: number;
  unregisters: number;
}

/** What `RegistrationAgent.stop` did: users it held, and those whose unregistration had not finished in time. */
export interface RegistrationStopSummary {
  held: string[];
  unfinished: string[];
}
