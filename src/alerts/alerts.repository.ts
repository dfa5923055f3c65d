/**
 * Alerts on SQLite and PostgreSQL (migration 0021). `reconcile` is the one write path of evaluations: it opens,
 * updates and resolves alerts of the kinds evaluated, so an alert opens once (the unique `open_key` holds even
 * when two workers evaluate at once) and resolves by itself.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { isUniqueViolation } from '../store/database.js';
import { newId } from '../store/repositories/row-helpers.js';
import type { AlertsTable, Database } from '../store/schema.js';
import type { Alert, AlertChanges, AlertCondition, AlertKind, AlertState } from './alert.types.js';

export interface AlertFilters {
  state?: AlertState;
  kind?: AlertKind;
  /** Opened at or after (ISO). */
  from?: string;
}

/** The key of one condition: one open alert per key. */
export function openKeyOf(c: Pick<AlertCondition, 'accountId' | 'kind' | 'subject'>): string {
  return `${c.accountId ?? 'platform'}|${c.kind}|${c.subject}`;
}

export class AlertsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Makes the open alerts of `kinds` (limited to `accountIds` when given, e.g. one account's re-evaluation)
   * match `found`: new conditions open, known ones are updated, the others resolve.
   */
  async reconcile(
    kinds: readonly AlertKind[],
    found: readonly AlertCondition[],
    now: string,
    scope?: { accountIds?: readonly string[]; subjects?: readonly string[] },
  ): Promise<AlertChanges> {
    const changes: AlertChanges = { opened: [], resolved: [] };
    if (kinds.length === 0) return changes;
    let query = this.db
      .selectFrom('alerts')
      .selectAll()
      .where('state', '=', 'open')
      .where('kind', 'in', [...kinds]);
    if (scope?.accountIds) {
      if (scope.accountIds.length === 0) return changes;
      query = query.where('account_id', 'in', [...scope.accountIds]);
    }
    if (scope?.subjects) {
      if (scope.subjects.length === 0) return changes;
      query = query.where('subject', 'in', [...scope.subjects]);
    }
    const open = new Map((await query.execute()).map((row) => [row.open_key!, row]));
    for (const condition of found) {
      const key = openKeyOf(condition);
      const known = open.get(key);
      open.delete(key);
      if (known) {
        await this.db
          .updateTable('alerts')
          .set({
            last_seen_at: now,
            count: sql<number>`count + 1`,
            message: condition.message,
            details: JSON.stringify(condition.details),
            severity: condition.severity,
            subject_label: condition.subjectLabel,
          })
          .where('id', '=', known.id)
          .execute();
        continue;
      }
      const opened = await this.open(condition, key, now);
      if (opened) changes.opened.push(opened);
    }
    for (const row of open.values()) {
      const resolved = await this.db
        .updateTable('alerts')
        .set({ state: 'resolved', open_key: null, resolved_at: now })
        .where('id', '=', row.id)
        .where('state', '=', 'open')
        .executeTakeFirst();
      if (Number(resolved.numUpdatedRows) === 1)
        changes.resolved.push(alertOf({ ...row, state: 'resolved', open_key: null, resolved_at: now }));
    }
    return changes;
  }

  /** Opens an alert; undefined when another evaluator opened the same condition meanwhile. */
  private async open(condition: AlertCondition, key: string, now: string): Promise<Alert | undefined> {
    const row: Selectable<AlertsTable> = {
      id: newId(),
      account_id: condition.accountId,
      kind: condition.kind,
      subject: condition.subject,
      subject_label: condition.subjectLabel,
      severity: condition.severity,
      state: 'open',
      open_key: key,
      message: condition.message,
      details: JSON.stringify(condition.details),
      count: 1,
      opened_at: now,
      last_seen_at: now,
      resolved_at: null,
    };
    try {
      await this.db.insertInto('alerts').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
    return alertOf(row);
  }

  /** Open alerts of these accounts, and the platform's when `platform` is true; newest first. */
  async listOpen(accountIds: readonly string[], platform: boolean): Promise<Alert[]> {
    if (accountIds.length === 0 && !platform) return [];
    const rows = await this.db
      .selectFrom('alerts')
      .selectAll()
      .where('state', '=', 'open')
      .where((eb) => {
        const ors = [];
        if (accountIds.length > 0) ors.push(eb('account_id', 'in', [...accountIds]));
        if (platform) ors.push(eb('account_id', 'is', null));
        return eb.or(ors);
      })
      .orderBy('opened_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(alertOf);
  }

  /** These accounts' alerts (open and history; with the platform's when `platform`), newest first, keyset paged. */
  async list(
    accountIds: readonly string[],
    platform: boolean,
    filters: AlertFilters,
    limit: number,
    cursor?: { openedAt: string; id: string },
  ): Promise<{ items: Alert[]; next: { openedAt: string; id: string } | null }> {
    let query = this.db
      .selectFrom('alerts')
      .selectAll()
      .where((eb) =>
        platform
          ? eb.or([eb('account_id', 'in', [...accountIds]), eb('account_id', 'is', null)])
          : eb('account_id', 'in', [...accountIds]),
      );
    if (filters.state) query = query.where('state', '=', filters.state);
    if (filters.kind) query = query.where('kind', '=', filters.kind);
    if (filters.from) query = query.where('opened_at', '>=', filters.from);
    if (cursor)
      query = query.where((eb) =>
        eb.or([
          eb('opened_at', '<', cursor.openedAt),
          eb.and([eb('opened_at', '=', cursor.openedAt), eb('id', '<', cursor.id)]),
        ]),
      );
    const rows = await query
      .orderBy('opened_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(alertOf);
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? { openedAt: last.openedAt, id: last.id } : null };
  }

  async findById(id: string): Promise<Alert | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && alertOf(row);
  }
}

function alertOf(row: Selectable<AlertsTable>): Alert {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind as AlertKind,
    subject: row.subject,
    subjectLabel: row.subject_label,
    severity: row.severity,
    state: row.state,
    message: row.message,
    details: JSON.parse(row.details) as Record<string, unknown>,
    count: Number(row.count),
    openedAt: row.opened_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at,
  };
}
