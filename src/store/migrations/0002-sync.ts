import type { Kysely } from 'kysely';

/** Sync: runs with counters, plan and log; the line each user last agreed with the tenant; per-user sync errors. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sync_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('job_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('diagnostic', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('counters', 'text', (c) => c.notNull())
    .addColumn('plan', 'text')
    .addColumn('log', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('sync_runs_service')
    .on('sync_runs')
    .columns(['account_id', 'service_id', 'created_at'])
    .execute();
  await db.schema.alterTable('tenant_connections').addColumn('teams_admin_base_url', 'text').execute();
  await db.schema.alterTable('users').addColumn('synced_line', 'text').execute();
  await db.schema
    .alterTable('users')
    .addColumn('synced', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('users').addColumn('sync_error', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('sync_error').execute();
  await db.schema.alterTable('users').dropColumn('synced').execute();
  await db.schema.alterTable('users').dropColumn('synced_line').execute();
  await db.schema.alterTable('tenant_connections').dropColumn('teams_admin_base_url').execute();
  await db.schema.dropTable('sync_runs').execute();
}
