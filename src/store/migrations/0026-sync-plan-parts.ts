import type { Kysely } from 'kysely';

/**
 * Issue 21, "a leaner sync": a run's plan kept in parts as it is planned, page by page, instead of held whole in
 * memory and written in one statement at the end. The plan of a first sync of 100,000 users (85,000 new users) is
 * about 15 MB of JSON; building it whole and handing it to the database cost ~100 MB of RSS for a moment at the end
 * of the run. Each part is a JSON array of changes; the plan is the parts in `seq` order, joined. Runs written before
 * this migration keep their plan in `sync_runs.plan`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sync_run_plan_parts')
    .addColumn('run_id', 'text', (c) => c.notNull().references('sync_runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_run_plan_parts_pk', ['run_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sync_run_plan_parts').execute();
}
