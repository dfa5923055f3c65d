import type { ConnectionSettings } from './connection.settings.js';
import { emitDiagnostic, type DiagnosticHook } from './diagnostics.js';
import {
  ForeignHostError,
  GraphError,
  MicrosoftUnreachableError,
  parseGraphErrorBody,
} from './graph.error.js';
import {
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  realSleep,
  retryDelayMs,
  type RetryPolicy,
  type Sleep,
} from './retry.policy.js';
import type { AccessTokenSource, TokenAudience } from './token.provider.js';

/** One call to Graph (`api: 'graph'`) or the Teams admin API. */
export interface GraphRequest {
  api?: TokenAudience;
  method?: string;
  /** Absolute URL (e.g. an @odata.nextLink, used verbatim) or a path appended to the API's base URL. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Statuses returned to the caller instead of thrown as GraphError (e.g. 404, 410). */
  acceptStatuses?: readonly number[];
  /** Retry after a dropped connection too (safe for reads and idempotent writes). Default: GET only. */
  idempotent?: boolean;
}

/** A successful (or accepted) answer. */
export interface GraphResponse {
  status: number;
  headers: Headers;
  body: unknown;
  url: string;
}

/** Options shared by everything that talks to Microsoft. */
export interface TransportOptions {
  fetch?: typeof fetch;
  sleep?: Sleep;
  retry?: Partial<RetryPolicy>;
  onExchange?: DiagnosticHook;
  /** Observes every wait before a retry (tests and metrics). */
  onRetry?: (info: { url: string; status: number | null; delayMs: number; attempt: number }) => void;
}

/**
 * Sends requests with a bearer token, retries 429/503/504 after Retry-After (else backoff with jitter),
 * refreshes the token once on 401, and turns other errors into {@link GraphError}.
 */
export class GraphTransport {
  readonly retry: RetryPolicy;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: Sleep;

  constructor(
    readonly settings: ConnectionSettings,
    private readonly tokens: AccessTokenSource,
    private readonly options: TransportOptions = {},
  ) {
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? realSleep;
  }

  /**
   * Resolve a path against the API's base URL. An absolute URL (an @odata.nextLink, a Location header) must be
   * on that API's own host: the bearer token goes only to the connection's Graph and Teams hosts, so a link
   * pointing anywhere else is refused with {@link ForeignHostError} before anything is sent.
   */
  resolve(api: TokenAudience, url: string): string {
    const base = api === 'graph' ? this.settings.graphBaseUrl : this.settings.teamsAdminBaseUrl;
    if (!/^https?:\/\//i.test(url)) return `${base}${url.startsWith('/') ? '' : '/'}${url}`;
    const origin = new URL(url).origin;
    if (origin !== new URL(base).origin) throw new ForeignHostError(api, origin, new URL(base).origin);
    return url;
  }

  /** Send one request, waiting out throttling. Throws GraphError, TokenError or MicrosoftUnreachableError. */
  async send(request: GraphRequest): Promise<GraphResponse> {
    const api = request.api ?? 'graph';
    const method = request.method ?? 'GET';
    const url = this.resolve(api, request.url);
    const idempotent = request.idempotent ?? method === 'GET';
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(api, method, url, request, attempt, refreshed);
      if (outcome.kind === 'network') {
        if (!idempotent || attempt >= this.retry.maxAttempts)
          throw new MicrosoftUnreachableError(url, outcome.error);
        await this.wait(url, null, attempt, undefined);
        continue;
      }
      const { response, body } = outcome;
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        continue;
      }
      if (isRetryableStatus(response.status) && attempt < this.retry.maxAttempts) {
        await this.wait(url, response.status, attempt, parseRetryAfter(response.headers.get('retry-after')));
        continue;
      }
      if (response.status < 400 || request.acceptStatuses?.includes(response.status)) {
        return { status: response.status, headers: response.headers, body, url };
      }
      throw new GraphError({
        status: response.status,
        body: parseGraphErrorBody(body, response.status),
        method,
        url,
        requestId: response.headers.get('request-id') ?? undefined,
      });
    }
  }

  private async wait(url: string, status: number | null, attempt: number, retryAfterMs: number | undefined) {
    const delayMs = retryDelayMs(this.retry, attempt, retryAfterMs);
    this.options.onRetry?.({ url, status, delayMs, attempt });
    await this.sleep(delayMs);
  }

  private async attempt(
    api: TokenAudience,
    method: string,
    url: string,
    request: GraphRequest,
    attempt: number,
    forceRefresh: boolean,
  ): Promise<{ kind: 'answer'; response: Response; body: unknown } | { kind: 'network'; error: unknown }> {
    const token = await this.tokens.getToken(api, forceRefresh);
    const requestBody = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (requestBody !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, request.headers);
    const started = performance.now();
    let responseText: string | undefined;
    let status: number | null = null;
    let failure: unknown;
    try {
      const response = await this.fetchImpl(url, { method, headers, body: requestBody });
      status = response.status;
      responseText = await response.text();
      return { kind: 'answer', response, body: parseBody(responseText) };
    } catch (error) {
      failure = error;
      return { kind: 'network', error };
    } finally {
      emitDiagnostic(this.options.onExchange, {
        api,
        method,
        url,
        status,
        ms: Math.round(performance.now() - started),
        attempt,
        requestBody,
        responseBody: responseText,
        error:
          failure instanceof Error ? failure.message : failure === undefined ? undefined : 'network error',
      });
    }
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
