import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import type { Actor } from '../domain/records.js';
import type { AdministratorsService } from '../services/administrators.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: set by the auth hook for every /api/v1 route. */
    actor: Actor;
  }
}

/**
 * Bearer API tokens for /api/v1 (portal sessions arrive with the roles issue). A missing or unknown token is
 * 401 without saying which.
 */
export function registerAuth(app: FastifyInstance, administrators: AdministratorsService): void {
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/api/v1/')) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const found = match?.[1] ? await administrators.authenticateToken(match[1]) : undefined;
    if (!found) {
      throw new AppError(
        'unauthenticated',
        'Sign in, or send an API token as "Authorization: Bearer <token>" (create one with `callbridge token create`).',
      );
    }
    request.actor = {
      type: 'api_token',
      id: found.administrator.id,
      label: found.administrator.email,
      source: 'api',
    };
  });
}
