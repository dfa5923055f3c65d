import { z } from 'zod';
import { graphError, ok, type EmResponse, type Route, type RouteContext } from './emulator.http.js';
import { FaultState, faultConfigSchema } from './fault.injector.js';
import { seedUserSchema } from './seed.schema.js';
import type { TenantState } from './tenant.state.js';

const modeSchema = seedUserSchema.shape.coexistenceMode.unwrap().unwrap();

/** What a Teams administrator may change on a user in the admin centre. */
const userPatchSchema = z.object({
  displayName: z.string().optional(),
  accountEnabled: z.boolean().optional(),
  usageLocation: z.string().nullable().optional(),
  licences: seedUserSchema.shape.licences.unwrap().optional(),
  coexistenceMode: modeSchema.nullable().optional(),
  enterpriseVoice: z.boolean().optional(),
  phoneNumber: z.string().nullable().optional(),
  numberType: z.enum(['directRouting', 'callingPlan', 'operatorConnect']).optional(),
  voiceRoutingPolicy: z.string().nullable().optional(),
});

const settingsSchema = z.object({
  tenantCoexistenceMode: modeSchema.optional(),
  consentBehaviour: z.enum(['grant', 'deny']).optional(),
  graphVoicePolicyAssignment: z.boolean().optional(),
  deltaDuplicates: z.boolean().optional(),
  deltaTokenTtlMs: z.number().int().positive().optional(),
  federationStyle: z.enum(['powershell', 'flat']).optional(),
  domainReadyDelayMs: z.number().int().min(0).optional(),
});

const federationSchema = z.object({
  allowFederatedUsers: z.boolean(),
  allowedDomains: z.union([z.literal('allKnown'), z.array(z.string())]),
  blockedDomains: z.array(z.string()).default([]),
  blockAllSubdomains: z.boolean().default(false),
});

function tenantOf(ctx: RouteContext): TenantState | EmResponse {
  return (
    ctx.emulator.tenant(ctx.params[0]!) ??
    graphError(404, 'NotFound', `No tenant '${ctx.params[0]}' in the emulator.`)
  );
}

function withTenant(handler: (ctx: RouteContext, tenant: TenantState) => EmResponse) {
  return (ctx: RouteContext): EmResponse => {
    const tenant = tenantOf(ctx);
    if ('status' in tenant) return tenant;
    try {
      return handler(ctx, tenant);
    } catch (error) {
      const message =
        error instanceof z.ZodError
          ? z.prettifyError(error)
          : error instanceof Error
            ? error.message
            : 'invalid';
      return graphError(400, 'BadRequest', message);
    }
  };
}

export function tenantSummary(tenant: TenantState) {
  return {
    id: tenant.id,
    domain: tenant.domain,
    displayName: tenant.displayName,
    users: tenant.users.size,
    groups: tenant.groups.size,
    numbers: tenant.telephony.numbers.size,
    tenantCoexistenceMode: tenant.tenantCoexistenceMode,
    federation: tenant.telephony.federation,
    faults: tenant.faults ? { config: tenant.faults.config, injected: tenant.faults.injected } : null,
  };
}

function patchUser(ctx: RouteContext, tenant: TenantState): EmResponse {
  const user = tenant.findUser(ctx.params[1]!);
  if (!user) return graphError(404, 'NotFound', `No user '${ctx.params[1]}'.`);
  const patch = userPatchSchema.parse(ctx.req.body);
  if (patch.displayName !== undefined) user.displayName = patch.displayName;
  if (patch.accountEnabled !== undefined) user.accountEnabled = patch.accountEnabled;
  if (patch.usageLocation !== undefined) user.usageLocation = patch.usageLocation;
  if (patch.licences !== undefined) user.assignedLicenses = tenant.licencesOf(patch.licences);
  if (patch.coexistenceMode !== undefined) user.coexistenceMode = patch.coexistenceMode;
  if (patch.enterpriseVoice !== undefined) user.enterpriseVoice = patch.enterpriseVoice;
  if (patch.voiceRoutingPolicy !== undefined) user.voiceRoutingPolicy = patch.voiceRoutingPolicy;
  if (patch.phoneNumber === null) tenant.telephony.releaseAll(user.id);
  if (patch.phoneNumber)
    tenant.telephony.bind(patch.phoneNumber, patch.numberType ?? 'directRouting', user.id);
  // The admin field and the Graph properties it changes (a display name also renames given name and surname).
  const directory = {
    displayName: ['displayName', 'givenName', 'surname'],
    accountEnabled: ['accountEnabled'],
    usageLocation: ['usageLocation'],
    licences: ['assignedLicenses'],
  } as const;
  const changed = (Object.keys(directory) as (keyof typeof directory)[]).filter(
    (f) => patch[f] !== undefined,
  );
  if (changed.length > 0)
    tenant.touch(
      user,
      changed.flatMap((field) => directory[field]),
    );
  const teams = ['coexistenceMode', 'enterpriseVoice', 'voiceRoutingPolicy', 'phoneNumber'] as const;
  if (teams.some((field) => patch[field] !== undefined)) tenant.touchTeams(user);
  return ok({ id: user.id });
}

function patchSettings(ctx: RouteContext, tenant: TenantState): EmResponse {
  const settings = settingsSchema.parse(ctx.req.body);
  if (settings.tenantCoexistenceMode) {
    tenant.tenantCoexistenceMode = settings.tenantCoexistenceMode;
    // The effective mode of users following the tenant changes: delta readers see them again.
    for (const user of tenant.users.values()) if (!user.coexistenceMode) tenant.touchTeams(user);
  }
  if (settings.consentBehaviour) tenant.consentBehaviour = settings.consentBehaviour;
  if (settings.graphVoicePolicyAssignment !== undefined)
    tenant.graphVoicePolicyAssignment = settings.graphVoicePolicyAssignment;
  if (settings.deltaDuplicates !== undefined) tenant.deltaDuplicates = settings.deltaDuplicates;
  if (settings.deltaTokenTtlMs !== undefined) tenant.deltaTokenTtlMs = settings.deltaTokenTtlMs;
  if (settings.federationStyle) tenant.federationStyle = settings.federationStyle;
  if (settings.domainReadyDelayMs !== undefined) tenant.domainReadyDelayMs = settings.domainReadyDelayMs;
  return ok(tenantSummary(tenant));
}

function groupMembers(ctx: RouteContext, tenant: TenantState): EmResponse {
  const group = tenant.groups.get(ctx.params[1]!);
  if (!group) return graphError(404, 'NotFound', `No group '${ctx.params[1]}'.`);
  const change = z
    .object({ add: z.array(z.string()).default([]), remove: z.array(z.string()).default([]) })
    .parse(ctx.req.body);
  for (const id of change.add) group.members.add(id);
  for (const id of change.remove) group.members.delete(id);
  return ok({ id: group.id, members: [...group.members] });
}

function setFaults(ctx: RouteContext, tenant: TenantState): EmResponse {
  const config = faultConfigSchema.parse(ctx.req.body ?? {});
  tenant.faults = new FaultState(config);
  tenant.telephony.operationDelayMs = config.operationDelayMs;
  tenant.telephony.operationFailure = config.operationFailure;
  return ok(tenantSummary(tenant));
}

/** Every Teams app installed in users' personal scope (optionally one app), for tests and the demo. */
function installedApps(ctx: RouteContext, tenant: TenantState): EmResponse {
  const appId = ctx.req.query.get('teamsAppId');
  const value = [...tenant.users.values()].flatMap((user) =>
    user.installedApps
      .filter((a) => !appId || a.teamsAppId === appId)
      .map((a) => ({
        userId: user.id,
        userPrincipalName: user.userPrincipalName,
        installationId: a.installationId,
        teamsAppId: a.teamsAppId,
      })),
  );
  return ok({ value });
}

const t = (rest: string) => new RegExp(`^\\/_emulator\\/tenants\\/([^/]+)${rest}$`);

/** `/_emulator/...`: change a tenant "as an administrator in the Teams admin centre would", and set faults. */
export const adminRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/_emulator\/tenants$/,
    handler: (ctx) => ok({ value: [...ctx.emulator.tenants.values()].map(tenantSummary) }),
  },
  { method: 'GET', pattern: t(''), handler: withTenant((_ctx, tenant) => ok(tenantSummary(tenant))) },
  // Token and discovery requests counted since the last reset: how often clients came for tokens.
  {
    method: 'GET',
    pattern: /^\/_emulator\/auth-requests$/,
    handler: (ctx) => ok(ctx.emulator.authRequests),
  },
  {
    method: 'DELETE',
    pattern: /^\/_emulator\/auth-requests$/,
    handler: (ctx) => ((ctx.emulator.authRequests = { tokens: {}, discovery: 0 }), { status: 204, text: '' }),
  },
  {
    method: 'POST',
    pattern: t('/users'),
    handler: withTenant((ctx, tenant) =>
      ok({ id: tenant.addUser(seedUserSchema.parse(ctx.req.body)).id }, 201),
    ),
  },
  { method: 'PATCH', pattern: t('/users/([^/]+)'), handler: withTenant(patchUser) },
  {
    method: 'DELETE',
    pattern: t('/users/([^/]+)'),
    handler: withTenant((ctx, tenant) => {
      const reason = ctx.req.query.get('permanent') === 'true' ? 'deleted' : 'changed';
      return tenant.removeUser(ctx.params[1]!, reason)
        ? { status: 204, text: '' }
        : graphError(404, 'NotFound', 'No such user.');
    }),
  },
  { method: 'PATCH', pattern: t('/settings'), handler: withTenant(patchSettings) },
  {
    method: 'PUT',
    pattern: t('/federation'),
    handler: withTenant((ctx, tenant) =>
      ok((tenant.telephony.federation = federationSchema.parse(ctx.req.body))),
    ),
  },
  { method: 'POST', pattern: t('/groups/([^/]+)/members'), handler: withTenant(groupMembers) },
  { method: 'GET', pattern: t('/installed-apps'), handler: withTenant(installedApps) },
  { method: 'PUT', pattern: t('/faults'), handler: withTenant(setFaults) },
  {
    method: 'DELETE',
    pattern: t('/faults'),
    handler: withTenant((ctx, tenant) => setFaults({ ...ctx, req: { ...ctx.req, body: {} } }, tenant)),
  },
  {
    method: 'POST',
    pattern: t('/delta/reset'),
    handler: withTenant((_ctx, tenant) => {
      tenant.deltaResetSequence = tenant.nextSequence();
      return { status: 204, text: '' };
    }),
  },
];
