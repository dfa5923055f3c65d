import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { resolveConnectionSettings } from '../../microsoft/connection.settings.js';
import { parseGraphErrorBody, TokenError } from '../../microsoft/graph.error.js';
import { acquireOnBehalfOf } from '../../microsoft/token.provider.js';
import type { Store } from '../../store/store.js';
import { providerSecretMayGoTo } from '../connection-endpoints.js';
import type { PhoneAppSession } from './phone-app-user.service.js';

/** What the tab asks Graph for: the delegated permission, and only the properties the dialler shows. */
const CONTACTS_SCOPE = 'Contacts.Read';
const SELECT = 'displayName,businessPhones,mobilePhone,homePhones,emailAddresses';
const PAGE_SIZE = 100;
/** Contacts read at most per request (ten pages): a dialler lists people, not an address book export. */
const MAX_CONTACTS = 1000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export const contactsQuery = z.strictObject({
  search: z.string().trim().max(100).optional(),
});

/** One number of a contact: its kind, as written in Outlook, and in E.164 when it reads as a number. */
export interface ContactPhone {
  type: 'business' | 'mobile' | 'home';
  display: string;
  /** +E.164 in the user's country (a national number as dialled there); null when it is not a phone number. */
  number: string | null;
}

export interface OutlookContact {
  id: string;
  displayName: string;
  email: string | null;
  phones: ContactPhone[];
}

export interface OutlookContactsOptions {
  /** The Phone App application (the tab's SSO audience) and its secret: the on-behalf-of flow's client. */
  clientId: string;
  clientSecret: string | undefined;
  demo: boolean;
  allowedOrigins: readonly string[];
  fetch?: typeof fetch;
}

interface GraphContact {
  id?: unknown;
  displayName?: unknown;
  businessPhones?: unknown;
  mobilePhone?: unknown;
  homePhones?: unknown;
  emailAddresses?: unknown;
}

/**
 * The Phone App user's Outlook contacts (issue 20): the tab's SSO token, already verified, is exchanged through
 * msal's on-behalf-of flow for a delegated Graph token with Contacts.Read, then `GET /me/contacts` ($select,
 * $top, following @odata.nextLink on Graph's own host only). Numbers are read in E.164 in the user's country.
 *
 * Contacts are not cached: they are the user's own data, which the provider has no reason to keep, and an
 * edit in Outlook shows at the tab's next load; the tab reads them once when it opens and searches them
 * itself. Only the delegated token is kept, by msal, per SSO token until it nears expiry.
 */
export class OutlookContactsService {
  constructor(
    private readonly store: Store,
    private readonly options: OutlookContactsOptions,
  ) {}

  /** The demo's emulated Phone App secret, when the configuration names none (`callbridge serve` with the demo). */
  useSecretIfUnset(secret: string): void {
    this.options.clientSecret ??= secret;
  }

  async list(
    session: PhoneAppSession,
    authorization: string | undefined,
    raw: z.input<typeof contactsQuery>,
  ): Promise<{ contacts: OutlookContact[] }> {
    const { search } = contactsQuery.parse(raw);
    const assertion = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!assertion)
      throw new AppError(
        'unauthenticated',
        'Send the Teams sign-in token as "Authorization: Bearer <token>".',
      );
    const connection = await this.store.repos.tenantConnections.findByAccount(session.accountId);
    if (!connection?.tenantId)
      throw new AppError(
        'precondition_failed',
        'Your organisation is not connected to Microsoft 365 here: ask your administrator.',
      );
    const secret = this.options.clientSecret;
    if (!secret)
      throw new AppError(
        'precondition_failed',
        "Outlook contacts are not available on this server: the provider has not configured the Phone App application's secret (CALLBRIDGE_PHONE_APP_CLIENT_SECRET).",
        { reason: 'contacts_not_configured' },
      );
    const authority = new URL(connection.authorityHost);
    const mayGo =
      providerSecretMayGoTo(connection.authorityHost, this.options) ||
      (this.options.demo && LOOPBACK.has(authority.hostname));
    if (!mayGo)
      throw new AppError(
        'precondition_failed',
        `The Phone App's secret is sent only to Microsoft's sign-in hosts, not to ${authority.origin}: ask your provider.`,
        { reason: 'contacts_not_configured' },
      );
    const settings = resolveConnectionSettings({
      tenantId: connection.tenantId,
      clientId: this.options.clientId,
      clientSecret: secret,
      cloud: connection.cloud,
      authorityHost: connection.authorityHost,
      graphBaseUrl: connection.graphBaseUrl,
      ...(connection.teamsAdminBaseUrl && { teamsAdminBaseUrl: connection.teamsAdminBaseUrl }),
    });
    const resource = settings.cloud === 'custom' ? 'https://graph.microsoft.com' : settings.graphBaseUrl;
    let token: string;
    try {
      token = await acquireOnBehalfOf(settings, assertion, [`${resource}/${CONTACTS_SCOPE}`], this.fetchImpl);
    } catch (error) {
      throw refusalOf(error);
    }
    const country = session.user.usageLocation ?? session.service.country;
    const contacts = (await this.read(settings.graphBaseUrl, token))
      .map((contact) => contactOf(contact, country))
      .filter((contact) => contact.phones.length > 0);
    const term = search?.toLowerCase();
    return {
      contacts: term
        ? contacts.filter(
            (c) =>
              c.displayName.toLowerCase().includes(term) ||
              c.phones.some((p) =>
                (p.number ?? p.display).replace(/\s/g, '').includes(term.replace(/\s/g, '')),
              ),
          )
        : contacts,
    };
  }

  private get fetchImpl(): typeof fetch {
    return this.options.fetch ?? fetch;
  }

  /** `/me/contacts` page by page; a nextLink is followed only on the connection's Graph host (the token goes nowhere else). */
  private async read(graphBaseUrl: string, token: string): Promise<GraphContact[]> {
    const origin = new URL(graphBaseUrl).origin;
    let url: string | undefined = `${graphBaseUrl}/v1.0/me/contacts?$select=${SELECT}&$top=${PAGE_SIZE}`;
    const items: GraphContact[] = [];
    while (url && items.length < MAX_CONTACTS) {
      if (new URL(url).origin !== origin)
        throw new AppError(
          'upstream_failed',
          `Microsoft Graph sent a link to another host (${new URL(url).origin}); not followed.`,
        );
      const response = await this.fetchImpl(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      }).catch((error: unknown) => {
        throw new AppError(
          'upstream_failed',
          `Microsoft Graph could not be reached for your contacts: ${String(error)}`,
        );
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok) {
        const graph = parseGraphErrorBody(body, response.status);
        throw new AppError(
          'upstream_failed',
          `Microsoft Graph refused to list your contacts (${response.status}): ${graph.message}`,
        );
      }
      if (Array.isArray(body.value)) items.push(...(body.value as GraphContact[]));
      url = typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined;
    }
    return items.slice(0, MAX_CONTACTS);
  }
}

/** A failed on-behalf-of exchange in words the user can act on; consent missing names the administrator's step. */
function refusalOf(error: unknown): AppError {
  if (error instanceof TokenError && error.errorCodes.includes(65001))
    return new AppError(
      'forbidden',
      'Your organisation has not allowed the Phone App to read Outlook contacts (Contacts.Read). A Microsoft 365 administrator must authorize the Phone App again: in Callbridge, Teams services > Phone App > "Authorize Phone App for my Organization" (or grant admin consent to the Phone App under Entra ID > Enterprise applications > Permissions). Your organisation\'s directory still works.',
      { reason: 'consent_required', scope: CONTACTS_SCOPE },
    );
  if (error instanceof TokenError)
    return new AppError(
      'upstream_failed',
      `Microsoft did not give access to your contacts (${error.error}): ${error.errorDescription.split(' Trace ID')[0]}`,
      {
        reason: 'token_refused',
        errorCodes: error.errorCodes,
      },
    );
  if (error instanceof AppError) return error;
  return new AppError(
    'upstream_failed',
    `Microsoft's sign-in service failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() ? [value] : [];
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    : [];
}

/** A Graph contact as the dialler shows it: each number read in E.164 in the user's country when it is one. */
export function contactOf(contact: GraphContact, country: string | null): OutlookContact {
  const phones: ContactPhone[] = [
    ...strings(contact.businessPhones).map((p) => phoneOf('business', p, country)),
    ...strings(contact.mobilePhone).map((p) => phoneOf('mobile', p, country)),
    ...strings(contact.homePhones).map((p) => phoneOf('home', p, country)),
  ];
  const emails = Array.isArray(contact.emailAddresses)
    ? (contact.emailAddresses as { address?: unknown }[])
    : [];
  const email = emails.map((e) => e.address).find((a): a is string => typeof a === 'string') ?? null;
  return {
    id: typeof contact.id === 'string' ? contact.id : '',
    displayName: typeof contact.displayName === 'string' ? contact.displayName : '',
    email,
    phones,
  };
}

function phoneOf(type: ContactPhone['type'], display: string, country: string | null): ContactPhone {
  const parsed = parsePhoneNumberFromString(
    display,
    country ? { defaultCountry: country as CountryCode } : {},
  );
  // Possible (right length for the country) is enough: a dialler calls numbers the metadata may not list yet.
  return { type, display: display.trim(), number: parsed?.isPossible() ? parsed.number : null };
}
