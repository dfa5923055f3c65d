/**
 * Typed errors with stable codes. Services throw these; one mapper per transport turns them into HTTP
 * (`{code, message, details}`), CLI output or SIP responses.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'malformed_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'conflict'
  | 'unauthenticated'
  | 'forbidden'
  | 'rate_limited'
  | 'precondition_failed'
  | 'licence_exceeded'
  | 'not_provisioned'
  | 'invalid_phone_number'
  | 'upstream_failed'
  | 'account_suspended'
  | 'password_change_required'
  | 'calls_unavailable'
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_json: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_phone_number: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 409,
  licence_exceeded: 409,
  not_provisioned: 409,
  rate_limited: 429,
  upstream_failed: 502,
  account_suspended: 403,
  password_change_required: 403,
  calls_unavailable: 503,
  internal: 500,
};

/** A problem a caller can understand and act on. `details` carries machine-readable context (field, fix). */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  /** HTTP status for this error's code. */
  get status(): number {
    return statusOf[this.code];
  }
}

/** `notFound('service', id)` -> AppError "Service <id> was not found." */
export function notFound(kind: string, id: string): AppError {
  const label = kind.charAt(0).toUpperCase() + kind.slice(1);
  return new AppError('not_found', `${label} ${id} was not found.`, { kind, id });
}

/** Narrow unknown thrown values. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
