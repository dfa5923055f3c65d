import {
  graphError,
  matchRoute,
  type Caller,
  type EmRequest,
  type EmResponse,
  type Route,
} from './emulator.http.js';
import type { Audience, EmulatorState } from './emulator.state.js';
import { resourceUnitCost, type FaultDecision } from './fault.injector.js';
import { ODataError } from './odata.query.js';
import { TEAMS_ADMIN_PREFIX } from './teams-admin.routes.js';

function audienceOf(path: string): Audience | undefined {
  if (/^\/(v1\.0|beta)\//.test(path)) return 'graph';
  if (path.startsWith(`${TEAMS_ADMIN_PREFIX}/`)) return 'teamsAdmin';
  return undefined;
}

function retryAfterText(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/** Turn a fault decision into Microsoft's answer. */
function faultResponse(
  decision: Exclude<FaultDecision, { kind: 'none' }>,
  caller: Caller,
  path: string,
): EmResponse {
  if (decision.kind === 'drop') return { status: 0, drop: true };
  if (decision.kind === 'gatewayTimeout')
    return graphError(504, 'GatewayTimeout', 'The gateway did not receive a timely response.');
  if (decision.kind === 'notFound')
    return graphError(404, 'NotFound', `The resource '${path}' was not found.`);
  const retryAfter = retryAfterText(decision.retryAfterSeconds);
  if (decision.kind === 'unavailable') {
    return graphError(503, 'serviceNotAvailable', 'Service is unavailable. Please try again', {
      'retry-after': retryAfter,
    });
  }
  const response = graphError(429, 'TooManyRequests', 'Please retry again later.', {
    'retry-after': retryAfter,
  });
  if (decision.resourceUnits) {
    Object.assign(response.headers!, {
      'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${caller.appId}/${caller.tenant.id}`,
      'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
      'x-ms-resource-unit': String(resourceUnitCost(path)),
    });
  }
  const error = (response.body as { error: { innerError: Record<string, string> } }).error;
  Object.assign(error.innerError, { code: '429', status: '429' });
  return response;
}

/**
 * The emulator's request pipeline: bearer-token check for Graph and Teams admin paths, fault injection, routing,
 * and Microsoft's error shape for everything that goes wrong. `$batch` re-enters it per inner request.
 */
export class RequestDispatcher {
  constructor(
    readonly emulator: EmulatorState,
    private readonly routes: readonly Route[],
  ) {}

  async handle(req: EmRequest): Promise<EmResponse> {
    const audience = audienceOf(req.path);
    if (!audience) return this.route(req, undefined);
    const claims = this.emulator.verifyToken(req.headers.authorization, audience);
    if ('error' in claims) return graphError(401, 'InvalidAuthenticationToken', claims.error);
    const tenant = this.emulator.tenants.get(claims.tid);
    if (!tenant)
      return graphError(401, 'InvalidAuthenticationToken', 'The tenant of the token no longer exists.');
    return this.handleAs(req, {
      tenant,
      appId: claims.appid,
      ...(claims.oid && { delegated: { userId: claims.oid, scopes: (claims.scp ?? '').split(' ') } }),
    });
  }

  /** Faults and routing for an authenticated caller (also each inner request of a $batch). */
  async handleAs(req: EmRequest, caller: Caller): Promise<EmResponse> {
    const faults = caller.tenant.faults;
    const decision = faults?.decide(req.path, caller.appId, caller.tenant.users.size);
    if (decision && decision.kind !== 'none') return faultResponse(decision, caller, req.path);
    const response = await this.route(req, caller);
    if (decision?.delayMs) response.delayMs = (response.delayMs ?? 0) + decision.delayMs;
    if (faults?.config.resourceUnits?.enabled && audienceOf(req.path) === 'graph') {
      response.headers = {
        ...response.headers,
        'x-ms-resource-unit': String(resourceUnitCost(req.path)),
        'x-ms-throttle-limit-percentage': String(
          faults.usagePercent(caller.appId, caller.tenant.users.size) / 100,
        ),
      };
    }
    return response;
  }

  private async route(req: EmRequest, caller: Caller | undefined): Promise<EmResponse> {
    const found = matchRoute(this.routes, req.method, req.path);
    if (!found) {
      return graphError(
        400,
        'BadRequest',
        `Resource not found for the segment '${req.path.split('/').pop()}'.`,
      );
    }
    try {
      return await found.route.handler({
        req,
        params: found.params,
        emulator: this.emulator,
        caller,
        dispatcher: this,
      });
    } catch (error) {
      if (error instanceof ODataError) return graphError(400, 'Request_BadRequest', error.message);
      if (error instanceof SyntaxError) return graphError(400, 'BadRequest', 'Invalid request body.');
      return graphError(
        500,
        'InternalServerError',
        error instanceof Error ? error.message : 'Internal error.',
      );
    }
  }
}
