import type { Kysely } from 'kysely';

/**
 * The Phone App inside Sync: `users.phone_app_installed` (0/1) records that the sync installed the Phone App
 * Teams app for the user, so re-syncs neither re-read every user's apps nor install twice, and know whom to
 * remove it from when they stop being Phone App users.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('phone_app_installed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('phone_app_installed').execute();
}
