import type { EmulatorState } from './emulator.state.js';
import type { SeedFileInput, SeedTenantInput, SeedUserInput } from './seed.schema.js';
import type { TenantState } from './tenant.state.js';

function tenantSnapshot(tenant: TenantState): SeedTenantInput {
  const users: SeedUserInput[] = [...tenant.users.values()].map((user) => {
    const primary = tenant.telephony.numbersOf(user.id).find((n) => n.assignmentCategory === 'primary');
    return {
      id: user.id,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName,
      mail: user.mail,
      accountEnabled: user.accountEnabled,
      usageLocation: user.usageLocation,
      licences: user.assignedLicenses.map((l) =>
        l.disabledPlans.length ? { sku: l.skuId, disabledPlans: l.disabledPlans } : l.skuId,
      ),
      accountType: user.accountType,
      coexistenceMode: user.coexistenceMode,
      enterpriseVoice: user.enterpriseVoice,
      phoneNumber: primary?.telephoneNumber ?? null,
      numberType: primary?.numberType ?? 'directRouting',
      voiceRoutingPolicy: user.voiceRoutingPolicy,
      directoryRoles: user.directoryRoles,
    };
  });
  const free = [...tenant.telephony.numbers.values()].filter((n) => !n.assignmentTargetId);
  return {
    id: tenant.id,
    domain: tenant.domain,
    displayName: tenant.displayName,
    consentedApps: [...tenant.consentedApps],
    skus: tenant.skus,
    users,
    groups: [...tenant.groups.values()].map((g) => ({
      id: g.id,
      displayName: g.displayName,
      members: [...g.members],
    })),
    numbers: free.map((n) => ({
      telephoneNumber: n.telephoneNumber,
      numberType: n.numberType,
      isoCountryCode: n.isoCountryCode,
      city: n.city,
    })),
    tenantCoexistenceMode: tenant.tenantCoexistenceMode,
    federation: tenant.telephony.federation,
    domains: [...tenant.domains.values()],
    pstnUsages: tenant.telephony.pstnUsages,
    voiceRoutingPolicies: [...tenant.telephony.voiceRoutingPolicies.values()]
      .filter((p) => p.Identity !== 'Global')
      .map((p) => ({ identity: p.Identity.replace(/^Tag:/, ''), onlinePstnUsages: p.OnlinePstnUsages })),
    voiceRoutes: [...tenant.telephony.voiceRoutes.values()].map((r) => ({
      identity: String(r.Identity),
      numberPattern: typeof r.NumberPattern === 'string' ? r.NumberPattern : '.*',
      onlinePstnGatewayList: Array.isArray(r.OnlinePstnGatewayList)
        ? (r.OnlinePstnGatewayList as string[])
        : [],
      onlinePstnUsages: Array.isArray(r.OnlinePstnUsages) ? (r.OnlinePstnUsages as string[]) : [],
      priority: typeof r.Priority === 'number' ? r.Priority : 1,
    })),
  };
}

/** The emulator's state in seed format, so `--seed` of a persisted file continues where it stopped. */
export function snapshotOf(state: EmulatorState): SeedFileInput {
  return { apps: [...state.apps.values()], tenants: [...state.tenants.values()].map(tenantSnapshot) };
}
