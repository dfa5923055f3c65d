import { formatNumberWithExtension } from '../../domain/numbers/e164.js';
import type { SyncRun, User } from '../../domain/records.js';
import type { PortalUserSnapshot, SyncChange, SyncCounters } from '../../domain/sync/sync-plan.js';
import type { UserSyncState } from '../../store/repositories/users.repository.js';
import type { Store } from '../../store/store.js';

/** Where a run's plan goes, part by part (the run's plan parts in the store). */
export type PlanSink = (seq: number, changesJson: string) => Promise<void>;

/** Plan text gathered before it is handed to the sink as one part. */
const PART_CHARS = 512 * 1024;

/**
 * A run's plan as it is kept on the run: its changes in their stored form ({@link storedChange}) as JSON text,
 * handed to the store in parts of about half a megabyte as the read goes on, and its counters. Never held whole:
 * the plan of a first sync of 100,000 users holds 85,000 new users, about 15 MB as text (three times that as
 * objects), and building and writing it whole at the end of the run cost ~100 MB of RSS for a moment.
 */
export class KeptPlan {
  private pieces: string[] = [];
  private pieceChars = 0;
  private parts = 0;
  /** How many changes the plan holds. */
  size = 0;
  /** How many of the changes are tenant writes (for the summary line). */
  tenantWrites = 0;

  constructor(
    readonly counters: SyncCounters,
    private readonly sink: PlanSink,
  ) {}

  async add(changes: SyncChange[]): Promise<void> {
    if (changes.length === 0) return;
    const piece = JSON.stringify(changes.map(storedChange)).slice(1, -1);
    this.pieces.push(piece);
    this.pieceChars += piece.length;
    this.size += changes.length;
    for (const change of changes) if (change.type === 'write_number') this.tenantWrites++;
    if (this.pieceChars >= PART_CHARS) await this.flush();
  }

  /** Hands the rest of the plan to the sink: call once, when the plan is complete. */
  async flush(): Promise<void> {
    // An empty plan is kept too (as `[]`): the run planned nothing, which is not the same as no plan.
    if (this.pieces.length === 0 && this.parts > 0) return;
    const part = `[${this.pieces.join(',')}]`;
    this.pieces = [];
    this.pieceChars = 0;
    await this.sink(this.parts++, part);
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
