import { randomUUID } from 'node:crypto';
import { AppError } from '../../domain/errors.js';
import { isUniqueViolation } from '../database.js';

/** Current time as stored: ISO-8601 UTC text. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** A new record id. */
export function newId(): string {
  return randomUUID();
}

let lastMillis = 0;
let sequence = 0;

/**
 * An id that sorts in creation order within this process (time, then a counter, then randomness), so entries
 * written in the same millisecond keep their order.
 */
export function sortableId(): string {
  const millis = Date.now();
  sequence = millis === lastMillis ? sequence + 1 : 0;
  lastMillis = millis;
  return `${millis.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${randomUUID().slice(0, 8)}`;
}

/** JSON text to a value, tolerating NULL. */
export function parseJson<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}

/**
 * Runs a write and turns a unique-constraint violation into a 409 that names what clashed.
 *
 * @example await uniqueOr(() => insert(), 'A service named "HQ" already exists in this account.')
 */
export async function uniqueOr<T>(
  write: () => Promise<T>,
  message: string,
  details?: Record<string, unknown>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', message, details);
    throw error;
  }
}
