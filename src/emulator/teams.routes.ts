import { randomUUID } from 'node:crypto';
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
import { compileFilter, type Item } from './odata.query.js';
import { normaliseNumber, type EmNumber, type EmNumberType } from './telephony.state.js';
import type { EmUser, TenantState } from './tenant.state.js';

const numbersBase = '/beta/admin/teams/telephoneNumberManagement';

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
    modifiedDateTime: user.createdDateTime,
  };
}

function listUserConfigurations(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const state = pageStateOf(ctx, 100, 999);
  const predicate = compileFilter(state.f ?? null);
  const users = predicate
    ? tenant.userList().filter((u) => predicate(userConfigurationJson(tenant, u)))
    : tenant.userList();
  return pageOf(ctx, users, state, (u) => userConfigurationJson(tenant, u));
}

function getUserConfiguration(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  return user ? ok(userConfigurationJson(tenant, user)) : notFound(ctx.params[0]!);
}

function numberJson(tenant: TenantState, n: EmNumber): Item {
  const target = n.assignmentTargetId ? tenant.users.get(n.assignmentTargetId) : undefined;
  return {
    id: Buffer.from(`${tenant.id}|${n.telephoneNumber}`).toString('base64url'),
    telephoneNumber: n.telephoneNumber,
    operatorId: null,
    numberType: n.numberType,
    activationState: 'activated',
    capabilities:
      n.numberType === 'directRouting'
        ? ['userAssignment']
        : ['userAssignment', 'voiceApplicationAssignment'],
    locationId: null,
    civicAddressId: null,
    networkSiteId: null,
    assignmentTargetId: n.assignmentTargetId,
    assignmentCategory: n.assignmentCategory,
    portInStatus: null,
    assignmentStatus: !target
      ? 'unassigned'
      : target.accountType === 'resourceAccount'
        ? 'voiceApplicationAssigned'
        : 'userAssigned',
    isoCountryCode: n.isoCountryCode,
    city: n.city,
    numberSource: n.numberType === 'directRouting' ? 'onPremises' : 'online',
    supportedCustomerActions: ['locationUpdate'],
    reverseNumberLookupOptions: [],
  };
}

/** Inventory: `$top` (default 500, max 1,000) and `$skip`, no nextLink, as documented. */
function listNumberAssignments(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const { query } = ctx.req;
  const top = Number(query.get('$top') ?? query.get('$Top') ?? 500);
  const skip = Number(query.get('$skip') ?? query.get('$Skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || top > 1000)
    return graphError(400, 'BadRequest', 'The $top value must be between 1 and 1000.');
  const predicate = compileFilter(query.get('$filter'));
  const all = [...tenant.telephony.numbers.values()].map((n) => numberJson(tenant, n));
  const matching = predicate ? all.filter(predicate) : all;
  return ok({
    '@odata.context': `${ctx.req.baseUrl}/beta/$metadata#admin/teams/telephoneNumberManagement/numberAssignments`,
    value: matching.slice(skip, skip + top),
  });
}

function numberRequest(ctx: RouteContext, needsTarget: boolean) {
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  const { telephoneNumber, assignmentTargetId, numberType } = body;
  if (
    typeof telephoneNumber !== 'string' ||
    typeof numberType !== 'string' ||
    (needsTarget && typeof assignmentTargetId !== 'string')
  ) {
    return graphError(
      400,
      'BadRequest',
      'telephoneNumber, numberType' + (needsTarget ? ' and assignmentTargetId are' : ' are') + ' required.',
    );
  }
  if (!['directRouting', 'callingPlan', 'operatorConnect'].includes(numberType)) {
    return graphError(400, 'BadRequest', `Invalid numberType '${numberType}'.`);
  }
  const category = typeof body.assignmentCategory === 'string' ? body.assignmentCategory : 'primary';
  return {
    telephoneNumber: normaliseNumber(telephoneNumber),
    numberType: numberType as EmNumberType,
    targetId: needsTarget ? (assignmentTargetId as string) : null,
    category: category as 'primary',
  };
}

function startNumberOperation(ctx: RouteContext, kind: 'assign' | 'unassign'): EmResponse {
  const { tenant } = callerOf(ctx);
  const request = numberRequest(ctx, kind === 'assign');
  if ('status' in request) return request;
  const operation = tenant.telephony.startOperation({ kind, ...request });
  return {
    status: 202,
    headers: { location: `${ctx.req.baseUrl}${numbersBase}/operations('${operation.id}')` },
    text: '',
  };
}

/** The documented shape wraps the operation in `value`. */
function getOperation(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const operation = tenant.telephony.operations.get(ctx.params[0] || ctx.params[1] || '');
  if (!operation) return notFound(ctx.params[0] || ctx.params[1] || '');
  tenant.telephony.settle(operation);
  const number = tenant.telephony.numbers.get(operation.telephoneNumber);
  return ok({
    value: {
      '@odata.type': '#microsoft.graph.teamsAdministration.telephoneNumberLongRunningOperation',
      id: operation.id,
      createdDateTime: new Date(operation.createdAt).toISOString().slice(0, 19) + 'Z',
      status: operation.status,
      numbers: [
        {
          telephoneNumber: operation.telephoneNumber,
          resourceLocation: number
            ? `${ctx.req.baseUrl}${numbersBase}/numberAssignments/${String(numberJson(tenant, number).id)}`
            : null,
          status: operation.status,
          statusDetail: operation.statusDetail,
        },
      ],
    },
  });
}

function updateNumber(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const raw = (ctx.req.body as { telephoneNumber?: unknown } | undefined)?.telephoneNumber;
  const number = typeof raw === 'string' ? tenant.telephony.numbers.get(normaliseNumber(raw)) : undefined;
  return number
    ? ok(numberJson(tenant, number))
    : graphError(
        404,
        'NotFound',
        `Telephone Number '${String(raw)}' is not found from tenant '${tenant.id}'`,
      );
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
      tenant.touch(user);
    }
  }
  return { status: 204, text: '' };
}

function listInstalledApps(ctx: RouteContext): EmResponse {
  const { tenant } = callerOf(ctx);
  const user = tenant.findUser(ctx.params[0]!);
  if (!user) return notFound(ctx.params[0]!);
  const expand = /teamsApp/i.test(ctx.req.query.get('$expand') ?? '');
  return ok({
    value: user.installedApps.map((a) => ({
      id: a.installationId,
      ...(expand
        ? {
            teamsApp: {
              id: a.teamsAppId,
              externalId: null,
              displayName: 'Teams app',
              distributionMethod: 'organization',
            },
          }
        : {}),
    })),
  });
}

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
  user.installedApps.push({ installationId: randomUUID(), teamsAppId: appId });
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
    pattern: /^\/beta\/admin\/teams\/telephoneNumberManagement\/numberAssignments$/,
    handler: listNumberAssignments,
  },
  {
    method: 'POST',
    pattern: /^\/beta\/admin\/teams\/telephoneNumberManagement\/numberAssignments\/assignNumber$/,
    handler: (ctx) => startNumberOperation(ctx, 'assign'),
  },
  {
    method: 'POST',
    pattern: /^\/beta\/admin\/teams\/telephoneNumberManagement\/numberAssignments\/unassignNumber$/,
    handler: (ctx) => startNumberOperation(ctx, 'unassign'),
  },
  {
    method: 'POST',
    pattern: /^\/beta\/admin\/teams\/telephoneNumberManagement\/numberAssignments\/updateNumber$/,
    handler: updateNumber,
  },
  {
    method: 'GET',
    pattern: /^\/beta\/admin\/teams\/telephoneNumberManagement\/operations(?:\('([^']+)'\)|\/([^/]+))$/,
    handler: getOperation,
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
