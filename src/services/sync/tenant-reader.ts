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

/** Tenant users handed to the plan per page of the read (Large Tenant Mode: per this many of the read groups). */
const SNAPSHOT_PAGE = 1_000;

export interface TenantReadResult {
  /**
   * The users, page by page as Microsoft returns them: a full read of a large tenant is planned and applied while
   * the next page is read (and never held whole). Iterate once.
   */
  pages: AsyncIterable<TenantUserSnapshot[]>;
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
 * extra per user even in Large Tenant Mode. The Teams configurations and coexistence modes are read first (both
 * at once: the modes come from the Teams admin API, outside Graph's throttling), so that each page of users can
 * be turned into snapshots as it arrives.
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
  const [teamsConfig, modes] = await Promise.all([readTeamsSides(client), readModes(client, degraded)]);
  const snapshotOf = (user: TenantUser, phoneApp: PhoneAppKind) =>
    tenantSnapshotOf(user, skus, teamsConfig.get(user.id), modes?.get(user.id) ?? null, phoneApp);
  const coexistenceRead = modes !== null;
  const groups = teams.standardGroupIds.length > 0 || (phoneAppActive && teams.phoneAppGroupId !== null);
  if (teams.largeTenantMode && groups) {
    const read = await readGroups(client, teams, log, phoneAppActive);
    const snapshots: TenantUserSnapshot[] = [];
    let guests = 0;
    for (const user of read.users.values()) {
      // Guests cannot hold a Direct Routing number; they are not synced.
      if (teamsConfig.get(user.id)?.guest) guests++;
      else snapshots.push(snapshotOf(user, read.kindOf(user.id)));
    }
    if (guests > 0) log(`Skipped ${guests} guest account(s).`);
    return { pages: inPages(snapshots), phoneAppConflicts: read.phoneAppConflicts, coexistenceRead };
  }
  const kind: PhoneAppKind = phoneAppActive && !teams.largeTenantMode ? 'if_candidate' : 'no';
  async function* pages(): AsyncGenerator<TenantUserSnapshot[]> {
    let read = 0;
    let guests = 0;
    for await (const page of readAhead(client.listUsers())) {
      read += page.length;
      const snapshots: TenantUserSnapshot[] = [];
      for (const user of page) {
        if (teamsConfig.get(user.id)?.guest) guests++;
        else snapshots.push(snapshotOf(user, kind));
        // Each user comes once: what was read for them is let go as the read goes on, not held to the end.
        teamsConfig.delete(user.id);
        modes?.delete(user.id);
      }
      yield snapshots;
    }
    log(`Read ${read} users from the tenant.`);
    if (guests > 0) log(`Skipped ${guests} guest account(s).`);
  }
  return { pages: pages(), phoneAppConflicts: [], coexistenceRead };
}

/**
 * The Teams side of every user with something to say (a resource account, a guest, a number): users without an
 * entry are standard users without a line, so the rest are not kept.
 */
async function readTeamsSides(client: MicrosoftTenantClient): Promise<Map<string, TeamsSide>> {
  const sides = new Map<string, TeamsSide>();
  for await (const page of client.listTeamsUserConfigurations()) {
    for (const config of page) {
      const side = teamsSideOf(config);
      if (side.resource || side.guest || side.line) sides.set(config.id, side);
    }
  }
  return sides;
}

/** Optional: without coexistence modes the sync still takes users and numbers; the modes keep their last value. */
async function readModes(
  client: MicrosoftTenantClient,
  degraded: DegradedSteps | undefined,
): Promise<Map<string, string | null> | null> {
  const read = async () => {
    const modes = new Map<string, string | null>();
    for await (const page of client.listCoexistenceModes()) {
      for (const entry of page) modes.set(entry.userId, entry.mode ?? entry.rawMode);
    }
    return modes;
  };
  if (!degraded) return read();
  return degraded.attempt(
    'reading coexistence modes (Teams admin API)',
    read,
    null,
    'Coexistence modes keep their last known value (unknown for new users).',
  );
}

/**
 * Large Tenant Mode: the transitive members of the standard groups (no groups chosen: every user) and, with the
 * Phone App, of its group; a member of both is synced as neither, and reported.
 */
async function readGroups(
  client: MicrosoftTenantClient,
  teams: TeamsSettings,
  log: (message: string) => void,
  phoneAppActive: boolean,
) {
  const users = new Map<string, TenantUser>();
  const byGroup = teams.standardGroupIds.length > 0;
  for (const groupId of teams.standardGroupIds) {
    for await (const page of client.listGroupMembers(groupId))
      for (const user of page) users.set(user.id, user);
  }
  if (byGroup) log(`Large Tenant Mode: ${users.size} members in ${teams.standardGroupIds.length} group(s).`);
  else {
    for await (const page of client.listUsers()) for (const user of page) users.set(user.id, user);
    log(`Read ${users.size} users from the tenant.`);
  }
  const phoneAppMembers = new Set<string>();
  const phoneAppConflicts: TenantReadResult['phoneAppConflicts'] = [];
  if (phoneAppActive && teams.phoneAppGroupId) {
    const members = new Map<string, TenantUser>();
    for await (const page of client.listGroupMembers(teams.phoneAppGroupId))
      for (const user of page) members.set(user.id, user);
    const standard = byGroup
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
  const kindOf = (id: string): PhoneAppKind =>
    !phoneAppActive ? 'no' : phoneAppMembers.has(id) ? 'yes' : 'no';
  return { users, phoneAppConflicts, kindOf };
}

async function* inPages<T>(items: T[]): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += SNAPSHOT_PAGE) yield items.slice(i, i + SNAPSHOT_PAGE);
}

/**
 * Asks for the next page as soon as the current one is handed over, so the request (and Microsoft's throttling
 * wait) runs while the caller plans and stores the current page.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const pages = source[Symbol.asyncIterator]();
  let next = pages.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = pages.next();
      // Handled where it is awaited; this only keeps an abandoned read from being an unhandled rejection.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await pages.return?.();
  }
}
