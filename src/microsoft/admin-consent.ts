/** What the administrator-consent redirect told us. */
export type AdminConsentResult =
  | { kind: 'granted'; tenantId: string; state: string | null }
  | {
      kind: 'denied';
      error: string;
      errorDescription: string;
      state: string | null;
      tenantId: string | null;
    };

/**
 * Build the URL that asks a tenant's administrator to consent to the app's application permissions.
 * `tenant` is the customer's tenant id or domain when known, else `organizations`/`common`.
 * @example buildAdminConsentUrl({ authorityHost: 'https://login.microsoftonline.com', tenant: 'common',
 *   clientId, redirectUri: 'https://portal/consent', state: 'abc' })
 */
export function buildAdminConsentUrl(input: {
  authorityHost: string;
  tenant: string;
  clientId: string;
  redirectUri: string;
  state: string;
}): string {
  const url = new URL(
    `${input.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(input.tenant)}/adminconsent`,
  );
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('state', input.state);
  url.searchParams.set('redirect_uri', input.redirectUri);
  return url.toString();
}

/**
 * Parse the query of the redirect Microsoft sends back: `?tenant=..&state=..&admin_consent=True`, or
 * `?error=..&error_description=..`. A redirect without either is treated as denied with a clear description.
 * @example parseAdminConsentRedirect('tenant=t1&state=s&admin_consent=True') // { kind: 'granted', tenantId: 't1', state: 's' }
 */
export function parseAdminConsentRedirect(
  query: string | URLSearchParams | Record<string, string>,
): AdminConsentResult {
  const params = query instanceof URLSearchParams ? query : new URLSearchParams(query);
  const state = params.get('state');
  const tenantId = params.get('tenant');
  const error = params.get('error');
  if (error) {
    return {
      kind: 'denied',
      error,
      errorDescription: params.get('error_description') ?? error,
      state,
      tenantId,
    };
  }
  if (tenantId && params.get('admin_consent')?.toLowerCase() === 'true') {
    return { kind: 'granted', tenantId, state };
  }
  return {
    kind: 'denied',
    error: 'invalid_redirect',
    errorDescription: 'The consent redirect carried neither a granted consent nor an error.',
    state,
    tenantId,
  };
}
