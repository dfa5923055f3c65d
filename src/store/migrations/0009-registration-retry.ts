import type { Kysely } from 'kysely';

/**
 * "Retry now" for a registration (issue 22): `users.registration_retry_at` holds when an administrator last asked
 * (API, CLI or portal). The SIP role may run in another process, so the request travels through the database:
 * the role retries a failed registration when the value changes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('registration_retry_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('registration_retry_at').execute();
}
