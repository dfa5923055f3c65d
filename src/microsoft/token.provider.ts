import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import {
  PRESET_AUTHORITY_ORIGINS,
  TEAMS_ADMIN_RESOURCE,
  type ConnectionSettings,
} from './connection.settings.js';
import { emitDiagnostic, type DiagnosticHook } from './diagnostics.js';
import { MicrosoftUnreachableError, TokenError, parseTokenErrorBody } from './graph.error.js';
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

/**
 * Client-credential tokens through @azure/msal-node, secret or certificate. msal does the token protocol and
 * caching; its network calls go through our `fetch` so diagnostics and tests see them.
 *
 * msal only accepts `https:` authorities. For a custom cloud (the emulator, which may be plain http on loopback)
 * we read the authority's OpenID configuration ourselves and hand it to msal as `authorityMetadata`, with the
 * host in `knownAuthorities`: msal then skips discovery and posts to the metadata's token endpoint as given.
 *
 * The app secret (or assertion) goes to the connection's own sign-in host only: every request msal makes passes
 * {@link MsalTokenProvider.send}, which refuses any other host (e.g. metadata naming a token endpoint elsewhere)
 * before anything is sent. The tenant id is checked and encoded before it becomes part of the authority URL.
 */
export class MsalTokenProvider implements AccessTokenSource {
  private app: Promise<ConfidentialClientApplication> | undefined;
  private lastTokenError: TokenError | undefined;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly onExchange?: DiagnosticHook,
  ) {}

  async getToken(audience: TokenAudience, forceRefresh = false): Promise<string> {
    const app = await (this.app ??= this.createApp());
    this.lastTokenError = undefined;
    try {
      const result = await app.acquireTokenByClientCredential({
        scopes: [scopeOf(this.settings, audience)],
        skipCache: forceRefresh,
      });
      if (!result?.accessToken)
        throw new TokenError({ error: 'no_token', errorDescription: 'Empty token response.' });
      return result.accessToken;
    } catch (error) {
      const fromServer = this.lastTokenError as TokenError | undefined;
      if (fromServer) throw fromServer;
      if (error instanceof TokenError || error instanceof MicrosoftUnreachableError) throw error;
      const msal = error as { errorCode?: string; errorMessage?: string; errorNo?: string | number };
      throw new TokenError({
        error: msal.errorCode || 'token_request_failed',
        errorDescription: msal.errorMessage || (error instanceof Error ? error.message : String(error)),
        errorCodes: msal.errorNo !== undefined ? [Number(msal.errorNo)] : [],
      });
    }
  }

  private async createApp(): Promise<ConfidentialClientApplication> {
    const { settings } = this;
    const authorityUrl = new URL(`${settings.authorityHost}/${tenantPathSegment(settings.tenantId)}`);
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
      const metadata = await this.fetchJson(
        `${authorityUrl.toString()}/v2.0/.well-known/openid-configuration`,
      );
      auth.knownAuthorities = [authorityUrl.host];
      auth.authorityMetadata = JSON.stringify(metadata);
      auth.authority = `https://${authorityUrl.host}${authorityUrl.pathname}`;
    }
    return new ConfidentialClientApplication({ auth, system: { networkClient: this.networkModule() } });
  }

  private async fetchJson(url: string): Promise<unknown> {
    const response = await this.send('GET', url, {});
    if (response.status !== 200) {
      throw new TokenError({
        error: 'authority_metadata_unavailable',
        errorDescription: `The authority's OpenID configuration at ${url} answered ${response.status}.`,
      });
    }
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
      emitDiagnostic(this.onExchange, {
        api: 'token',
        method,
        url,
        status,
        ms: Math.round(performance.now() - started),
        attempt: 1,
        requestBody: options.body,
        responseBody: text,
        error: undefined,
      });
    }
  }
}
