import type { TenantState, UserKind } from '../records.js';

/** One user as the tenant shows it, reduced to what a sync compares. */
export interface TenantUserSnapshot {
  objectId: string;
  upn: string | null;
  email: string;
  displayName: string;
  enabled: boolean;
  usageLocation: string | null;
  kind: UserKind;
  licences: string[];
  hasTeamsPhone: boolean;
  hasCallingPlan: boolean;
  coexistenceMode: string | null;
  /** The Teams line as `+E164` or `+E164;ext=N`; null when none is assigned. */
  line: string | null;
}

/** One user as the portal holds it. */
export interface PortalUserSnapshot {
  id: string;
  objectId: string | null;
  email: string;
  displayName: string;
  upn: string | null;
  kind: UserKind;
  tenantState: TenantState;
  usageLocation: string | null;
  coexistenceMode: string | null;
  licences: string[];
  /** The portal's line, same form as the tenant's. */
  line: string | null;
  /** The line both sides agreed on at the last sync; undefined when this user was never synced. */
  syncedLine: string | null | undefined;
  /** The error the last sync recorded on the user (a refused write, a conflict); cleared once both sides agree. */
  syncError?: string | null;
}

export type SyncChange =
  | { type: 'add'; tenant: TenantUserSnapshot }
  | {
      type: 'update';
      userId: string;
      fields: Partial<Omit<TenantUserSnapshot, 'line' | 'hasTeamsPhone' | 'hasCallingPlan' | 'enabled'>> & {
        tenantState?: TenantState;
      };
      reason: string;
    }
  | { type: 'take_number'; userId: string; from: string | null; to: string | null }
  | { type: 'write_number'; userId: string; objectId: string; from: string | null; to: string | null }
  | { type: 'mark'; userId: string; tenantState: TenantState; reason: string }
  | { type: 'agree'; userId: string; line: string | null }
  | { type: 'conflict'; userId: string; portal: string | null; tenant: string | null; synced: string | null };

export interface SyncCounters {
  total: number;
  licensed: number;
  teamsPhone: number;
  excludedByCallingPlan: number;
  resourceAccounts: number;
  /** Enabled users synced as Phone App users. */
  phoneAppUsers: number;
  added: number;
  updated: number;
  removed: number;
  written: number;
  conflicts: number;
  errors: number;
}

export interface SyncPlan {
  changes: SyncChange[];
  counters: SyncCounters;
}

export function emptyCounters(): SyncCounters {
  return {
    total: 0,
    licensed: 0,
    teamsPhone: 0,
    excludedByCallingPlan: 0,
    resourceAccounts: 0,
    phoneAppUsers: 0,
    added: 0,
    updated: 0,
    removed: 0,
    written: 0,
    conflicts: 0,
    errors: 0,
  };
}

/**
 * The three-way plan of a sync: for each user, the last synced state, the portal's state and the tenant's state.
 * New tenant users are added; users gone or disabled in the tenant are marked, never deleted; a number set in the
 * portal is written to the tenant; a number changed in the tenant is taken into the portal; a number changed on
 * both sides since the last sync differently is a conflict, reported with both values and left alone. Users with
 * a Microsoft Calling Plan are excluded (they already have PSTN calling) and counted. Phone App users (kind
 * `phone_app`, decided by the read) get no number changes at all: their number never goes to the tenant.
 *
 * @example planSync(tenantUsers, portalUsers).changes.filter((c) => c.type === 'conflict')
 */
export function planSync(
  tenant: Iterable<TenantUserSnapshot>,
  portal: Iterable<PortalUserSnapshot>,
): SyncPlan {
  const planner = new SyncPlanner(portal);
  const changes = planner.plan(tenant);
  changes.push(...planner.finish());
  return { changes, counters: planner.counters };
}

/**
 * The same plan as {@link planSync}, a page of tenant users at a time, so that a full read of a large tenant is
 * planned (and applied) as its pages arrive instead of being held whole: `plan` each page, then `finish` once for
 * the portal users no page named (they are marked removed).
 *
 * @example const planner = new SyncPlanner(portal); for (const page of pages) apply(planner.plan(page)); apply(planner.finish());
 */
export class SyncPlanner {
  readonly counters = emptyCounters();
  private readonly byObject = new Map<string, PortalUserSnapshot>();
  private readonly byEmail = new Map<string, PortalUserSnapshot>();
  private readonly seen = new Set<string>();

  constructor(portal: Iterable<PortalUserSnapshot>) {
    for (const user of portal) {
      if (user.objectId) this.byObject.set(user.objectId, user);
      else this.byEmail.set(user.email.toLowerCase(), user);
    }
  }

  /** The changes for these tenant users (a page of the read). */
  plan(tenant: Iterable<TenantUserSnapshot>): SyncChange[] {
    const changes: SyncChange[] = [];
    for (const t of tenant) {
      countTenantUser(t, this.counters);
      if (t.hasCallingPlan && t.kind !== 'resource_account') continue;
      const p = this.byObject.get(t.objectId) ?? this.byEmail.get(t.email.toLowerCase());
      if (!p) {
        if (!t.enabled) continue;
        changes.push({ type: 'add', tenant: t });
        this.counters.added++;
        continue;
      }
      this.seen.add(p.id);
      planExisting(t, p, changes, this.counters);
    }
    return changes;
  }

  /** After the last page: portal users of the tenant that no page named are marked removed (never deleted). */
  finish(): SyncChange[] {
    const changes: SyncChange[] = [];
    for (const p of this.byObject.values()) {
      if (this.seen.has(p.id) || p.tenantState === 'removed') continue;
      changes.push({
        type: 'mark',
        userId: p.id,
        tenantState: 'removed',
        reason: 'The user is no longer in the tenant (or no longer in the synced groups).',
      });
      this.counters.removed++;
    }
    return changes;
  }
}

function countTenantUser(t: TenantUserSnapshot, counters: SyncCounters): void {
  if (!t.enabled) return;
  counters.total++;
  if (t.kind === 'resource_account') counters.resourceAccounts++;
  if (t.kind === 'phone_app') counters.phoneAppUsers++;
  if (t.licences.length > 0) counters.licensed++;
  if (t.hasTeamsPhone) counters.teamsPhone++;
  if (t.hasCallingPlan && t.kind !== 'resource_account') counters.excludedByCallingPlan++;
}

function planExisting(
  t: TenantUserSnapshot,
  p: PortalUserSnapshot,
  changes: SyncChange[],
  counters: SyncCounters,
): void {
  const fields = changedFields(t, p);
  const wantedState: TenantState = t.enabled ? 'active' : 'disabled';
  if (wantedState !== p.tenantState) {
    if (wantedState === 'disabled') {
      changes.push({
        type: 'mark',
        userId: p.id,
        tenantState: 'disabled',
        reason: 'The account is disabled in Microsoft 365.',
      });
    } else fields.tenantState = 'active';
  }
  if (Object.keys(fields).length > 0) {
    changes.push({
      type: 'update',
      userId: p.id,
      fields,
      reason: `Changed in the tenant: ${Object.keys(fields).join(', ')}`,
    });
    counters.updated++;
  }
  // A Phone App user has no Teams Phone: their number is for the PBX registration only, never written to the
  // tenant nor taken from it.
  if (t.kind !== 'phone_app') planNumber(t, p, changes, counters);
}

function changedFields(
  t: TenantUserSnapshot,
  p: PortalUserSnapshot,
): Extract<SyncChange, { type: 'update' }>['fields'] {
  const fields: Extract<SyncChange, { type: 'update' }>['fields'] = {};
  if (t.objectId !== p.objectId) fields.objectId = t.objectId;
  if (t.displayName !== p.displayName) fields.displayName = t.displayName;
  if (t.email.toLowerCase() !== p.email.toLowerCase()) fields.email = t.email.toLowerCase();
  if (t.upn !== p.upn) fields.upn = t.upn;
  if (t.usageLocation !== p.usageLocation) fields.usageLocation = t.usageLocation;
  if (t.coexistenceMode !== p.coexistenceMode) fields.coexistenceMode = t.coexistenceMode;
  // Standard <-> Phone App follows the tenant (and the service's Phone App setting); a resource account stays one.
  if (t.kind !== p.kind && (t.kind === 'resource_account' || p.kind !== 'resource_account'))
    fields.kind = t.kind;
  if (t.licences.join(',') !== p.licences.join(',')) fields.licences = t.licences;
  return fields;
}

function planNumber(
  t: TenantUserSnapshot,
  p: PortalUserSnapshot,
  changes: SyncChange[],
  counters: SyncCounters,
): void {
  if (p.line === t.line) {
    // Both sides agree: an error left from an earlier attempt (e.g. a number since removed) no longer applies.
    if (p.syncedLine !== t.line || p.syncError) changes.push({ type: 'agree', userId: p.id, line: t.line });
    return;
  }
  // Never synced: the portal's number (set before the first sync) goes to the tenant; a blank one takes the tenant's.
  const base = p.syncedLine === undefined ? (p.line === null ? p.line : t.line) : p.syncedLine;
  const portalChanged = p.line !== base;
  const tenantChanged = t.line !== base;
  if (portalChanged && tenantChanged) {
    changes.push({ type: 'conflict', userId: p.id, portal: p.line, tenant: t.line, synced: base });
    counters.conflicts++;
  } else if (portalChanged) {
    if (!t.enabled) return;
    changes.push({ type: 'write_number', userId: p.id, objectId: t.objectId, from: t.line, to: p.line });
  } else {
    changes.push({ type: 'take_number', userId: p.id, from: p.line, to: t.line });
    counters.updated++;
  }
}
