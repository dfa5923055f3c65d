/**
 * Typed errors of the SIP stack. Every failure the stack reports carries a stable `code`; the parser throws
 * only `SipError` with `sip_parse_failed` or `sip_message_too_large`, whatever bytes it is given.
 */
export type SipErrorCode =
  | 'sip_parse_failed'
  | 'sip_message_too_large'
  | 'sip_transport_failed'
  | 'sip_transaction_timeout'
  | 'sip_dns_failed'
  | 'sip_auth_failed'
  | 'sip_stack_stopped'
  | 'sip_no_dialog'
  | 'sip_dialog_busy'
  | 'sip_call_refused'
  | 'sip_tls_config';

/** A SIP stack failure with a stable code and a message an administrator can act on. */
export class SipError extends Error {
  readonly code: SipErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: SipErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'SipError';
    this.code = code;
    this.details = details;
  }
}

/** Narrow unknown thrown values, e.g. `if (isSipError(e) && e.code === 'sip_parse_failed')`. */
export function isSipError(value: unknown): value is SipError {
  return value instanceof SipError;
}

/** Shorthand for the parser: `throw parseError('bad start line')`. */
export function parseError(message: string, details?: Record<string, unknown>): SipError {
  return new SipError('sip_parse_failed', `SIP message rejected: ${message}`, details);
}
