import type { Kysely, Selectable } from 'kysely';
import type { Actor, AuditEntry } from '../../domain/records.js';
import type { AuditEntriesTable, Database } from '../schema.js';
import { nowIso, parseJson, sortableId } from './row-helpers.js';

export interface NewAuditEntry {
  accountId: string | null;
  actor: Actor;
  action: string;
  objectType: string;
  objectId: string;
  before: object | null;
  after: object | null;
  /** The operation this entry belongs to (sync run, import, rollback), for rollback. */
  batchId?: string;
}

/** An applied CSV import as its audit entries record it. */
export interface ImportBatch {
  id: string;
  at: string;
  actorLabel: string;
  users: number;
}

export interface AuditQuery {
  objectType?: string;
  objectId?: string;
  limit: number;
  /** Entries strictly older than this cursor (the id of the last entry seen). */
  before?: string;
  /** Entries at or after this time (ISO-8601). */
  since?: string;
  /** Entries before this time (ISO-8601). */
  until?: string;
  source?: AuditEntry['actor']['source'];
}

/** The audit log. Callers pass snapshots with secrets already removed (see services/audit). */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const row = toRow(entry, nowIso());
    await this.db.insertInto('audit_entries').values(row).execute();
    return toEntry(row);
  }

  /** Appends several entries in one statement (bulk changes such as a sync's new users). */
  async appendMany(entries: NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const at = nowIso();
    await this.db
      .insertInto('audit_entries')
      .values(entries.map((entry) => toRow(entry, at)))
      .execute();
  }

  /** The entries one operation wrote, oldest first. */
  async listBatch(accountId: string, batchId: string): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('batch_id', '=', batchId)
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toEntry);
  }

  /** The account an operation's entries belong to (the operator's CLI may name an import alone). */
  async accountOfBatchForSystem(batchId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('audit_entries')
      .select('account_id')
      .where('batch_id', '=', batchId)
      .executeTakeFirst();
    return row?.account_id ?? undefined;
  }

  /** The account's applied CSV imports, newest first (an import is the batch of its `user.import` entries). */
  async listImports(accountId: string, limit: number): Promise<ImportBatch[]> {
    const rows = await this.db
      .selectFrom('audit_entries')
      .select((eb) => [
        'batch_id',
        eb.fn.min('at').as('at'),
        eb.fn.min('actor_label').as('actor_label'),
        eb.fn.countAll<number>().as('users'),
      ])
      .where('account_id', '=', accountId)
      .where('action', '=', 'user.import')
      .where('batch_id', 'is not', null)
      .groupBy('batch_id')
      .orderBy('at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.batch_id!,
      at: row.at,
      actorLabel: row.actor_label,
      users: Number(row.users),
    }));
  }

  async list(accountId: string, query: AuditQuery): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_entries').selectAll().where('account_id', '=', accountId);
    if (query.objectType) q = q.where('object_type', '=', query.objectType);
    if (query.objectId) q = q.where('object_id', '=', query.objectId);
    if (query.before) q = q.where('id', '<', query.before);
    if (query.since) q = q.where('at', '>=', query.since);
    if (query.until) q = q.where('at', '<', query.until);
    if (query.source) q = q.where('source', '=', query.source);
    const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toEntry);
  }
}

function toRow(entry: NewAuditEntry, at: string): AuditEntriesTable {
  return {
    id: sortableId(),
    at,
    account_id: entry.accountId,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    actor_label: entry.actor.label,
    source: entry.actor.source,
    action: entry.action,
    object_type: entry.objectType,
    object_id: entry.objectId,
    before: entry.before === null ? null : JSON.stringify(entry.before, withoutSecrets),
    after: entry.after === null ? null : JSON.stringify(entry.after, withoutSecrets),
    batch_id: entry.batchId ?? null,
  };
}

const SECRET_KEY =
  /(^|_)(password|secret|token|apiKey)$|Enc$|_enc$|Hash$|_hash$|^(sipPassword|clientSecret|password)$/i;

/**
 * Second line of defence: services pass snapshots without secrets, and any field named like a secret that slips
 * through (a password, a client secret, a token, an encrypted value or a hash) is written as "[removed]".
 */
function withoutSecrets(key: string, value: unknown): unknown {
  if (key === '' || value === null || value === undefined || typeof value === 'boolean') return value;
  if (value === '[changed]') return value;
  return SECRET_KEY.test(key) ? '[removed]' : value;
}

function toEntry(row: Selectable<AuditEntriesTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    accountId: row.account_id,
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label, source: row.source },
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    before: parseJson(row.before, null),
    after: parseJson(row.after, null),
  };
}
