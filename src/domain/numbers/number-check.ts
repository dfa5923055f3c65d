/**
 * The outcome of a number rule: allowed, or refused with a stable code and a message an administrator can act on.
 * Rules return these rather than throw so that a bulk import can collect every refusal of a file; a service that
 * checks one change turns a refusal into an {@link AppError} with {@link assertAllowed}.
 */
import { AppError, type ErrorCode } from '../errors.js';

/** A refused change: `code` maps to the HTTP status, `details` carries the machine-readable context. */
export interface NumberRuleRefusal {
  ok: false;
  code: Extract<ErrorCode, 'conflict' | 'validation_failed' | 'invalid_phone_number' | 'precondition_failed'>;
  message: string;
  details: Record<string, unknown>;
}

/** Allowed, or refused with why. */
export type NumberRuleCheck = { ok: true } | NumberRuleRefusal;

/** The allowed outcome, shared. */
export const allowed: NumberRuleCheck = Object.freeze({ ok: true });

/**
 * Build a refusal.
 * @example refuseRule('conflict', '+441235123465 is already assigned to Jane Smith.', { holderId: 'u1' })
 */
export function refuseRule(
  code: NumberRuleRefusal['code'],
  message: string,
  details: Record<string, unknown> = {},
): NumberRuleRefusal {
  return { ok: false, code, message, details };
}

/**
 * The typed error for a refusal, for services to throw.
 * @example throw toAppError(checkNumberUnique(number, holders, userId) as NumberRuleRefusal)
 */
export function toAppError(refusal: NumberRuleRefusal): AppError {
  return new AppError(refusal.code, refusal.message, refusal.details);
}

/**
 * Throw the refusal as an {@link AppError}; do nothing when allowed.
 * @example assertAllowed(checkRangeDeletable(range, numbersInUse))
 */
export function assertAllowed(check: NumberRuleCheck): void {
  if (!check.ok) throw toAppError(check);
}

/**
 * List at most `limit` items in a sentence, then say how many more there are.
 * @example listSome(['a', 'b', 'c'], 2) // 'a, b and 1 more'
 */
export function listSome(items: readonly string[], limit = 10): string {
  if (items.length <= limit) {
    return items.length <= 1
      ? (items[0] ?? '')
      : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
  }
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}
