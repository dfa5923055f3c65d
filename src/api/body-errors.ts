import type { FastifyError, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';

/**
 * Fastify's own refusals of a body (before any route code runs) as typed errors with their own codes and details,
 * so a client can tell "my JSON is broken" from "my body is too big" from "wrong Content-Type" from a field that
 * failed validation. Answers undefined for any other error.
 * @example bodyError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' }, request) // AppError payload_too_large
 */
export function bodyError(error: Partial<FastifyError>, request: FastifyRequest): AppError | undefined {
  const contentType = request.headers['content-type'] ?? null;
  switch (error.code ?? '') {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(
        'malformed_json',
        error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'The body is empty but Content-Type says JSON: it is not valid JSON. Send a JSON object, or no Content-Type.'
          : 'The body is not valid JSON: check quotes, commas and brackets (a JSON object like {"name": "Contoso"}).',
        { contentType },
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': {
      const limitBytes = request.routeOptions.bodyLimit;
      return new AppError(
        'payload_too_large',
        `The body is larger than this route takes (${formatBytes(limitBytes)}).`,
        { limitBytes },
      );
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const accepted = acceptedTypes(request);
      return new AppError(
        'unsupported_media_type',
        `This route does not read ${contentType ?? 'a body without a Content-Type'}: send ${accepted.join(' or ')}.`,
        { contentType, accepted },
      );
    }
    default:
      return undefined;
  }
}

function acceptedTypes(request: FastifyRequest): string[] {
  const consumes = (request.routeOptions.schema as { consumes?: unknown } | undefined)?.consumes;
  return Array.isArray(consumes) && consumes.every((type) => typeof type === 'string')
    ? consumes
    : ['application/json'];
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}
