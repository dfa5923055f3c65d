import type { Kysely } from 'kysely';
import type { CallResult } from '../../calls/call-record.types.js';
import type { DialProgress } from '../../calls/phone-app/dial-progress.js';
import type { Database, PhoneAppCallsTable } from '../../store/schema.js';

/** Whose call a row is, and which node holds it. */
export interface PhoneAppCallOwner {
  accountId: string;
  userId: string;
  nodeId: string;
}

/**
 * Phone App calls as their owning node last wrote them (migration 0024): the tab's progress from any node, and
 * hang-up requests the owning node picks up. Every read is scoped by account and user, so a user's token never
 * reaches another user's call.
 */
export class PhoneAppCallsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(owner: PhoneAppCallOwner, progress: DialProgress): Promise<void> {
    await this.db
      .insertInto('phone_app_calls')
      .values({
        id: progress.callId,
        account_id: owner.accountId,
        user_id: owner.userId,
        node_id: owner.nodeId,
        hangup_requested_at: null,
        ...columnsOf(progress),
      })
      .execute();
  }

  async update(progress: DialProgress): Promise<void> {
    await this.db
      .updateTable('phone_app_calls')
      .set(columnsOf(progress))
      .where('id', '=', progress.callId)
      .execute();
  }

  /** One of the user's calls (undefined: none, or another user's). */
  async find(accountId: string, userId: string, callId: string): Promise<DialProgress | undefined> {
    const row = await this.db
      .selectFrom('phone_app_calls')
      .selectAll()
      .where('id', '=', callId)
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && progressOf(row);
  }

  /** Ask the owning node to hang up one of the user's calls; false when there is none in progress. */
  async requestHangUp(accountId: string, userId: string, callId: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('phone_app_calls')
      .set({ hangup_requested_at: at })
      .where('id', '=', callId)
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .where('phase', '<>', 'ended')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Of this node's calls in progress, those someone asked to hang up (on any node). */
  async hangUpsRequested(nodeId: string, callIds: readonly string[]): Promise<string[]> {
    if (callIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('phone_app_calls')
      .select('id')
      .where('node_id', '=', nodeId)
      .where('hangup_requested_at', 'is not', null)
      .where('id', 'in', callIds)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Forget rows not written since `before` (ended calls the tab has long stopped polling, calls of dead nodes). */
  async deleteStale(before: string): Promise<void> {
    await this.db.deleteFrom('phone_app_calls').where('updated_at', '<', before).execute();
  }
}

function columnsOf(progress: DialProgress) {
  return {
    number: progress.number,
    phase: progress.phase,
    started_at: progress.startedAt,
    answered_at: progress.answeredAt ?? null,
    ended_at: progress.endedAt ?? null,
    result: progress.result ?? null,
    failure: progress.failure ? JSON.stringify(progress.failure) : null,
    updated_at: new Date().toISOString(),
  };
}

function progressOf(row: PhoneAppCallsTable): DialProgress {
  return {
    callId: row.id,
    number: row.number,
    phase: row.phase,
    startedAt: row.started_at,
    ...(row.answered_at && { answeredAt: row.answered_at }),
    ...(row.ended_at && { endedAt: row.ended_at }),
    ...(row.result && { result: row.result as CallResult }),
    ...(row.failure && { failure: JSON.parse(row.failure) as DialProgress['failure'] }),
  };
}
