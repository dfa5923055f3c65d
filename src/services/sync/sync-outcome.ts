import { formatNumberWithExtension } from '../../domain/numbers/e164.js';
import type { SyncRun, User } from '../../domain/records.js';
import type { PortalUserSnapshot, SyncChange, SyncCounters } from '../../domain/sync/sync-plan.js';
import type { UserSyncState } from '../../store/repositories/users.repository.js';
import type { Store } from '../../store/store.js';

/**
 * A run's plan as it is kept on the run: its changes in their stored form ({@link storedChange}) as JSON text, a
 * piece per page of the read, and its counters. Text rather than objects: the plan of a first sync of 100,000
 * users holds 85,000 new users, about 15 MB as text and three times that as objects.
 */
export class KeptPlan {
  private readonly pieces: string[] = [];
  /** How many changes the plan holds. */
  size = 0;
  /** How many of the changes are tenant writes (for the summary line). */
  tenantWrites = 0;

  constructor(readonly counters: SyncCounters) {}

  add(changes: SyncChange[]): void {
    if (changes.length === 0) return;
    this.pieces.push(JSON.stringify(changes.map(storedChange)).slice(1, -1));
    this.size += changes.length;
    for (const change of changes) if (change.type === 'write_number') this.tenantWrites++;
  }

  /** The stored plan: a JSON array of the changes. */
  toJson(): string {
    return `[${this.pieces.join(',')}]`;
  }
}

/** The line form both sides compare: `+E164` or `+E164;ext=N`. */
export function lineOf(user: Pick<User, 'phoneNumber' | 'extension'>): string | null {
  return user.phoneNumber ? formatNumberWithExtension(user.phoneNumber, user.extension) : null;
}

/** A stored user as the plan compares it. */
export function toPortalSnapshot(user: UserSyncState): PortalUserSnapshot {
  return {
    id: user.id,
    objectId: user.objectId,
    email: user.email,
    displayName: user.displayName,
    upn: user.upn,
    kind: user.kind,
    tenantState: user.tenantState,
    usageLocation: user.usageLocation,
    coexistenceMode: user.coexistenceMode,
    licences: user.licences,
    line: lineOf(user),
    syncedLine: user.syncedLine,
    syncError: user.syncError,
  };
}

/**
 * A change as the run keeps it: a new user is kept by who they are and their number, not with every field read
 * from the tenant (a first sync of 100,000 users would otherwise store them all again, and hold that in memory).
 */
export function storedChange(change: SyncChange): unknown {
  if (change.type !== 'add') return change;
  const { objectId, displayName, email, upn, kind, line } = change.tenant;
  return { type: 'add', tenant: { objectId, displayName, email, upn, kind, line } };
}

/**
 * The run's counters. A delta read plans only the changed users, so the tenant totals come from the stored
 * users (after applying: then they are the tenant's state); Calling Plan users, never stored, are counted only
 * when they changed. `fullRead` says which kind of read it was.
 */
export async function countersOf(
  store: Store,
  run: SyncRun,
  plan: KeptPlan,
  read: { full: boolean; changed: number; teamsPhoneParts: ReadonlySet<string> },
): Promise<Record<string, number>> {
  const counters: Record<string, number> = {
    ...plan.counters,
    fullRead: read.full ? 1 : 0,
    tenantChanges: read.changed,
  };
  if (read.full) return counters;
  const totals = { total: 0, licensed: 0, teamsPhone: 0, resourceAccounts: 0, phoneAppUsers: 0 };
  for (const group of await store.repos.users.syncTotals(run.accountId, run.serviceId)) {
    if (group.tenantState !== 'active') continue;
    totals.total += group.count;
    if (group.licences.length > 0) totals.licensed += group.count;
    if (group.licences.some((part) => read.teamsPhoneParts.has(part))) totals.teamsPhone += group.count;
    if (group.kind === 'resource_account') totals.resourceAccounts += group.count;
    if (group.kind === 'phone_app') totals.phoneAppUsers += group.count;
  }
  Object.assign(plan.counters, totals);
  return { ...counters, ...totals };
}

/** A run with errors, conflicts, Phone App findings, group conflicts or optional steps not done ends as a warning. */
export function stateOf(plan: KeptPlan, counters: Record<string, number>): SyncRun['state'] {
  const c = plan.counters;
  const issues =
    (counters['phoneAppWarnings'] ?? 0) +
    (counters['phoneAppConflicts'] ?? 0) +
    (counters['phoneAppInstallErrors'] ?? 0) +
    (counters['degradedSteps'] ?? 0);
  return c.errors > 0 || c.conflicts > 0 || issues > 0 ? 'warning' : 'succeeded';
}

/** The run's summary line. */
export function describe(plan: KeptPlan): string {
  const c = plan.counters;
  return `enabled users: total=${c.total}, licensed=${c.licensed}, phoneSystem=${c.teamsPhone}, excludedByCallingPlan=${c.excludedByCallingPlan}, resource=${c.resourceAccounts}, phoneApp=${c.phoneAppUsers}; added=${c.added}, updated=${c.updated}, removed=${c.removed}, tenant writes=${plan.tenantWrites}, conflicts=${c.conflicts}`;
}
