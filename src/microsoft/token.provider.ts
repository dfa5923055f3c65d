import { createHash } from 'node:crypto';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import {
  PRESET_AUTHORITY_ORIGINS,
  TEAMS_ADMIN_RESOURCE,
  type ConnectionSettings,
} from './connection.settings.js';
import { emitDiagnostic, type DiagnosticExchange, type DiagnosticHook } from './diagnostics.js';
import {
  AuthorityUnavailableError,
  MicrosoftUnreachableError,
  TokenError,
  parseTokenErrorBody,
} from './graph.error.js';
import { tenantPathSegment } from './tenant-id.js';

/** Which API a token is for. */
export type TokenAudience = 'graph' | 'teamsAdmin';

/** Gives bearer tokens; `forceRefresh` after a 401 that says the token expired. */
export interface AccessTokenSource {
  getToken(audience: TokenAudience, forceRefresh?: boolean): Promise<string>;
}

/** The scope string asked of the token endpoint for each audience. */
export function scopeOf(settings: ConnectionSettings, audience: TokenAudience): string {
  if (audience === 'teamsAdmin') return `${TEAMS_ADMIN_RESOURCE}/.default`;
  // The emulator (custom cloud) answers to Graph's global resource, as Microsoft's global service does.
  const resource = settings.cloud === 'custom' ? 'https://graph.microsoft.com' : settings.graphBaseUrl;
  return `${resource}/.default`;
}

/** msal apps kept at most (one per tenant, app, credential and authority); the oldest unused goes first. */
const MAX_CACHED_APPS = 1_000;
/** msal errors that mean the authority's metadata could not be resolved (instance discovery, OpenID config). */
const discoveryErrorCodes = new Set([
  'endpoints_resolution_error',
  'openid_config_error',
  'untrusted_authority',
  'invalid_authority_metadata',
  'invalid_cloud_discovery_metadata',
]);

/**
 * Client-credential tokens through @azure/msal-node, secret or certificate. msal does the token protocol and
 * caching; its network calls go through our `fetch` so diagnostics and tests see them.
 *
 * Every sync run builds its own client, but tokens outlive runs: the msal app (and with it msal's token cache
 * and the authority metadata it resolved) is kept per tenant, app, credential and authority in a small
 * process-wide cache, so a warm process asks for each scope once until the token nears expiry (msal renews it
 * five minutes before). Concurrent requests for one scope share the request in flight (msal does not). A client
 * with a diagnostic hook (a sync run in diagnostic mode) keeps an app of its own instead, so the run's log shows
 * its token exchanges.
 *
 * msal only accepts `https:` authorities. For a custom cloud (the emulator, which may be plain http on loopback)
 * we read the authority's OpenID configuration ourselves, once per authority, and hand it to msal as
 * `authorityMetadata`, with the host in `knownAuthorities`: msal then skips discovery and posts to the metadata's
 * token endpoint as given.
 *
 * The app secret (or assertion) goes to the connection's own sign-in host only: every request msal makes passes
 * `CachedMsalApp.send`, which refuses any other host (e.g. metadata naming a token endpoint elsewhere)
 * before anything is sent. The tenant id is checked and encoded before it becomes part of the authority URL.
 */
export class MsalTokenProvider implements AccessTokenSource {
  constructor(
    private readonly settings: ConnectionSettings,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly onExchange?: DiagnosticHook,
  ) {}

  /** A diagnostic client's own app: fresh tokens, so its log shows the token exchanges (see the class note). */
  private ownApp: CachedMsalApp | undefined;

  async getToken(audience: TokenAudience, forceRefresh = false): Promise<string> {
    const entry = this.onExchange
      ? (this.ownApp ??= new CachedMsalApp(this.settings, this.fetchImpl, this.onExchange))
      : cachedAppFor(this.settings, this.fetchImpl);
    const scope = scopeOf(this.settings, audience);
    const key = `${forceRefresh ? 'refresh' : 'cached'} ${scope}`;
    let request = entry.inFlight.get(key);
    if (!request) {
      request = entry.acquire(scope, forceRefresh).finally(() => entry.inFlight.delete(key));
      entry.inFlight.set(key, request);
    }
    return request;
  }
}

/**
 * A delegated token for `scopes` on behalf of the user whose access token for this app `assertion` is: msal's
 * on-behalf-of flow (`acquireTokenOnBehalfOf`) with the app of `settings` (its secret or certificate). msal keeps
 * the token in the kept app's cache, keyed by a hash of the assertion, so the same user's next request within
 * the token's life asks Entra ID nothing. Throws TokenError with Entra ID's error and AADSTS codes (65001:
 * consent missing).
 */
export async function acquireOnBehalfOf(
  settings: ConnectionSettings,
  assertion: string,
  scopes: string[],
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  return cachedAppFor(settings, fetchImpl).onBehalfOf(assertion, scopes);
}

/** Forget every kept msal app and authority metadata (tests of cold starts). */
export function clearTokenCaches(): void {
  cachedApps.clear();
  authorityMetadata.clear();
}

const cachedApps = new Map<string, CachedMsalApp>();
/** OpenID configurations of custom-cloud authorities, by URL; a failed read is forgotten so the next run retries. */
const authorityMetadata = new Map<string, Promise<unknown>>();
/** Apps are kept per `fetch` too: a test's fake fetch never answers for the real one. */
const fetchIds = new WeakMap<typeof fetch, number>();
let nextFetchId = 1;

function cachedAppFor(settings: ConnectionSettings, fetchImpl: typeof fetch): CachedMsalApp {
  if (!fetchIds.has(fetchImpl)) fetchIds.set(fetchImpl, nextFetchId++);
  const credential = createHash('sha256')
    .update(
      settings.clientSecret ??
        `${settings.certificate?.thumbprintSha256}|${settings.certificate?.privateKeyPem}`,
    )
    .digest('base64url');
  const key = [
    settings.cloud,
    settings.authorityHost,
    settings.tenantId,
    settings.clientId,
    credential,
    fetchIds.get(fetchImpl),
  ].join('|');
  let entry = cachedApps.get(key);
  if (entry) {
    // Most recently used last: the first key is the one to drop when the cache is full.
    cachedApps.delete(key);
  } else {
    entry = new CachedMsalApp(settings, fetchImpl);
    if (cachedApps.size >= MAX_CACHED_APPS) cachedApps.delete(cachedApps.keys().next().value!);
  }
  cachedApps.set(key, entry);
  return entry;
}

/** One msal app with its token cache and the token requests in flight. */
class CachedMsalApp {
  readonly inFlight = new Map<string, Promise<string>>();
  private app: Promise<ConfidentialClientApplication> | undefined;
  private lastTokenError: TokenError | undefined;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly fetchImpl: typeof fetch,
    private readonly onExchange?: DiagnosticHook,
  ) {}

  async acquire(scope: string, forceRefresh: boolean): Promise<string> {
    const app = await (this.app ??= this.createApp().catch((error: unknown) => {
      this.app = undefined;
      throw error;
    }));
    this.lastTokenError = undefined;
    try {
      const result = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: forceRefresh });
      if (!result?.accessToken)
        throw new TokenError({ error: 'no_token', errorDescription: 'Empty token response.' });
      return result.accessToken;
    } catch (error) {
      throw this.tokenErrorOf(error);
    }
  }

  async onBehalfOf(assertion: string, scopes: string[]): Promise<string> {
    const app = await (this.app ??= this.createApp().catch((error: unknown) => {
      this.app = undefined;
      throw error;
    }));
    this.lastTokenError = undefined;
    try {
      const result = await app.acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes });
      if (!result?.accessToken)
        throw new TokenError({ error: 'no_token', errorDescription: 'Empty token response.' });
      return result.accessToken;
    } catch (error) {
      throw this.tokenErrorOf(error);
    }
  }

  private tokenErrorOf(error: unknown): Error {
    const fromServer = this.lastTokenError;
    if (fromServer) return fromServer;
    if (error instanceof TokenError || error instanceof MicrosoftUnreachableError) return error;
    if (error instanceof AuthorityUnavailableError) return error;
    const msal = error as { errorCode?: string; errorMessage?: string; errorNo?: string | number };
    const description = msal.errorMessage || (error instanceof Error ? error.message : String(error));
    if (msal.errorCode && discoveryErrorCodes.has(msal.errorCode))
      return new AuthorityUnavailableError(
        this.authorityUrl().toString(),
        `(${msal.errorCode}: ${description})`,
      );
    return new TokenError({
      error: msal.errorCode || 'token_request_failed',
      errorDescription: description,
      errorCodes: msal.errorNo !== undefined ? [Number(msal.errorNo)] : [],
    });
  }

  private authorityUrl(): URL {
    return new URL(`${this.settings.authorityHost}/${tenantPathSegment(this.settings.tenantId)}`);
  }

  private async createApp(): Promise<ConfidentialClientApplication> {
    const { settings } = this;
    const authorityUrl = this.authorityUrl();
    const auth: Configuration['auth'] = {
      clientId: settings.clientId,
      authority: authorityUrl.toString(),
      ...(settings.clientSecret
        ? { clientSecret: settings.clientSecret }
        : {
            clientCertificate: {
              privateKey: settings.certificate!.privateKeyPem,
              thumbprintSha256: settings.certificate!.thumbprintSha256,
              ...(settings.certificate!.x5c ? { x5c: settings.certificate!.x5c } : {}),
            },
          }),
    };
    if (settings.cloud === 'custom') {
      const metadata = await this.authorityMetadata(
        `${authorityUrl.toString()}/v2.0/.well-known/openid-configuration`,
      );
      auth.knownAuthorities = [authorityUrl.host];
      auth.authorityMetadata = JSON.stringify(metadata);
      auth.authority = `https://${authorityUrl.host}${authorityUrl.pathname}`;
    }
    return new ConfidentialClientApplication({ auth, system: { networkClient: this.networkModule() } });
  }

  /** The authority's OpenID configuration, read once per authority for every app and tenant run against it. */
  private authorityMetadata(url: string): Promise<unknown> {
    let metadata = authorityMetadata.get(url);
    if (!metadata) {
      metadata = this.fetchJson(url).catch((error: unknown) => {
        authorityMetadata.delete(url);
        throw error;
      });
      authorityMetadata.set(url, metadata);
    }
    return metadata;
  }

  private async fetchJson(url: string): Promise<unknown> {
    let response: NetworkResponse<unknown>;
    try {
      response = await this.send('GET', url, {});
    } catch (error) {
      throw new AuthorityUnavailableError(
        url,
        `could not be reached (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (response.status !== 200)
      throw new AuthorityUnavailableError(
        url,
        `answered HTTP ${response.status} instead of its OpenID configuration`,
      );
    return response.body;
  }

  private networkModule(): INetworkModule {
    return {
      sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
        this.send('GET', url, options ?? {}) as Promise<NetworkResponse<T>>,
      sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
        this.send('POST', url, options ?? {}) as Promise<NetworkResponse<T>>,
    };
  }

  /**
   * Token and discovery requests are safe to repeat: a request that never got an answer (e.g. a kept-alive
   * connection the server had just closed) is tried again, up to three times, before it counts as unreachable.
   */
  private async send(
    method: string,
    url: string,
    options: NetworkRequestOptions,
  ): Promise<NetworkResponse<unknown>> {
    this.requireOwnAuthority(url);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendOnce(method, url, options);
      } catch (error) {
        if (
          !(error instanceof MicrosoftUnreachableError) ||
          error.cause instanceof SyntaxError ||
          attempt >= 3
        )
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /**
   * Refuses a request to any host but the connection's sign-in host (and, for the national clouds, the preset
   * sign-in hosts msal itself may consult): this is what keeps the secret from going where metadata points.
   */
  private requireOwnAuthority(url: string): void {
    const origin = new URL(url).origin;
    const own = new URL(this.settings.authorityHost).origin;
    if (origin === own || (this.settings.cloud !== 'custom' && PRESET_AUTHORITY_ORIGINS.has(origin))) return;
    // Kept as the request's outcome: msal wraps what its network module throws as a network error.
    throw (this.lastTokenError = new TokenError({
      error: 'foreign_token_endpoint',
      errorDescription: `The sign-in metadata names a token endpoint on another host (${origin}); Callbridge sends the app's credentials only to the connection's sign-in host (${own}).`,
    }));
  }

  private async sendOnce(
    method: string,
    url: string,
    options: NetworkRequestOptions,
  ): Promise<NetworkResponse<unknown>> {
    const started = performance.now();
    let status: number | null = null;
    let text: string | undefined;
    try {
      const response = await this.fetchImpl(url, { method, headers: options.headers, body: options.body });
      status = response.status;
      text = await response.text();
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key] = value));
      const body: unknown = text ? JSON.parse(text) : {};
      if (status >= 400) this.lastTokenError = parseTokenErrorBody(body);
      return { status, headers, body };
    } catch (error) {
      if (error instanceof SyntaxError) throw new MicrosoftUnreachableError(url, error);
      if (status === null) throw new MicrosoftUnreachableError(url, error);
      throw error;
    } finally {
      const exchange: DiagnosticExchange = {
        api: 'token',
        method,
        url,
        status,
        ms: Math.round(performance.now() - started),
        attempt: 1,
        requestBody: options.body,
        responseBody: text,
        error: undefined,
      };
      emitDiagnostic(this.onExchange, exchange);
    }
  }
}
