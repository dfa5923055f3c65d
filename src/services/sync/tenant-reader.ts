import { AppError } from '../../domain/errors.js';
import { largeTenantKinds } from '../../domain/phone-app.js';
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
import type { DegradedSteps } from './degraded-steps.js';

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

/**
 * Whether a user is synced as a Phone App user: `no` (the Phone App is not active, or a standard group member in
 * Large Tenant Mode), `if_candidate` (Teams without Teams Phone and without a Calling Plan), `yes` (a member of
 * the Large Tenant Mode Phone App group). A resource account is always a resource account.
 */
export type PhoneAppKind = 'no' | 'if_candidate' | 'yes';

/** A directory user joined with licences, Teams side and coexistence mode, as the plan compares it. */
export function tenantSnapshotOf(
  user: TenantUser,
  skus: SkuIndex,
  teams: TeamsSide | undefined,
  coexistenceMode: string | null,
  phoneApp: PhoneAppKind = 'no',
): TenantUserSnapshot {
  const flags = licenceFlagsOf(user, skus);
  const phoneAppUser = phoneApp === 'yes' || (phoneApp === 'if_candidate' && flags.phoneAppCandidate);
  const email = (user.mail ?? user.userPrincipalName ?? user.id).toLowerCase();
  return {
    objectId: user.id,
    upn: user.userPrincipalName,
    email,
    displayName: user.displayName ?? email,
    enabled: user.accountEnabled !== false,
    usageLocation: user.usageLocation,
    kind: teams?.resource ? 'resource_account' : phoneAppUser ? 'phone_app' : 'standard',
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
  /** Large Tenant Mode with the Phone App: members of both a standard group and the Phone App group (not synced). */
  phoneAppConflicts: { objectId: string; email: string }[];
  /** False when the coexistence modes could not be read: the snapshots' modes are then unknown (null). */
  coexistenceRead: boolean;
}

/**
 * Large Tenant Mode with the Phone App needs its own group, distinct from the standard groups (seed 004: "Phone
 * App users cannot be part of the standard Azure AD groups"); null when the settings are fine.
 */
export function phoneAppGroupProblem(teams: TeamsSettings): string | null {
  if (!teams.largeTenantMode) return null;
  if (!teams.phoneAppGroupId)
    return "Large Tenant Mode with the Phone App needs a Phone App group: set the Entra ID group of the Phone App users on the Teams services tab. It must be distinct from the standard users' groups.";
  if (teams.standardGroupIds.includes(teams.phoneAppGroupId))
    return "The Phone App group is also one of the standard users' groups: Phone App users must be in a group of their own, distinct from the standard groups. Choose another Phone App group on the Teams services tab.";
  return null;
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
  phoneAppActive = false,
  degraded?: DegradedSteps,
): Promise<TenantReadResult> {
  const groupProblem = phoneAppActive ? phoneAppGroupProblem(teams) : null;
  if (groupProblem) throw new AppError('precondition_failed', groupProblem);
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
  // Large Tenant Mode with the Phone App: its users are the transitive members of the Phone App group; a member
  // of both that group and a standard group is synced as neither, and reported.
  const phoneAppMembers = new Set<string>();
  const phoneAppConflicts: TenantReadResult['phoneAppConflicts'] = [];
  if (phoneAppActive && teams.largeTenantMode && teams.phoneAppGroupId) {
    const members = new Map<string, TenantUser>();
    for await (const page of client.listGroupMembers(teams.phoneAppGroupId)) {
      requests++;
      for (const user of page) members.set(user.id, user);
    }
    const standard =
      teams.standardGroupIds.length > 0
        ? new Set(users.keys())
        : new Set([...users.keys()].filter((id) => !members.has(id)));
    const kinds = largeTenantKinds(standard, new Set(members.keys()));
    for (const id of kinds.inBoth) {
      const user = members.get(id)!;
      phoneAppConflicts.push({
        objectId: id,
        email: (user.mail ?? user.userPrincipalName ?? id).toLowerCase(),
      });
      users.delete(id);
    }
    for (const id of kinds.phoneApp) {
      users.set(id, members.get(id)!);
      phoneAppMembers.add(id);
    }
    log(`Large Tenant Mode: ${members.size} members in the Phone App group.`);
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
  // Optional: without coexistence modes the sync still takes users and numbers; the modes keep their last value.
  const readModes = async () => {
    const modes = new Map<string, string | null>();
    for await (const page of client.listCoexistenceModes()) {
      requests++;
      for (const entry of page)
        if (users.has(entry.userId)) modes.set(entry.userId, entry.mode ?? entry.rawMode);
    }
    return modes;
  };
  const modes = degraded
    ? await degraded.attempt(
        'reading coexistence modes (Teams admin API)',
        readModes,
        null,
        'Coexistence modes keep their last known value (unknown for new users).',
      )
    : await readModes();
  const snapshots: TenantUserSnapshot[] = [];
  // Guests cannot hold a Direct Routing number; they are not synced.
  for (const id of guests) users.delete(id);
  if (guests.size > 0) log(`Skipped ${guests.size} guest account(s).`);
  const kindOf = (id: string): PhoneAppKind =>
    !phoneAppActive ? 'no' : !teams.largeTenantMode ? 'if_candidate' : phoneAppMembers.has(id) ? 'yes' : 'no';
  for (const user of users.values()) {
    snapshots.push(
      tenantSnapshotOf(user, skus, teamsConfig.get(user.id), modes?.get(user.id) ?? null, kindOf(user.id)),
    );
  }
  return { users: snapshots, requests, phoneAppConflicts, coexistenceRead: modes !== null };
}
