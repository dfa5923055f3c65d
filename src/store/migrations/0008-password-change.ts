import type { Kysely } from 'kysely';

/**
 * `administrators.must_change_password` (0/1): set when someone else chose the password (the first-start
 * administrator, `callbridge admin create`, an operator's reset); such a session can only change it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('administrators')
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('administrators').dropColumn('must_change_password').execute();
}
