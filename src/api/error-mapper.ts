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
    return validationFailed(
      reply,
      error.validation.map((v) => ({
        field: fieldName(where, v.instancePath),
        message: v.message ?? 'is not valid',
      })),
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
  const message = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return reply
    .status(400)
    .send({ code: 'validation_failed', message, details: { issues } } satisfies ErrorBody);
}

function fieldName(where: string, instancePath: string): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (where === 'body') return path || 'body';
  return path ? `${where}.${path}` : where;
}
