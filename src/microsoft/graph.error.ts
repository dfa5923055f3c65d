import { AppError } from '../domain/errors.js';

/** Microsoft's error body: `{"error":{"code","message","innerError"|"innererror"}}`. */
export interface GraphErrorBody {
  code: string;
  message: string;
  innerError?: Record<string, unknown>;
}

/**
 * A Graph or Teams admin API call answered with an error. `graphCode` is Microsoft's `error.code` (act on it);
 * `message` is Microsoft's text, kept so the administrator sees what Microsoft said.
 */
export class GraphError extends AppError {
  readonly httpStatus: number;
  readonly graphCode: string;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(init: {
    status: number;
    body: GraphErrorBody;
    method: string;
    url: string;
    requestId?: string;
  }) {
    super(appCodeOf(init.status), init.body.message || `Microsoft answered ${init.status}`, {
      graphCode: init.body.code,
      status: init.status,
    });
    this.name = 'GraphError';
    this.httpStatus = init.status;
    this.graphCode = init.body.code;
    this.requestId = init.requestId;
    this.method = init.method;
    this.url = init.url;
  }
}

/**
 * A request to a host that is not the connection's own Graph or Teams admin host (e.g. a foreign @odata.nextLink):
 * refused before it is sent, so no bearer token goes there.
 */
export class ForeignHostError extends AppError {
  constructor(api: 'graph' | 'teamsAdmin', origin: string, own: string) {
    super(
      'upstream_failed',
      `Callbridge did not send a request to ${origin}: it is not the connection's ${api === 'graph' ? 'Graph' : 'Teams admin'} host (${own}), and tokens go only there.`,
      { host: origin },
    );
    this.name = 'ForeignHostError';
  }
}

/** The client could not obtain a token: Microsoft's token error fields, kept as they came. */
export class TokenError extends AppError {
  readonly error: string;
  readonly errorDescription: string;
  readonly errorCodes: number[];
  readonly traceId: string | undefined;
  readonly correlationId: string | undefined;

  constructor(init: {
    error: string;
    errorDescription: string;
    errorCodes?: number[];
    traceId?: string | undefined;
    correlationId?: string | undefined;
  }) {
    // Our caller is signed in: it is Microsoft that did not give the app a token. Unreachable is a 502; a refusal
    // (secret wrong, consent missing) is a precondition the administrator must fix, never a 401 of our own API.
    super(
      init.error === 'network_error' ? 'upstream_failed' : 'precondition_failed',
      init.error === 'network_error'
        ? `Microsoft's sign-in service could not be reached to get a token for the app: ${init.errorDescription}`
        : `Microsoft refused the app's credentials (${init.error}): ${init.errorDescription}`,
      {
        error: init.error,
        errorCodes: init.errorCodes ?? [],
      },
    );
    this.name = 'TokenError';
    this.error = init.error;
    this.errorDescription = init.errorDescription;
    this.errorCodes = init.errorCodes ?? [];
    this.traceId = init.traceId;
    this.correlationId = init.correlationId;
  }
}

/**
 * The sign-in authority's metadata (its OpenID configuration, or Microsoft's instance discovery) could not be
 * read: the authority host is wrong or down. Not a refusal of the app's credentials, which were never sent.
 */
export class AuthorityUnavailableError extends AppError {
  readonly authorityUrl: string;

  constructor(authorityUrl: string, detail: string) {
    super(
      'upstream_failed',
      `The sign-in authority could not be discovered: ${authorityUrl} ${detail}. Check the connection's authority host (a custom cloud must serve its OpenID configuration there), then try again.`,
      { authorityUrl },
    );
    this.name = 'AuthorityUnavailableError';
    this.authorityUrl = authorityUrl;
  }
}

/** Microsoft could not be reached (connection refused, reset, timeout) after every retry. */
export class MicrosoftUnreachableError extends AppError {
  constructor(url: string, cause: unknown) {
    super('upstream_failed', `Microsoft could not be reached (${describe(cause)}). Try again later.`, {
      url,
    });
    this.name = 'MicrosoftUnreachableError';
    this.cause = cause;
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message}: ${inner.message}` : cause.message;
  }
  return String(cause);
}

function appCodeOf(status: number): ConstructorParameters<typeof AppError>[0] {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'validation_failed';
  return 'upstream_failed';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Read Microsoft's error JSON, accepting `innerError` and `innererror`; anything else becomes a generic body.
 * @example parseGraphErrorBody({ error: { code: 'Request_ResourceNotFound', message: 'x' } }).code
 */
export function parseGraphErrorBody(body: unknown, status: number): GraphErrorBody {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (!error) return { code: `http${status}`, message: `Microsoft answered HTTP ${status}.` };
  const inner = error.innerError ?? error.innererror;
  return {
    code: typeof error.code === 'string' ? error.code : `http${status}`,
    message: typeof error.message === 'string' ? error.message : `Microsoft answered HTTP ${status}.`,
    ...(isRecord(inner) ? { innerError: inner } : {}),
  };
}

/** Read the token endpoint's error shape `{error, error_description, error_codes, trace_id, correlation_id}`. */
export function parseTokenErrorBody(body: unknown): TokenError | undefined {
  if (!isRecord(body) || typeof body.error !== 'string') return undefined;
  const codes = Array.isArray(body.error_codes) ? body.error_codes.filter((c) => typeof c === 'number') : [];
  return new TokenError({
    error: body.error,
    errorDescription: typeof body.error_description === 'string' ? body.error_description : body.error,
    errorCodes: codes,
    traceId: typeof body.trace_id === 'string' ? body.trace_id : undefined,
    correlationId: typeof body.correlation_id === 'string' ? body.correlation_id : undefined,
  });
}
