import type { SyncChange } from '../api/types.js';

type Of<T extends SyncChange['type']> = Extract<SyncChange, { type: T }>;

/** A sync plan sorted into what an administrator checks before applying it. */
export interface PlanGroups {
  added: Of<'add'>[];
  /** Users whose details, or whose number, are taken from the tenant. */
  changed: (Of<'update'> | Of<'take_number'>)[];
  /** Users gone or disabled in the tenant: marked, never deleted. */
  marked: Of<'mark'>[];
  /** Numbers set in the portal that the sync writes to the tenant. */
  writes: Of<'write_number'>[];
  /** Numbers changed on both sides: left alone, both values shown. */
  conflicts: Of<'conflict'>[];
  /** Lines both sides already agree on (bookkeeping only). */
  agreed: number;
}

/**
 * Sorts a run's plan (as the API stores it: the list of changes) into groups; anything that is not a list of
 * changes gives empty groups, so an older or newer plan shape never breaks the page.
 *
 * @example groupPlan(run.plan).writes.length
 */
export function groupPlan(plan: unknown): PlanGroups {
  const groups: PlanGroups = { added: [], changed: [], marked: [], writes: [], conflicts: [], agreed: 0 };
  if (!Array.isArray(plan)) return groups;
  for (const change of plan as SyncChange[]) {
    switch (change?.type) {
      case 'add':
        groups.added.push(change);
        break;
      case 'update':
      case 'take_number':
        groups.changed.push(change);
        break;
      case 'mark':
        groups.marked.push(change);
        break;
      case 'write_number':
        groups.writes.push(change);
        break;
      case 'conflict':
        groups.conflicts.push(change);
        break;
      case 'agree':
        groups.agreed++;
        break;
      case undefined:
        break;
    }
  }
  return groups;
}

/** Ids of the portal users a plan names (every change but an add), for looking up their names. */
export function planUserIds(groups: PlanGroups): string[] {
  const ids = [...groups.changed, ...groups.marked, ...groups.writes, ...groups.conflicts].map(
    (c) => c.userId,
  );
  return [...new Set(ids)];
}

/** A Teams line for people: `+441235123400;ext=201` -> `+441235123400 ext. 201`; none -> `none`. */
export function lineText(line: string | null): string {
  if (!line) return 'none';
  return line.replace(/^tel:/, '').replace(/;ext=/, ' ext. ');
}

/** The counters of a run, in the order of the field's sync history line, with labels. */
export const COUNTER_LABELS: [key: string, label: string][] = [
  ['total', 'total'],
  ['licensed', 'licensed'],
  ['teamsPhone', 'Teams Phone'],
  ['excludedByCallingPlan', 'excluded (Calling Plan)'],
  ['resourceAccounts', 'resource accounts'],
  ['added', 'added'],
  ['updated', 'updated'],
  ['removed', 'removed'],
  ['written', 'written'],
  ['conflicts', 'conflicts'],
  ['errors', 'errors'],
];
