import type { Kysely } from 'kysely';

/**
 * Rollback: `audit_entries.batch_id` groups the entries one operation wrote (a sync run's id, a CSV import's id,
 * a rollback's id), so an applied sync run or import can be planned back from its before/after snapshots.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_entries').addColumn('batch_id', 'text').execute();
  await db.schema
    .createIndex('audit_entries_batch')
    .on('audit_entries')
    .columns(['account_id', 'batch_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_entries_batch').execute();
  await db.schema.alterTable('audit_entries').dropColumn('batch_id').execute();
}
