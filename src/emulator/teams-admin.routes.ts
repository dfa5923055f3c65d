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
import type { EmFederation } from './telephony.state.js';
import type { EmUser, TenantState } from './tenant.state.js';

/** The Teams admin API lives under this prefix of the emulator (its own host at Microsoft). */
export const TEAMS_ADMIN_PREFIX = '/teams-admin';

function csUserJson(tenant: TenantState, user: EmUser) {
  const number = tenant.telephony.numbersOf(user.id).find((n) => n.assignmentCategory === 'primary');
  return {
    Identity: user.id,
    ObjectId: user.id,
    UserPrincipalName: user.userPrincipalName,
    DisplayName: user.displayName,
    AccountType: user.accountType === 'resourceAccount' ? 'ResourceAccount' : 'User',
    TeamsUpgradeEffectiveMode: tenant.effectiveMode(user),
    TeamsUpgradePolicy: user.coexistenceMode ? `Upgrade${user.coexistenceMode}` : null,
    EnterpriseVoiceEnabled: user.enterpriseVoice,
    LineUri: number ? `tel:${number.telephoneNumber}` : null,
    OnlineVoiceRoutingPolicy: user.voiceRoutingPolicy,
  };
}

function listCsUsers(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const saved = decodeToken<{ o: number; t: number }>(ctx.req.query.get('$skiptoken'));
  const top = saved?.t ?? Math.min(1000, Math.max(1, Number(ctx.req.query.get('$top') ?? 100)));
  const offset = saved?.o ?? 0;
  const users = tenant.userList();
  const body: Record<string, unknown> = {
    value: users.slice(offset, offset + top).map((u) => csUserJson(tenant, u)),
  };
  if (offset + top < users.length) {
    body['@odata.nextLink'] =
      `${ctx.req.baseUrl}${ctx.req.path}?$skiptoken=${encodeToken({ o: offset + top, t: top })}`;
  }
  return ok(body);
}

function getCsUser(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  return user
    ? ok(csUserJson(tenant, user))
    : graphError(404, 'NotFound', `Management object not found for identity "${ctx.params[0]}".`);
}

/** Federation JSON in the PowerShell-like shape, or the flat list shape other tools see (tenant setting). */
export function federationJson(federation: EmFederation, style: 'powershell' | 'flat') {
  const list =
    federation.allowedDomains === 'allKnown' ? null : federation.allowedDomains.map((d) => ({ Domain: d }));
  const allowed =
    style === 'flat' ? list : list === null ? { AllowAllKnownDomains: {} } : { AllowedDomain: list };
  return {
    Identity: 'Global',
    AllowFederatedUsers: federation.allowFederatedUsers,
    AllowedDomains: allowed,
    BlockedDomains:
      style === 'flat' ? federation.blockedDomains : federation.blockedDomains.map((d) => ({ Domain: d })),
    BlockAllSubdomains: federation.blockAllSubdomains,
    AllowTeamsConsumer: false,
    AllowPublicUsers: false,
  };
}

function getFederation(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  return ok(federationJson(tenant.telephony.federation, tenant.federationStyle));
}

function getUpgradePolicy(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  return ok({ Identity: 'Global', Mode: tenant.tenantCoexistenceMode, NotifySfbUsers: false });
}

function getPstnUsages(ctx: RouteContext): EmResponse {
  return ok({ Identity: 'Global', Usage: callerOf(ctx).tenant.telephony.pstnUsages });
}

function putPstnUsages(ctx: RouteContext): EmResponse {
  const usage = (ctx.req.body as { Usage?: unknown } | undefined)?.Usage;
  if (!Array.isArray(usage) || !usage.every((u) => typeof u === 'string'))
    return graphError(400, 'BadRequest', 'Usage must be a list of names.');
  callerOf(ctx).tenant.telephony.pstnUsages = [...new Set(usage)];
  return getPstnUsages(ctx);
}

function putVoiceRoute(ctx: RouteContext): EmResponse {
  const { telephony } = callerOf(ctx).tenant;
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  const usages = Array.isArray(body.OnlinePstnUsages) ? (body.OnlinePstnUsages as string[]) : [];
  const missing = usages.find((u) => !telephony.pstnUsages.includes(u));
  if (missing)
    return graphError(400, 'BadRequest', `PSTN usage "${missing}" is not in the list of global PSTN usages.`);
  // Carrier model: the route names the customer subdomain, which must be an active (verified) tenant domain.
  const gateways = Array.isArray(body.OnlinePstnGatewayList) ? (body.OnlinePstnGatewayList as string[]) : [];
  const { domains } = callerOf(ctx).tenant;
  const inactive = gateways.find((g) => domains.get(String(g).toLowerCase())?.isVerified !== true);
  if (inactive)
    return graphError(
      400,
      'BadRequest',
      `PSTN Gateway not ready yet: '${inactive}' is not an active domain of the tenant.`,
    );
  const route = { ...body, Identity: ctx.params[0]! };
  telephony.voiceRoutes.set(ctx.params[0]!, route);
  return ok(route);
}

function getVoiceRoute(ctx: RouteContext): EmResponse {
  const route = callerOf(ctx).tenant.telephony.voiceRoutes.get(ctx.params[0]!);
  return route ? ok(route) : notFound(ctx.params[0]!);
}

function putVoiceRoutingPolicy(ctx: RouteContext): EmResponse {
  const { telephony } = callerOf(ctx).tenant;
  const identity = ctx.params[0]!.replace(/^Tag:/, '');
  const usages = (ctx.req.body as { OnlinePstnUsages?: unknown } | undefined)?.OnlinePstnUsages;
  const list = Array.isArray(usages) ? usages.filter((u): u is string => typeof u === 'string') : [];
  const missing = list.find((u) => !telephony.pstnUsages.includes(u));
  if (missing)
    return graphError(400, 'BadRequest', `PSTN usage "${missing}" is not in the list of global PSTN usages.`);
  const policy = { Identity: identity === 'Global' ? 'Global' : `Tag:${identity}`, OnlinePstnUsages: list };
  telephony.voiceRoutingPolicies.set(identity, policy);
  return ok(policy);
}

function getVoiceRoutingPolicy(ctx: RouteContext): EmResponse {
  const policy = callerOf(ctx).tenant.telephony.voiceRoutingPolicies.get(ctx.params[0]!.replace(/^Tag:/, ''));
  return policy ? ok(policy) : notFound(ctx.params[0]!);
}

function grantUserPolicy(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  if (!user)
    return graphError(404, 'NotFound', `Management object not found for identity "${ctx.params[0]}".`);
  if (ctx.params[1] !== 'OnlineVoiceRoutingPolicy')
    return graphError(400, 'BadRequest', `Unsupported policy type ${ctx.params[1]}.`);
  const name = (ctx.req.body as { PolicyName?: unknown } | undefined)?.PolicyName;
  if (name !== null && (typeof name !== 'string' || !tenant.telephony.voiceRoutingPolicies.has(name))) {
    return graphError(
      404,
      'NotFound',
      `Policy "${typeof name === 'string' ? name : JSON.stringify(name)}" does not exist.`,
    );
  }
  user.voiceRoutingPolicy = name === 'Global' ? null : name;
  tenant.touchTeams(user);
  return { status: 204, text: '' };
}

const p = (path: string) => new RegExp(`^${TEAMS_ADMIN_PREFIX.replace('/', '\\/')}${path}$`);

export const teamsAdminRoutes: Route[] = [
  { method: 'GET', pattern: p('/Teams\\.User/users'), handler: listCsUsers },
  { method: 'GET', pattern: p('/Teams\\.User/users/([^/]+)'), handler: getCsUser },
  {
    method: 'GET',
    pattern: p('/Skype\\.Policy/configurations/TenantFederationSettings/configuration/global'),
    handler: getFederation,
  },
  {
    method: 'GET',
    pattern: p('/Skype\\.Policy/policies/TeamsUpgradePolicy/policy/Global'),
    handler: getUpgradePolicy,
  },
  {
    method: 'GET',
    pattern: p('/Skype\\.Policy/configurations/OnlinePstnUsages/configuration/global'),
    handler: getPstnUsages,
  },
  {
    method: 'PUT',
    pattern: p('/Skype\\.Policy/configurations/OnlinePstnUsages/configuration/global'),
    handler: putPstnUsages,
  },
  {
    method: 'GET',
    pattern: p('/Skype\\.Policy/configurations/OnlineVoiceRoute'),
    handler: (ctx) => ok({ value: [...callerOf(ctx).tenant.telephony.voiceRoutes.values()] }),
  },
  {
    method: 'GET',
    pattern: p('/Skype\\.Policy/configurations/OnlineVoiceRoute/configuration/([^/]+)'),
    handler: getVoiceRoute,
  },
  {
    method: 'PUT',
    pattern: p('/Skype\\.Policy/configurations/OnlineVoiceRoute/configuration/([^/]+)'),
    handler: putVoiceRoute,
  },
  {
    method: 'GET',
    pattern: p('/Skype\\.Policy/policies/OnlineVoiceRoutingPolicy'),
    handler: (ctx) => ok({ value: [...callerOf(ctx).tenant.telephony.voiceRoutingPolicies.values()] }),
  },
  {
    method: 'GET',
    pattern: p('/Skype\\.Policy/policies/OnlineVoiceRoutingPolicy/policy/([^/]+)'),
    handler: getVoiceRoutingPolicy,
  },
  {
    method: 'PUT',
    pattern: p('/Skype\\.Policy/policies/OnlineVoiceRoutingPolicy/policy/([^/]+)'),
    handler: putVoiceRoutingPolicy,
  },
  { method: 'PUT', pattern: p('/Skype\\.Policy/users/([^/]+)/policies/([^/]+)'), handler: grantUserPolicy },
];
