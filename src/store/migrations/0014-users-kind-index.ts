import { sql, type Kysely } from 'kysely';

/**
 * The users page's kind filter (Phone App users, resource accounts) at 100,000 users (issue 21): an index on
 * `(account_id, kind, display_name, id)`, like migration 0012's index on the registration state. Without it the
 * page walks the account in name order testing each user's kind, and its count reads every user of the account
 * (127 ms on SQLite for the Phone App filter); with it both read only the matching users, in order. No new
 * columns, so nothing in schema.ts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index users_account_kind on users (account_id, kind, display_name, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index users_account_kind`.execute(db);
}
