import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * The users page at 100,000 users (issue 21): indexes that serve keyset (cursor) paging in every sort order of
 * the page, and an index that serves the substring search over name, email, number and SIP username.
 *
 * - Keyset paging reads `(account_id, <sort key>, id)` in order and stops after a page, at any depth. The number
 *   sorts on `coalesce(phone_number, '')` so that users without a number sort the same on both databases.
 * - PostgreSQL: a pg_trgm GIN index on the searched text (pg_trgm ships with PostgreSQL and is a trusted
 *   extension, so the database owner may create it). The query repeats the indexed expression exactly.
 * - SQLite: an FTS5 table with the trigram tokenizer (substring match for 3+ characters), kept by triggers.
 *   Rows are keyed by the user's rowid; a search re-checks the user's own columns, so an index row left stale
 *   (e.g. rowids renumbered by a VACUUM) can never show a user who does not match.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await sql`create index users_account_display_name on users (account_id, display_name, id)`.execute(db);
  await sql`create index users_account_email on users (account_id, email, id)`.execute(db);
  await sql`create index users_account_phone on users (account_id, (coalesce(phone_number, '')), id)`.execute(
    db,
  );
  await sql`create index users_account_created on users (account_id, created_at, id)`.execute(db);
  await sql`create index users_account_registration on users (account_id, registration_state, display_name, id)`.execute(
    db,
  );
  if (postgres) {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index users_search_trgm on users using gin (${searchText} gin_trgm_ops)`.execute(db);
    return;
  }
  await sql`create virtual table users_search using fts5(user_id unindexed, body, tokenize = 'trigram')`.execute(
    db,
  );
  await sql`insert into users_search (rowid, user_id, body) select rowid, id, ${bodyOf('users')} from users`.execute(
    db,
  );
  await sql`create trigger users_search_insert after insert on users begin
      insert into users_search (rowid, user_id, body) values (new.rowid, new.id, ${bodyOf('new')});
    end`.execute(db);
  await sql`create trigger users_search_delete after delete on users begin
      delete from users_search where rowid = old.rowid;
    end`.execute(db);
  await sql`create trigger users_search_update after update of display_name, email, phone_number, sip_username
    on users begin
      update users_search set body = ${bodyOf('new')} where rowid = old.rowid;
    end`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) await sql`drop index users_search_trgm`.execute(db);
  else {
    for (const trigger of ['users_search_insert', 'users_search_delete', 'users_search_update'])
      await sql`drop trigger ${sql.raw(trigger)}`.execute(db);
    await sql`drop table users_search`.execute(db);
  }
  for (const index of [
    'users_account_display_name',
    'users_account_email',
    'users_account_phone',
    'users_account_created',
    'users_account_registration',
  ])
    await sql`drop index ${sql.raw(index)}`.execute(db);
}

/**
 * The searched text of a user on PostgreSQL; `UsersRepository.list` uses this same expression so the planner
 * matches it to the trigram index.
 */
export const searchText = sql`(lower(display_name || ' ' || email || ' ' || coalesce(phone_number, '') || ' ' || coalesce(sip_username, '')))`;

/** The searched text of a row (`users`, `new`) on SQLite. */
function bodyOf(row: 'users' | 'new') {
  const r = sql.raw(row);
  return sql`${r}.display_name || ' ' || ${r}.email || ' ' || coalesce(${r}.phone_number, '') || ' ' || coalesce(${r}.sip_username, '')`;
}
