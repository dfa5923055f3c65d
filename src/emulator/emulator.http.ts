import { randomUUID } from 'node:crypto';
import type { EmulatorState } from './emulator.state.js';
import type { RequestDispatcher } from './request.dispatcher.js';
import type { TenantState } from './tenant.state.js';

/** A request as route handlers see it (also used for the inner requests of $batch). */
export interface EmRequest {
  method: string;
  /** Decoded path without query, e.g. `/v1.0/users`. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: unknown;
  /** `http://127.0.0.1:port`, used to build absolute links. */
  baseUrl: string;
}

/** A response; `drop` closes the connection without answering. */
export interface EmResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** A non-JSON body (HTML, plain text). */
  text?: string;
  drop?: boolean;
  delayMs?: number;
}

/** Who called: the tenant and app of a validated bearer token. */
export interface Caller {
  tenant: TenantState;
  appId: string;
  /** A delegated token's user (object id) and its scopes (`scp`); absent for an app-only token. */
  delegated?: { userId: string; scopes: string[] };
}

export interface RouteContext {
  req: EmRequest;
  params: string[];
  emulator: EmulatorState;
  caller: Caller | undefined;
  dispatcher: RequestDispatcher;
}

export type Handler = (ctx: RouteContext) => EmResponse | Promise<EmResponse>;

/** A route: method and a regular expression over the path; capture groups become `params`. */
export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

/** Find the route for a request; `undefined` when none matches. */
export function matchRoute(routes: readonly Route[], method: string, path: string) {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map((p) => decodeURIComponent(p ?? '')) };
  }
  return undefined;
}

/** Microsoft's error JSON with innerError date and request-id. */
export function graphError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): EmResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': requestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': requestId,
        },
      },
    },
  };
}

/** A JSON 200 (or other) answer. */
export function ok(body: unknown, status = 200, headers?: Record<string, string>): EmResponse {
  return { status, body, ...(headers ? { headers } : {}) };
}

export const notFound = (what: string): EmResponse =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
  );

/** The caller or, if the route was reached without one, a thrown error (auth is enforced before routing). */
export function callerOf(ctx: RouteContext): Caller {
  if (!ctx.caller) throw new Error('route needs an authenticated caller');
  return ctx.caller;
}

/** Encode paging state into an opaque `$skiptoken`. */
export function encodeToken(state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

/** Decode a `$skiptoken`/`$deltatoken`, or undefined when it is not ours. */
export function decodeToken<T>(token: string | null): T | undefined {
  if (!token) return undefined;
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
