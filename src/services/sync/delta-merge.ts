import type { TenantUserSnapshot } from '../../domain/sync/sync-plan.js';
import {
  isWholeUser,
  licenceFlagsOf,
  type SkuIndex,
  type TenantUser,
  type TenantUserChange,
} from '../../microsoft/index.js';
import type { UserSyncState } from '../../store/repositories/users.repository.js';
import { tenantSnapshotOf, type TeamsSide } from './tenant-reader.js';

/** The Teams side a delta read found for a user, with their coexistence mode (absent: it could not be read). */
export type ChangedTeamsSide = TeamsSide & { coexistenceMode?: string | null };

/** What a merge needs besides the user: the tenant's SKUs, and whether the Phone App makes candidates. */
export interface MergeContext {
  skus: SkuIndex;
  /** SKU part numbers that include Teams Phone (for stored licences, which are part numbers). */
  teamsPhoneByPart: ReadonlySet<string>;
  phoneAppActive: boolean;
}

function storedTeamsSideOf(stored: UserSyncState): TeamsSide {
  return { resource: stored.kind === 'resource_account', guest: false, line: stored.syncedLine ?? null };
}

/** An unchanged user as the tenant holds it: what was agreed at the last sync, plus any Teams-side change. */
export function storedSnapshotOf(
  user: UserSyncState,
  teamsPhoneByPart: ReadonlySet<string>,
  teams: ChangedTeamsSide | undefined,
): TenantUserSnapshot {
  return {
    objectId: user.objectId!,
    upn: user.upn,
    email: user.email,
    displayName: user.displayName,
    enabled: user.tenantState !== 'disabled',
    usageLocation: user.usageLocation,
    kind: teams?.resource ? 'resource_account' : user.kind,
    licences: user.licences,
    hasTeamsPhone: user.licences.some((part) => teamsPhoneByPart.has(part)),
    hasCallingPlan: false,
    coexistenceMode:
      teams && teams.coexistenceMode !== undefined ? teams.coexistenceMode : user.coexistenceMode,
    line: teams ? teams.line : (user.syncedLine ?? null),
  };
}

/**
 * A user the users delta reported, as the tenant now holds them. Microsoft sends an updated user with "at least
 * the properties that have been updated", so what is present is merged onto what is stored and a missing
 * property keeps its stored value (a missing `accountEnabled` is not "enabled", missing licences are not "none").
 * A user nothing is stored about is whole (the delta reader reads partial ones in full).
 * @example changedSnapshotOf({ id, displayName: 'New' }, stored, undefined, context).licences // stored.licences
 */
export function changedSnapshotOf(
  change: TenantUserChange,
  stored: UserSyncState | undefined,
  teams: ChangedTeamsSide | undefined,
  context: MergeContext,
): TenantUserSnapshot {
  // Delta reads happen outside Large Tenant Mode only: Phone App users are the candidates.
  const phoneApp = context.phoneAppActive ? 'if_candidate' : 'no';
  if (!stored) {
    const user: TenantUser = isWholeUser(change) ? change : { ...emptyUser, ...change };
    return tenantSnapshotOf(user, context.skus, teams, teams?.coexistenceMode ?? null, phoneApp);
  }
  // Changed only in the directory: the Teams side is the one agreed at the last sync.
  const side = teams ?? storedTeamsSideOf(stored);
  const merged = storedSnapshotOf(stored, context.teamsPhoneByPart, teams);
  if (change.userPrincipalName !== undefined) merged.upn = change.userPrincipalName;
  merged.email = mergedEmail(change, stored);
  if (change.displayName !== undefined) merged.displayName = change.displayName ?? merged.email;
  if (change.accountEnabled !== undefined) merged.enabled = change.accountEnabled !== false;
  if (change.usageLocation !== undefined) merged.usageLocation = change.usageLocation;
  if (change.assignedLicenses !== undefined) {
    const flags = licenceFlagsOf({ assignedLicenses: change.assignedLicenses }, context.skus);
    merged.licences = [...flags.skuPartNumbers].sort();
    merged.hasTeamsPhone = flags.hasTeamsPhone;
    merged.hasCallingPlan = flags.hasCallingPlan;
    if (!side.resource)
      merged.kind = phoneApp === 'if_candidate' && flags.phoneAppCandidate ? 'phone_app' : 'standard';
  }
  return merged;
}

/**
 * The email after a partial change: the mail when sent; else, when the stored email followed the UPN (no mail),
 * the new UPN; else the stored email.
 */
function mergedEmail(change: TenantUserChange, stored: UserSyncState): string {
  const upn = change.userPrincipalName !== undefined ? change.userPrincipalName : stored.upn;
  if (change.mail) return change.mail.toLowerCase();
  const followedUpn = change.mail === null || stored.email.toLowerCase() === stored.upn?.toLowerCase();
  if (followedUpn && upn) return upn.toLowerCase();
  return stored.email;
}

const emptyUser: Omit<TenantUser, 'id'> = {
  userPrincipalName: null,
  displayName: null,
  mail: null,
  accountEnabled: null,
  usageLocation: null,
  assignedLicenses: [],
};
