import { AppError } from '../domain/errors.js';

/**
 * Why the relay could not serve a request, stable for callers (the B2BUA maps them to a SIP answer and to the
 * call record's refusal): `relay_unavailable` (none configured, or not answering pings), `relay_timeout` (no answer
 * to one request after its retransmissions), `relay_refused` (rtpengine answered `result: error`), `relay_protocol`
 * (an answer that is not ng protocol).
 */
export type MediaErrorReason = 'relay_unavailable' | 'relay_timeout' | 'relay_refused' | 'relay_protocol';

/**
 * A media relay failure. An AppError with code `upstream_failed` (rtpengine is the upstream), with `reason` and, for
 * a refusal, rtpengine's own `error-reason` in `details`, so the call record says exactly what rtpengine said.
 */
export class MediaError extends AppError {
  readonly reason: MediaErrorReason;

  constructor(reason: MediaErrorReason, message: string, details: Record<string, unknown> = {}) {
    super('upstream_failed', message, { reason, ...details });
    this.name = 'MediaError';
    this.reason = reason;
  }
}

/** Narrows unknown thrown values. */
export function isMediaError(value: unknown): value is MediaError {
  return value instanceof MediaError;
}
