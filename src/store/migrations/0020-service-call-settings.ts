import type { Kysely } from 'kysely';

/**
 * Per-service call settings (issue 17): ring timeout, ringback profile, hold mode, the voicemail race and the
 * limits, as one JSON object beside `teams_settings` (read with the service, never queried by field). '{}' means
 * every default (`defaultServiceCallSettings`), so existing services keep today's behaviour.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('services')
    .addColumn('call_settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('services').dropColumn('call_settings').execute();
}
