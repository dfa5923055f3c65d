import type { Kysely } from 'kysely';

/**
 * Users of one account in id order, the keyset the bulk paths page by (an import reading every user, the licence
 * count done in slices): without it each 500-user page of a 50,000-user account sorted all 50,000 rows again, one
 * synchronous SQLite call of 60-190 ms holding the event loop.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('users_account_id').on('users').columns(['account_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('users_account_id').execute();
}
