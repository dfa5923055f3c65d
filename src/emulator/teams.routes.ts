import {
  callerOf,
  graphError,
  notFound,
  ok,
  type EmResponse,
  type Route,
  type RouteContext,
} from './emulator.http.js';
import { pageOf, pageStateOf } from './directory.routes.js';
import { DEMO_PHONE_APP_TEAMS_APP_ID } from './demo-tenant.seed.js';
import { compileFilter, ODataError, type Item } from './odata.query.js';
import type { EmUser, TenantState } from './tenant.state.js';

/** A user's Teams configuration (`teamsUserConfiguration`). */
export function userConfigurationJson(tenant: TenantState, user: EmUser): Item {
  const plans = tenant.plansOf(user);
  const featureTypes = [
    ...(plans.teams ? ['Teams'] : []),
    ...(plans.teamsPhone ? ['PhoneSystem'] : []),
    ...(plans.callingPlan ? ['CallingPlan'] : []),
    ...(plans.audioConferencing ? ['AudioConferencing'] : []),
    ...(user.accountType === 'resourceAccount' ? ['VoiceApp'] : []),
  ];
  const policies = user.voiceRoutingPolicy
    ? [
        {
          policyType: 'OnlineVoiceRoutingPolicy',
          policyAssignment: {
            displayName: user.voiceRoutingPolicy,
            assignmentType: 'direct',
            policyId: policyIdOf('OnlineVoiceRoutingPolicy', user.voiceRoutingPolicy),
          },
        },
      ]
    : [];
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    tenantId: tenant.id,
    effectivePolicyAssignments: policies,
    telephoneNumbers: tenant.telephony
      .numbersOf(user.id)
      .map((n) => ({ telephoneNumber: n.telephoneNumber, assignmentCategory: n.assignmentCategory })),
    isEnterpriseVoiceEnabled: user.enterpriseVoice,
    featureTypes,
    accountType: user.accountType,
    createdDateTime: user.createdDateTime,
    modifiedDateTime: new Date(user.teamsModifiedAt).toISOString(),
  };
}

function listUserConfigurations(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const state = pageStateOf(ctx, 100, 999);
  // Microsoft indexes the modification time; without this shortcut every page would build every configuration.
  const since = /modifiedDateTime ge (\S+)/i.exec(state.f ?? '')?.[1];
  const candidates = since
    ? tenant.userList().filter((u) => u.teamsModifiedAt >= Date.parse(since))
    : tenant.userList();
  const predicate = compileFilter(state.f ?? null);
  const users = predicate
    ? candidates.filter((u) => predicate(userConfigurationJson(tenant, u)))
    : candidates;
  return pageOf(ctx, users, state, (u) => userConfigurationJson(tenant, u));
}

function getUserConfiguration(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  return user ? ok(userConfigurationJson(tenant, user)) : notFound(ctx.params[0]!);
}

export function policyIdOf(type: string, name: string): string {
  return Buffer.from(`${type}|${name}`).toString('base64url');
}

function getPolicyId(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const [type, name] = [ctx.params[0]!, ctx.params[1]!.replace(/''/g, "'")];
  if (type.toLowerCase() === 'onlinevoiceroutingpolicy' && !tenant.graphVoicePolicyAssignment) {
    return graphError(400, 'BadRequest', `Policy type '${type}' is not supported.`);
  }
  const exists =
    type.toLowerCase() !== 'onlinevoiceroutingpolicy' ||
    tenant.telephony.voiceRoutingPolicies.has(name.replace(/^Tag:/, ''));
  if (!exists) return notFound(`${type}/${name}`);
  return ok({
    value: [
      {
        '@odata.type': '#microsoft.graph.teamsAdministration.policyIdentifierDetail',
        name: `Tag:${name}`,
        policyId: policyIdOf(type, name),
      },
    ],
  });
}

function assignPolicies(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const value = (ctx.req.body as { value?: unknown } | undefined)?.value;
  if (!Array.isArray(value)) return graphError(400, 'BadRequest', 'value is required.');
  for (const entry of value as { userId?: string; policyType?: string; policyId?: string }[]) {
    const user = tenant.findUser(entry.userId ?? '');
    if (!user) return notFound(entry.userId ?? '');
    const [type, name] = Buffer.from(entry.policyId ?? '', 'base64url')
      .toString('utf8')
      .split('|');
    if (type?.toLowerCase() === 'onlinevoiceroutingpolicy' && name) {
      user.voiceRoutingPolicy = name === 'Global' ? null : name;
      tenant.touchTeams(user);
    }
  }
  return { status: 204, text: '' };
}

/** A `userScopeTeamsAppInstallation` with its `teamsApp` (Microsoft's shape; `$expand=teamsApp` keeps it). */
function installationJson(installation: { installationId: string; teamsAppId: string }): Item {
  return {
    id: installation.installationId,
    teamsApp: {
      id: installation.teamsAppId,
      externalId: null,
      displayName:
        installation.teamsAppId === DEMO_PHONE_APP_TEAMS_APP_ID ? 'Callbridge Phone App' : 'Teams app',
      distributionMethod: 'organization',
    },
  };
}

/** `GET /users/{id}/teamwork/installedApps`, with `$filter` (e.g. `teamsApp/id eq '...'`) and `$expand=teamsApp`. */
function listInstalledApps(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  if (!user) return notFound(ctx.params[0]!);
  const expand = /teamsApp(?!Definition)/i.test(ctx.req.query.get('$expand') ?? '');
  let filter: ReturnType<typeof compileFilter>;
  try {
    filter = compileFilter(ctx.req.query.get('$filter'));
  } catch (error) {
    if (error instanceof ODataError) return graphError(400, 'BadRequest', error.message);
    throw error;
  }
  const items = user.installedApps.map(installationJson).filter((item) => !filter || filter(item));
  return ok({ value: items.map((item) => (expand ? item : { id: item.id })) });
}

/**
 * `POST /users/{id}/teamwork/installedApps`: 201 with no body; 409 when the app is already installed for the user.
 * Installation ids are Microsoft-like (base64 of user and app ids), so one user holds an app at most once.
 */
function installApp(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  if (!user) return notFound(ctx.params[0]!);
  const bind = (ctx.req.body as Record<string, unknown> | undefined)?.['teamsApp@odata.bind'];
  const appId = typeof bind === 'string' ? /teamsApps\/([^/'()]+)/.exec(bind)?.[1] : undefined;
  if (!appId) return graphError(400, 'BadRequest', 'teamsApp@odata.bind is required.');
  if (user.installedApps.some((a) => a.teamsAppId === appId)) {
    return graphError(409, 'Conflict', 'App is already installed.');
  }
  const installationId = Buffer.from(`${user.id}##${appId}`).toString('base64url');
  user.installedApps.push({ installationId, teamsAppId: appId });
  return { status: 201, text: '' };
}

function uninstallApp(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  const index = user?.installedApps.findIndex((a) => a.installationId === ctx.params[1]) ?? -1;
  if (!user || index < 0) return notFound(ctx.params[1]!);
  user.installedApps.splice(index, 1);
  return { status: 204, text: '' };
}

export const teamsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/(?:v1\.0|beta)\/admin\/teams\/userConfigurations$/,
    handler: listUserConfigurations,
  },
  {
    method: 'GET',
    pattern: /^\/(?:v1\.0|beta)\/admin\/teams\/userConfigurations\/([^/]+)$/,
    handler: getUserConfiguration,
  },
  {
    method: 'GET',
    pattern: /^\/beta\/admin\/teams\/policy\/getPolicyId\(type='([^']+)',name='((?:[^']|'')+)'\)$/,
    handler: getPolicyId,
  },
  {
    method: 'POST',
    pattern: /^\/beta\/admin\/teams\/policy\/userAssignments\/assign$/,
    handler: assignPolicies,
  },
  {
    method: 'GET',
    pattern: /^\/(?:v1\.0|beta)\/users\/([^/]+)\/teamwork\/installedApps$/,
    handler: listInstalledApps,
  },
  {
    method: 'POST',
    pattern: /^\/(?:v1\.0|beta)\/users\/([^/]+)\/teamwork\/installedApps$/,
    handler: installApp,
  },
  {
    method: 'DELETE',
    pattern: /^\/(?:v1\.0|beta)\/users\/([^/]+)\/teamwork\/installedApps\/([^/]+)$/,
    handler: uninstallApp,
  },
];
