import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { isAppError } from '../domain/errors.js';
import { bodyError } from './body-errors.js';

/** The body of every error answer of the API. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

interface FieldIssue {
  field: string;
  message: string;
  /** For unknown fields: their paths (`sipPassword`, `teams.groupId`). */
  unknownFields?: string[];
}

/**
 * Turns anything thrown in a route into `{code, message, details}` with the right status. Typed errors keep
 * their code; schema failures become 400 naming each field and rule; anything else is a 500 whose body carries
 * only a correlation id (the request id), and whose details go to the log.
 */
export function sendError(thrown: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error =
    (typeof thrown === 'object' && thrown !== null ? bodyError(thrown, request) : undefined) ?? thrown;
  if (isAppError(error)) {
    const body: ErrorBody = {
      code: error.code,
      message: error.message,
      ...(error.details && { details: error.details }),
    };
    return reply.status(error.status).send(body);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? 'body';
    const issues = error.validation.map((v): FieldIssue & { keyword: string } => {
      const field = fieldName(where, v.instancePath);
      const message = v.message ?? 'is not valid';
      const keys = v.keyword === 'unrecognized_keys' ? v.params.keys : undefined;
      if (!Array.isArray(keys)) return { keyword: v.keyword, field, message };
      const prefix = field === 'body' ? '' : `${field}.`;
      const unknownFields = keys.map((key) => `${prefix}${String(key)}`);
      return { keyword: v.keyword, field, message, unknownFields };
    });
    // An object-level rule ("send at least one field to change") judged the object without its unknown fields:
    // beside them it only confuses.
    const unknownAt = new Set(issues.filter((i) => i.unknownFields).map((i) => i.field));
    return validationFailed(
      reply,
      issues
        .filter((i) => !(i.keyword === 'custom' && unknownAt.has(i.field)))
        .map(({ keyword: _keyword, ...issue }) => issue),
    );
  }
  if (error instanceof ZodError) {
    return validationFailed(
      reply,
      error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })),
    );
  }
  const fastifyError = error as Partial<FastifyError>;
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const code =
      fastifyError.statusCode === 429
        ? 'rate_limited'
        : fastifyError.statusCode === 404
          ? 'not_found'
          : 'validation_failed';
    return reply
      .status(fastifyError.statusCode)
      .send({ code, message: fastifyError.message ?? 'The request is not valid.' } satisfies ErrorBody);
  }
  request.log.error({ err: error, correlationId: request.id }, 'unhandled error');
  const body: ErrorBody = {
    code: 'internal',
    message: `Something went wrong on our side. Quote correlation id ${request.id} when you report it.`,
    details: { correlationId: request.id },
  };
  return reply.status(500).send(body);
}

function validationFailed(reply: FastifyReply, issues: FieldIssue[]): FastifyReply {
  // An unknown field's message names it already ("unknown field `password`; did you mean `sipPassword`?").
  const message = issues
    .map((i) => (i.unknownFields && i.field === 'body' ? i.message : `${i.field}: ${i.message}`))
    .join('; ');
  const unknownFields = issues.flatMap((i) => i.unknownFields ?? []);
  const details = { issues, ...(unknownFields.length > 0 && { unknownFields }) };
  return reply.status(400).send({ code: 'validation_failed', message, details } satisfies ErrorBody);
}

function fieldName(where: string, instancePath: string): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (where === 'body') return path || 'body';
  return path ? `${where}.${path}` : where;
}
