import {
  callerOf,
  decodeToken,
  encodeToken,
  graphError,
  notFound,
  ok,
  type EmResponse,
  type Route,
  type RouteContext,
} from './emulator.http.js';
import { compileFilter, project, selectOf, topOf, type Item } from './odata.query.js';
import type { EmUser, TenantState } from './tenant.state.js';

const defaultUserProperties = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

/** A user as Graph returns it: the default 11 properties unless `$select` asks for others. */
export function userJson(user: EmUser, select: readonly string[] | undefined): Item {
  const [givenName, ...rest] = user.displayName.split(' ');
  const full: Item = {
    businessPhones: [],
    displayName: user.displayName,
    givenName: givenName ?? null,
    jobTitle: null,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: rest.join(' ') || null,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    accountEnabled: user.accountEnabled,
    usageLocation: user.usageLocation,
    assignedLicenses: user.assignedLicenses,
    createdDateTime: user.createdDateTime,
    userType: user.accountType === 'guest' ? 'Guest' : 'Member',
  };
  return project(full, select ?? defaultUserProperties);
}

interface PageState {
  o: number;
  t: number;
  s?: string[] | undefined;
  f?: string | null;
  c?: boolean;
}

/** Slice a list into a page with an @odata.nextLink that carries the paging state. */
export function pageOf<T>(
  ctx: RouteContext,
  items: readonly T[],
  state: PageState,
  toJson: (item: T) => Item,
  extra: Item = {},
): EmResponse {
  const page = items.slice(state.o, state.o + state.t).map(toJson);
  const body: Item = {
    '@odata.context': `${ctx.req.baseUrl}${ctx.req.path.split('/').slice(0, 2).join('/')}/$metadata`,
    ...extra,
  };
  if (state.o + state.t < items.length) {
    body['@odata.nextLink'] =
      `${ctx.req.baseUrl}${ctx.req.path}?$skiptoken=${encodeToken({ ...state, o: state.o + state.t })}`;
  }
  body.value = page;
  return ok(body);
}

/** Read `$skiptoken` state or start one from the query. */
export function pageStateOf(ctx: RouteContext, defaultTop: number, maxTop: number): PageState {
  const saved = decodeToken<PageState>(ctx.req.query.get('$skiptoken'));
  if (saved) return saved;
  const { query } = ctx.req;
  return {
    o: 0,
    t: topOf(query, defaultTop, maxTop),
    s: selectOf(query),
    f: query.get('$filter'),
    c: query.get('$count') === 'true',
  };
}

const filterableProperties = [
  ...defaultUserProperties,
  'accountEnabled',
  'usageLocation',
  'assignedLicenses',
  'userType',
];

function filtered(users: readonly EmUser[], state: PageState): EmUser[] {
  const predicate = compileFilter(state.f ?? null);
  if (!predicate) return users as EmUser[];
  return users.filter((u) => predicate(userJson(u, filterableProperties)));
}

function listUsers(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const state = pageStateOf(ctx, 100, 999);
  const users = filtered(tenant.userList(), state);
  const extra = state.c ? { '@odata.count': users.length } : {};
  return pageOf(ctx, users, state, (u) => userJson(u, state.s), extra);
}

function getUser(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  return user ? ok(userJson(user, selectOf(ctx.req.query))) : notFound(ctx.params[0]!);
}

function transitiveMembers(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const group = tenant.groups.get(ctx.params[0]!);
  if (!group) return notFound(ctx.params[0]!);
  const state = pageStateOf(ctx, 100, 999);
  if (state.c && ctx.req.headers.consistencylevel?.toLowerCase() !== 'eventual') {
    return graphError(
      400,
      'Request_BadRequest',
      "$count is only supported with the 'ConsistencyLevel: eventual' header.",
    );
  }
  const users = tenant.transitiveUserIds(group.id).flatMap((id) => tenant.users.get(id) ?? []);
  const matching = filtered(users, state);
  const extra = state.c ? { '@odata.count': matching.length } : {};
  return pageOf(
    ctx,
    matching,
    state,
    (u) => ({ '@odata.type': '#microsoft.graph.user', ...userJson(u, state.s) }),
    extra,
  );
}

function subscribedSkus(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const consumed = tenant.consumedUnits();
  return ok({
    '@odata.context': `${ctx.req.baseUrl}/v1.0/$metadata#subscribedSkus`,
    value: tenant.skus.map((sku) => ({
      accountName: tenant.displayName,
      accountId: tenant.id,
      appliesTo: 'User',
      capabilityStatus: 'Enabled',
      consumedUnits: consumed.get(sku.skuId) ?? 0,
      id: `${tenant.id}_${sku.skuId}`,
      prepaidUnits: { enabled: sku.prepaidUnits, lockedOut: 0, suspended: 0, warning: 0 },
      servicePlans: sku.servicePlans.map((p) => ({ ...p, provisioningStatus: 'Success', appliesTo: 'User' })),
      skuId: sku.skuId,
      skuPartNumber: sku.skuPartNumber,
      subscriptionIds: [],
    })),
  });
}

function domainJson(tenant: TenantState, id: string): Item | undefined {
  const domain = tenant.domains.get(id.toLowerCase());
  if (!domain) return undefined;
  return {
    id: domain.id,
    isVerified: domain.isVerified,
    isDefault: domain.id === tenant.domain,
    supportedServices: domain.isVerified ? ['Email'] : [],
  };
}

function getDomain(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const json = domainJson(tenant, ctx.params[0]!);
  return json ? ok(json) : notFound(ctx.params[0]!);
}

function createDomain(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const id = (ctx.req.body as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || !id.includes('.'))
    return graphError(400, 'Request_BadRequest', 'Invalid domain name.');
  if (tenant.domains.has(id.toLowerCase())) {
    return graphError(
      409,
      'Request_BadRequest',
      `Another object with the same value for property id already exists.`,
    );
  }
  tenant.domains.set(id.toLowerCase(), { id, isVerified: false, createdAt: Date.now() });
  return ok(domainJson(tenant, id), 201);
}

function verifyDomain(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const domain = tenant.domains.get(ctx.params[0]!.toLowerCase());
  if (!domain) return notFound(ctx.params[0]!);
  if (Date.now() < (domain.createdAt ?? 0) + tenant.domainReadyDelayMs) {
    return graphError(
      400,
      'Request_BadRequest',
      `Domain verification failed for '${domain.id}': the DNS record is not visible yet. Try again later.`,
    );
  }
  domain.isVerified = true;
  return ok(domainJson(tenant, domain.id));
}

export const directoryRoutes: Route[] = [
  { method: 'GET', pattern: /^\/(?:v1\.0|beta)\/users$/, handler: listUsers },
  { method: 'GET', pattern: /^\/(?:v1\.0|beta)\/subscribedSkus$/, handler: subscribedSkus },
  {
    method: 'GET',
    pattern: /^\/(?:v1\.0|beta)\/groups\/([^/]+)\/transitiveMembers(?:\/microsoft\.graph\.user)?$/,
    handler: transitiveMembers,
  },
  { method: 'GET', pattern: /^\/(?:v1\.0|beta)\/domains\/([^/]+)$/, handler: getDomain },
  { method: 'POST', pattern: /^\/(?:v1\.0|beta)\/domains$/, handler: createDomain },
  { method: 'POST', pattern: /^\/(?:v1\.0|beta)\/domains\/([^/]+)\/verify$/, handler: verifyDomain },
  { method: 'GET', pattern: /^\/(?:v1\.0|beta)\/users\/([^/]+)$/, handler: getUser },
];
