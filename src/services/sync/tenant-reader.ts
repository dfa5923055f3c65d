import type { TenantUserSnapshot } from '../../domain/sync/sync-plan.js';
import type { TeamsSettings } from '../../domain/records.js';
import {
  indexSkus,
  licenceFlagsOf,
  type MicrosoftTenantClient,
  type SkuIndex,
  type TeamsUserConfiguration,
  type TenantUser,
} from '../../microsoft/index.js';

/** What a sync takes from a user's Teams configuration. */
export interface TeamsSide {
  resource: boolean;
  guest: boolean;
  line: string | null;
}

/** The Teams side of a configuration: account type and primary line. */
export function teamsSideOf(config: TeamsUserConfiguration): TeamsSide {
  const primary =
    config.telephoneNumbers.find(
      (n) => n.assignmentCategory === 'primary' || n.assignmentCategory === null,
    ) ?? config.telephoneNumbers[0];
  return {
    resource: config.accountType === 'resourceAccount',
    guest: config.accountType === 'guest',
    line: primary?.telephoneNumber ?? null,
  };
}

/** A directory user joined with licences, Teams side and coexistence mode, as the plan compares it. */
export function tenantSnapshotOf(
  user: TenantUser,
  skus: SkuIndex,
  teams: TeamsSide | undefined,
  coexistenceMode: string | null,
): TenantUserSnapshot {
  const flags = licenceFlagsOf(user, skus);
  const email = (user.mail ?? user.userPrincipalName ?? user.id).toLowerCase();
  return {
    objectId: user.id,
    upn: user.userPrincipalName,
    email,
    displayName: user.displayName ?? email,
    enabled: user.accountEnabled !== false,
    usageLocation: user.usageLocation,
    kind: teams?.resource ? 'resource_account' : 'standard',
    licences: [...flags.skuPartNumbers].sort(),
    hasTeamsPhone: flags.hasTeamsPhone,
    hasCallingPlan: flags.hasCallingPlan,
    coexistenceMode,
    line: teams?.line ?? null,
  };
}

export interface TenantReadResult {
  users: TenantUserSnapshot[];
  requests: number;
}

/**
 * Reads what a sync compares from the tenant: users (all, or in Large Tenant Mode only the transitive members of
 * the chosen groups), licences, each user's Teams configuration (account type, number) and coexistence mode.
 * Licences come from one subscribedSkus read joined with each user's assignedLicenses, so they cost nothing
 * extra per user even in Large Tenant Mode.
 */
export async function readTenant(
  client: MicrosoftTenantClient,
  teams: TeamsSettings,
  log: (message: string) => void,
): Promise<TenantReadResult> {
  const skus = indexSkus(await client.listSubscribedSkus());
  const users = new Map<string, TenantUser>();
  let requests = 1;
  if (teams.largeTenantMode && teams.standardGroupIds.length > 0) {
    for (const groupId of teams.standardGroupIds) {
      for await (const page of client.listGroupMembers(groupId)) {
        requests++;
        for (const user of page) users.set(user.id, user);
      }
    }
    log(`Large Tenant Mode: ${users.size} members in ${teams.standardGroupIds.length} group(s).`);
  } else {
    for await (const page of client.listUsers()) {
      requests++;
      for (const user of page) users.set(user.id, user);
    }
    log(`Read ${users.size} users from the tenant.`);
  }
  const teamsConfig = new Map<string, TeamsSide>();
  const guests = new Set<string>();
  for await (const page of client.listTeamsUserConfigurations()) {
    requests++;
    for (const config of page) {
      if (!users.has(config.id)) continue;
      if (config.accountType === 'guest') guests.add(config.id);
      teamsConfig.set(config.id, teamsSideOf(config));
    }
  }
  const modes = new Map<string, string | null>();
  for await (const page of client.listCoexistenceModes()) {
    requests++;
    for (const entry of page)
      if (users.has(entry.userId)) modes.set(entry.userId, entry.mode ?? entry.rawMode);
  }
  const snapshots: TenantUserSnapshot[] = [];
  // Guests cannot hold a Direct Routing number; they are not synced.
  for (const id of guests) users.delete(id);
  if (guests.size > 0) log(`Skipped ${guests.size} guest account(s).`);
  for (const user of users.values()) {
    snapshots.push(tenantSnapshotOf(user, skus, teamsConfig.get(user.id), modes.get(user.id) ?? null));
  }
  return { users: snapshots, requests };
}
