import { z } from 'zod';
import { callerOf, graphError, ok, type EmResponse, type Route, type RouteContext } from './emulator.http.js';
import { project, selectOf, topOf, type Item } from './odata.query.js';
import type { SeedContact } from './seed.schema.js';

/** Delegated permissions that let a user's token read their own contacts. */
const CONTACT_SCOPES = ['Contacts.Read', 'Contacts.ReadWrite'];
const DEFAULT_PAGE = 10;
const MAX_PAGE = 1000;

/** A contact as Graph v1.0 returns it (the properties Outlook keeps; empty ones null or []). */
function contactJson(contact: SeedContact): Item {
  return {
    '@odata.etag': `W/"${Buffer.from(contact.id).toString('base64').slice(0, 16)}"`,
    id: contact.id,
    createdDateTime: '2026-01-05T09:00:00Z',
    lastModifiedDateTime: '2026-01-05T09:00:00Z',
    changeKey: Buffer.from(contact.id).toString('base64').slice(0, 16),
    categories: [],
    parentFolderId: 'AAMkAGI2TGuLAAA=',
    birthday: null,
    fileAs: '',
    displayName: contact.displayName,
    givenName: contact.givenName,
    initials: null,
    middleName: null,
    nickName: null,
    surname: contact.surname,
    title: null,
    jobTitle: null,
    companyName: contact.companyName,
    department: null,
    officeLocation: null,
    profession: null,
    businessHomePage: null,
    assistantName: null,
    manager: null,
    homePhones: contact.homePhones,
    mobilePhone: contact.mobilePhone,
    businessPhones: contact.businessPhones,
    spouseName: null,
    personalNotes: '',
    children: [],
    emailAddresses: contact.emailAddresses,
    imAddresses: [],
    homeAddress: {},
    businessAddress: {},
    otherAddress: {},
  };
}

/**
 * `GET /me/contacts` and `/users/{id}/contacts` (Graph v1.0 "List contacts"): the contacts of the signed-in user
 * of a delegated token with Contacts.Read (or ReadWrite), `$select`, `$top` (default 10) and an
 * `@odata.nextLink` carrying `$skip`. `/me` with an app-only token is refused as Graph does; a delegated token
 * reads only its own user's contacts (403 ErrorAccessDenied for anyone else's, as without shared folders).
 */
function listContacts(ctx: RouteContext): EmResponse {
  const caller = callerOf(ctx);
  const me = ctx.req.path.includes('/me/');
  if (me && !caller.delegated)
    return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  const user = me ? caller.tenant.findUser(caller.delegated!.userId) : caller.tenant.findUser(ctx.params[0]!);
  if (!user)
    return graphError(404, 'ErrorInvalidUser', `The requested user '${ctx.params[0] ?? 'me'}' is invalid.`);
  if (caller.delegated) {
    const allowed = caller.delegated.scopes.some((scope) => CONTACT_SCOPES.includes(scope));
    if (!allowed || caller.delegated.userId !== user.id)
      return graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
  }
  const query = ctx.req.query;
  const top = topOf(query, DEFAULT_PAGE, MAX_PAGE);
  const skip = Number(query.get('$skip') ?? 0);
  if (!Number.isInteger(skip) || skip < 0)
    return graphError(
      400,
      'ErrorInvalidUrlQuery',
      `The value '${query.get('$skip')}' of $skip is not valid.`,
    );
  const select = selectOf(query);
  const all = [...(caller.tenant.contacts.get(user.id) ?? [])].sort((a, b) =>
    a.displayName.localeCompare(b.displayName),
  );
  const page = all.slice(skip, skip + top).map((contact) => {
    const full = contactJson(contact);
    return select ? { '@odata.etag': full['@odata.etag'], ...project(full, select) } : full;
  });
  const base = `${ctx.req.baseUrl}${ctx.req.path}`;
  const next = new URLSearchParams(query);
  next.set('$top', String(top));
  next.set('$skip', String(skip + top));
  const who = me ? `users('${user.id}')` : `users('${ctx.params[0]}')`;
  return ok({
    '@odata.context': `${ctx.req.baseUrl}/v1.0/$metadata#${who}/contacts${select ? `(${select.join(',')})` : ''}`,
    value: page,
    ...(skip + top < all.length && { '@odata.nextLink': `${base}?${next.toString()}` }),
  });
}

const grantsSchema = z.strictObject({ scopes: z.array(z.string().min(1)) });

/**
 * Test control: the delegated Graph permissions a tenant has granted an app (what an administrator's consent
 * granted when the app requested fewer permissions, e.g. before Contacts.Read was added). An empty list keeps
 * the app's service principal but grants nothing.
 */
function setDelegatedGrants(ctx: RouteContext): EmResponse {
  const tenant = ctx.emulator.tenant(ctx.params[0]!);
  if (!tenant) return graphError(404, 'NotFound', `No tenant '${ctx.params[0]}' in the emulator.`);
  const parsed = grantsSchema.safeParse(ctx.req.body ?? {});
  if (!parsed.success) return graphError(400, 'BadRequest', z.prettifyError(parsed.error));
  tenant.delegatedGrants.set(ctx.params[1]!, new Set(parsed.data.scopes));
  return ok({ clientId: ctx.params[1], scopes: parsed.data.scopes });
}

export const contactsRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\.0\/me\/contacts$/, handler: listContacts },
  { method: 'GET', pattern: /^\/v1\.0\/users\/([^/]+)\/contacts$/, handler: listContacts },
  {
    method: 'PUT',
    pattern: /^\/_emulator\/tenants\/([^/]+)\/delegated-grants\/([^/]+)$/,
    handler: setDelegatedGrants,
  },
];
