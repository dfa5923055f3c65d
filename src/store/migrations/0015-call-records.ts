import { sql, type Kysely } from 'kysely';

/**
 * Calls 3 (issue 18): the record of every call (both legs, result, codes, Reason, proxy, transfers, media figures),
 * the SIP ladders kept for failed calls and for users under capture, and the captures themselves.
 *
 * - `call_records` is read newest first per account and per user, with keyset paging on `(started_at, id)`:
 *   one index for each. The retention sweep deletes by `started_at` (its own index).
 * - `call_ladders` holds one redacted ladder per call (JSON), apart from the record so that listing records never
 *   reads ladders; it goes with its record (cascade) and is swept sooner (a bounded store, by age and total size).
 * - `call_captures`: one per user at most; the next N calls and/or until a time.
 * No foreign key to users: a call outlives a deleted user.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('call_records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ringing_at', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('ended_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('final_status', 'integer')
    .addColumn('refused_by', 'text')
    .addColumn('q850_cause', 'integer')
    .addColumn('proxy', 'text')
    .addColumn('codec', 'text')
    .addColumn('refusal_code', 'text')
    .addColumn('refusal_message', 'text')
    .addColumn('legs', 'text', (c) => c.notNull())
    .addColumn('transfers', 'text', (c) => c.notNull())
    .addColumn('media', 'text')
    .addColumn('has_ladder', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`create index call_records_account_time on call_records (account_id, started_at, id)`.execute(db);
  await sql`create index call_records_user_time on call_records (account_id, user_id, started_at, id)`.execute(
    db,
  );
  await sql`create index call_records_started on call_records (started_at)`.execute(db);

  await db.schema
    .createTable('call_ladders')
    .addColumn('call_id', 'text', (c) => c.primaryKey().references('call_records.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('entries', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create index call_ladders_created on call_ladders (created_at)`.execute(db);

  await db.schema
    .createTable('call_captures')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('calls_left', 'integer')
    .addColumn('until', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create index call_captures_account on call_captures (account_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('call_captures').execute();
  await db.schema.dropTable('call_ladders').execute();
  await db.schema.dropTable('call_records').execute();
}
