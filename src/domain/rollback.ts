import { formatNumberWithExtension } from './numbers/e164.js';

/** The user fields a rollback of a CSV import restores (the SIP password is not: only its hash-free absence is kept). */
export const importRollbackFields = [
  'phoneNumber',
  'extension',
  'numberType',
  'callerId',
  'sipUsername',
  'authUsername',
  'externalId',
] as const;

/** A sync run changes a user's number (taken from or written to the tenant); directory fields follow the tenant. */
export const syncRollbackFields = ['phoneNumber', 'extension'] as const;

export type RollbackField = (typeof importRollbackFields)[number];

/** A user's values of the rolled-back fields (null when empty). */
export type RollbackValues = Partial<Record<RollbackField, string | null>>;

/** What an operation did to one user: the values before it and after it. */
export interface RollbackTarget {
  userId: string;
  before: RollbackValues;
  after: RollbackValues;
}

/** A user as the portal holds them now, for the rollback plan. */
export interface RollbackCurrent {
  id: string;
  email: string;
  values: RollbackValues;
  /** The line agreed with the tenant at the last sync (undefined: never synced). */
  syncedLine: string | null | undefined;
  /** Phone App users' numbers never go to the tenant. */
  writesToTenant: boolean;
}

/** One user's part of a rollback plan. */
export type RollbackUserPlan =
  | {
      userId: string;
      email: string;
      action: 'restore';
      /** What the portal would restore: each field from its value now to its value before the operation. */
      portal: { field: RollbackField; now: string | null; restored: string | null }[];
      /** What the sync after the rollback writes to the tenant (one write), or null when nothing. */
      tenant: { from: string | null; to: string | null } | null;
    }
  | {
      userId: string;
      email: string;
      action: 'conflict';
      /** Fields changed since the operation (by a later sync, import or a person): left alone. */
      changed: { field: RollbackField; operation: string | null; now: string | null }[];
    }
  | { userId: string; email: string; action: 'unchanged' };

export interface RollbackPlan {
  users: RollbackUserPlan[];
  counters: { restored: number; conflicts: number; unchanged: number; tenantWrites: number; missing: number };
}

/**
 * Plans undoing an operation user by user: a user already back where they were before it is unchanged; a user
 * whose rolled-back fields still hold what the operation left is restored to what they held before it; a user
 * changed again since (any of those fields differs) is a conflict, reported with both values and left alone. The tenant gets one
 * write per restored user whose line then differs from the line agreed at the last sync.
 * @example planRollback(targets, current, importRollbackFields).counters.conflicts
 */
export function planRollback(
  targets: readonly RollbackTarget[],
  current: ReadonlyMap<string, RollbackCurrent>,
  fields: readonly RollbackField[],
): RollbackPlan {
  const counters = { restored: 0, conflicts: 0, unchanged: 0, tenantWrites: 0, missing: 0 };
  const users: RollbackUserPlan[] = [];
  for (const target of targets) {
    const now = current.get(target.userId);
    if (!now) {
      counters.missing++;
      continue;
    }
    const value = (values: RollbackValues, field: RollbackField) => values[field] ?? null;
    // Already back where it was before the operation (e.g. rolled back before): nothing to do.
    if (fields.every((f) => value(now.values, f) === value(target.before, f))) {
      users.push({ userId: now.id, email: now.email, action: 'unchanged' });
      counters.unchanged++;
      continue;
    }
    const changed = fields
      .filter((f) => value(now.values, f) !== value(target.after, f))
      .map((f) => ({ field: f, operation: value(target.after, f), now: value(now.values, f) }));
    if (changed.length > 0) {
      users.push({ userId: now.id, email: now.email, action: 'conflict', changed });
      counters.conflicts++;
      continue;
    }
    const portal = fields
      .filter((f) => value(target.before, f) !== value(now.values, f))
      .map((f) => ({ field: f, now: value(now.values, f), restored: value(target.before, f) }));
    const restoredLine = lineOf({ ...now.values, ...target.before });
    const tenant =
      now.writesToTenant && now.syncedLine !== undefined && restoredLine !== now.syncedLine
        ? { from: now.syncedLine, to: restoredLine }
        : null;
    if (tenant) counters.tenantWrites++;
    users.push({ userId: now.id, email: now.email, action: 'restore', portal, tenant });
    counters.restored++;
  }
  return { users, counters };
}

/** The line form the sync compares (`+E164` or `+E164;ext=N`). */
export function lineOf(values: RollbackValues): string | null {
  const number = values.phoneNumber ?? null;
  return number ? formatNumberWithExtension(number, values.extension ?? null) : null;
}

/** The rolled-back fields of a user snapshot (an audit before/after, or a stored user). */
export function rollbackValuesOf(snapshot: object | null, fields: readonly RollbackField[]): RollbackValues {
  const values: RollbackValues = {};
  const record = (snapshot ?? {}) as Record<string, unknown>;
  for (const field of fields) {
    const raw = record[field];
    values[field] = typeof raw === 'string' && raw !== '' ? raw : null;
  }
  return values;
}
