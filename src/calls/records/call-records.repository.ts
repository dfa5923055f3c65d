/**
 * Call records, their ladders and the users under capture, on SQLite and PostgreSQL (migration 0015). Lists are
 * newest first with keyset cursors on `(started_at, id)`, read from the account or account-and-user index.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { AppError } from '../../domain/errors.js';
import type { CallLaddersTable, CallRecordsTable, Database } from '../../store/schema.js';
import type { CallDirection, CallResult, LadderEntry } from '../call-record.types.js';
import type { CallRecord } from './call-record.js';

export interface CallFilters {
  userId?: string;
  direction?: CallDirection;
  result?: CallResult;
  /** Started at or after (ISO). */
  from?: string;
  /** Started before (ISO). */
  to?: string;
  /** From or to number starting with this. */
  number?: string;
}

export interface CallCapture {
  userId: string;
  accountId: string;
  callsLeft: number | null;
  until: string | null;
  createdBy: string;
  createdAt: string;
}

/** A finished call ready to insert, with its ladder when kept. */
export interface CallRecordWrite {
  record: CallRecord;
  ladder?: { entries: LadderEntry[]; bytes: number };
}

export class CallRecordsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts a batch in one transaction (a record reported twice is kept once) and counts the captured calls
   * down. One statement per table: the write cost per call stays small at hundreds of calls per second.
   */
  async insertBatch(writes: CallRecordWrite[], capturedUserIds: string[]): Promise<void> {
    if (writes.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('call_records')
        .values(writes.map((w) => rowOf(w.record, w.ladder !== undefined)))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const ladders: Insertable<CallLaddersTable>[] = writes
        .filter((w) => w.ladder)
        .map((w) => ({
          call_id: w.record.id,
          account_id: w.record.accountId,
          entries: JSON.stringify(w.ladder!.entries),
          bytes: w.ladder!.bytes,
          created_at: w.record.endedAt,
        }));
      if (ladders.length > 0)
        await trx
          .insertInto('call_ladders')
          .values(ladders)
          .onConflict((oc) => oc.column('call_id').doNothing())
          .execute();
      for (const userId of capturedUserIds)
        await trx
          .updateTable('call_captures')
          .set({ calls_left: sql`calls_left - 1` })
          .where('user_id', '=', userId)
          .where('calls_left', 'is not', null)
          .execute();
      if (capturedUserIds.length > 0)
        await trx.deleteFrom('call_captures').where('calls_left', '<=', 0).execute();
    });
  }

  /** A page of an account's calls, newest first; `cursor` continues after the previous page. */
  async list(
    accountId: string,
    filters: CallFilters,
    limit: number,
    cursor?: string,
  ): Promise<{ items: CallRecord[]; nextCursor: string | null }> {
    let query = this.db.selectFrom('call_records').selectAll().where('account_id', '=', accountId);
    if (filters.userId) query = query.where('user_id', '=', filters.userId);
    if (filters.direction) query = query.where('direction', '=', filters.direction);
    if (filters.result) query = query.where('result', '=', filters.result);
    if (filters.from) query = query.where('started_at', '>=', filters.from);
    if (filters.to) query = query.where('started_at', '<', filters.to);
    if (filters.number) {
      const prefix = `${filters.number.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      query = query.where((eb) =>
        eb.or([
          eb('from_number', 'like', sql<string>`${prefix} escape '\\'`),
          eb('to_number', 'like', sql<string>`${prefix} escape '\\'`),
        ]),
      );
    }
    if (cursor) {
      const [startedAt, id] = decodeCallCursor(cursor);
      query = query.where(sql<boolean>`(started_at, id) < (${startedAt}, ${id})`);
    }
    const rows = await query
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(recordOfRow);
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last
        ? Buffer.from(JSON.stringify([last.startedAt, last.id])).toString('base64url')
        : null;
    return { items, nextCursor };
  }

  async findById(accountId: string, id: string): Promise<CallRecord | undefined> {
    const row = await this.db
      .selectFrom('call_records')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? recordOfRow(row) : undefined;
  }

  async findLadder(accountId: string, callId: string): Promise<LadderEntry[] | undefined> {
    const row = await this.db
      .selectFrom('call_ladders')
      .select('entries')
      .where('account_id', '=', accountId)
      .where('call_id', '=', callId)
      .executeTakeFirst();
    return row ? (JSON.parse(row.entries) as LadderEntry[]) : undefined;
  }

  /** The captures in force now among these users (expired ones are left for the sweep). */
  async activeCaptures(userIds: string[], now: string): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('call_captures')
      .select('user_id')
      .where('user_id', 'in', userIds)
      .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', now)]))
      .where((eb) => eb.or([eb('calls_left', 'is', null), eb('calls_left', '>', 0)]))
      .execute();
    return new Set(rows.map((r) => r.user_id));
  }

  async findCapture(accountId: string, userId: string): Promise<CallCapture | undefined> {
    const row = await this.db
      .selectFrom('call_captures')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row
      ? {
          userId: row.user_id,
          accountId: row.account_id,
          callsLeft: row.calls_left,
          until: row.until,
          createdBy: row.created_by,
          createdAt: row.created_at,
        }
      : undefined;
  }

  /** Sets (or replaces) a user's capture. */
  async saveCapture(capture: CallCapture): Promise<void> {
    const row = {
      user_id: capture.userId,
      account_id: capture.accountId,
      calls_left: capture.callsLeft,
      until: capture.until,
      created_by: capture.createdBy,
      created_at: capture.createdAt,
    };
    await this.db
      .insertInto('call_captures')
      .values(row)
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          calls_left: row.calls_left,
          until: row.until,
          created_by: row.created_by,
          created_at: row.created_at,
        }),
      )
      .execute();
  }

  async deleteCapture(accountId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('call_captures')
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Retention: deletes records started before `recordsBefore` and ladders made before `laddersBefore`, then the
   * oldest ladders while their total passes `ladderMaxBytes`; and captures that ran out. Deletes in slices so a
   * large sweep never holds the database for long. Answers how many records and ladders went.
   */
  async sweep(options: {
    recordsBefore: string;
    laddersBefore: string;
    ladderMaxBytes: number;
    now: string;
    slice?: number;
  }): Promise<{ records: number; ladders: number }> {
    const slice = options.slice ?? 5_000;
    let records = 0;
    let ladders = 0;
    for (let n = slice; n === slice;) {
      const old = await this.db
        .selectFrom('call_ladders')
        .select('call_id')
        .where('created_at', '<', options.laddersBefore)
        .limit(slice)
        .execute();
      await this.dropLadders(old.map((r) => r.call_id));
      n = old.length;
      ladders += n;
    }
    for (let n = slice; n === slice;) {
      const old = await this.db
        .selectFrom('call_records')
        .select('id')
        .where('started_at', '<', options.recordsBefore)
        .limit(slice)
        .execute();
      // Ladders go with their record (foreign key, on delete cascade).
      if (old.length > 0)
        await this.db
          .deleteFrom('call_records')
          .where(
            'id',
            'in',
            old.map((r) => r.id),
          )
          .execute();
      n = old.length;
      records += n;
    }
    ladders += await this.trimLadders(options.ladderMaxBytes, slice);
    await this.db
      .deleteFrom('call_captures')
      .where((eb) => eb.or([eb('until', '<=', options.now), eb('calls_left', '<=', 0)]))
      .execute();
    return { records, ladders };
  }

  /** Deletes these ladders and marks their records as having none. */
  private async dropLadders(callIds: string[]): Promise<void> {
    if (callIds.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('call_ladders').where('call_id', 'in', callIds).execute();
      await trx.updateTable('call_records').set({ has_ladder: 0 }).where('id', 'in', callIds).execute();
    });
  }

  /** Deletes the oldest ladders until the total stored is within `maxBytes`. */
  private async trimLadders(maxBytes: number, slice: number): Promise<number> {
    const total = await this.db
      .selectFrom('call_ladders')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('bytes'), sql<number>`0`).as('bytes'))
      .executeTakeFirstOrThrow();
    let excess = Number(total.bytes) - maxBytes;
    let deleted = 0;
    while (excess > 0) {
      const oldest = await this.db
        .selectFrom('call_ladders')
        .select(['call_id', 'bytes'])
        .orderBy('created_at')
        .limit(slice)
        .execute();
      if (oldest.length === 0) break;
      const ids: string[] = [];
      for (const row of oldest) {
        if (excess <= 0) break;
        ids.push(row.call_id);
        excess -= Number(row.bytes);
      }
      await this.dropLadders(ids);
      deleted += ids.length;
    }
    return deleted;
  }
}

function decodeCallCursor(cursor: string): [string, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !parsed.every((part): part is string => typeof part === 'string')
  )
    throw new AppError(
      'validation_failed',
      'The cursor is not one this API gave out; pass the nextCursor of the previous page as it was, or leave it out to start at the first page.',
      { field: 'cursor' },
    );
  return [parsed[0]!, parsed[1]!];
}

function rowOf(record: CallRecord, hasLadder: boolean): Insertable<CallRecordsTable> {
  return {
    id: record.id,
    account_id: record.accountId,
    service_id: record.serviceId,
    user_id: record.userId,
    direction: record.direction,
    from_number: record.from,
    to_number: record.to,
    started_at: record.startedAt,
    ringing_at: record.ringingAt,
    answered_at: record.answeredAt,
    ended_at: record.endedAt,
    duration_ms: record.durationMs,
    result: record.result,
    final_status: record.finalStatus,
    refused_by: record.refusedBy,
    q850_cause: record.q850Cause,
    proxy: record.proxy,
    codec: record.codec,
    refusal_code: record.refusal?.code ?? null,
    refusal_message: record.refusal?.message ?? null,
    legs: JSON.stringify(record.legs),
    transfers: JSON.stringify(record.transfers),
    media: record.media ? JSON.stringify(record.media) : null,
    has_ladder: hasLadder ? 1 : 0,
  };
}

function recordOfRow(row: Selectable<CallRecordsTable>): CallRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    serviceId: row.service_id,
    userId: row.user_id,
    direction: row.direction,
    from: row.from_number,
    to: row.to_number,
    startedAt: row.started_at,
    ringingAt: row.ringing_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    durationMs: Number(row.duration_ms),
    result: row.result as CallResult,
    finalStatus: row.final_status,
    refusedBy: row.refused_by,
    q850Cause: row.q850_cause,
    proxy: row.proxy,
    codec: row.codec,
    refusal:
      row.refusal_code !== null ? { code: row.refusal_code, message: row.refusal_message ?? '' } : null,
    legs: JSON.parse(row.legs) as CallRecord['legs'],
    transfers: JSON.parse(row.transfers) as string[],
    media: row.media ? (JSON.parse(row.media) as CallRecord['media']) : null,
    hasLadder: row.has_ladder === 1,
  };
}
