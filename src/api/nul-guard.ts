import type { FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';

/**
 * PostgreSQL refuses a NUL character in text ("invalid byte sequence for encoding UTF8: 0x00"), which made a NUL
 * in a name, a search or an audit filter a 500 there, while SQLite stored it. No field of this API has a use for
 * one, so every string of the body, the query string and the path parameters is checked once, before validation,
 * for every route: a new route cannot forget it, and both stores behave alike.
 */

const MAX_DEPTH = 32;

/**
 * preValidation hook: refuses a request holding a NUL character anywhere in its body, query or parameters,
 * naming the field.
 * @example app.addHook('preValidation', refuseNulCharacters)
 */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  const field =
    findNul(request.body, '', 0) ??
    findNul(request.query, 'querystring', 0) ??
    findNul(request.params, 'params', 0);
  if (field === undefined) return;
  const message = 'must not contain a NUL character (\\u0000); remove it';
  throw new AppError('validation_failed', `${field}: ${message}`, { issues: [{ field, message }] });
}

/** The path of the first string (or key) holding a NUL, in the naming of validation errors (`a.b.0`). */
function findNul(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : undefined;
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || Buffer.isBuffer(value))
    return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = findNul(inner, at, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
