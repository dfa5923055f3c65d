import { sql, type Kysely } from 'kysely';

/**
 * Scheduled and incremental syncs, and the carrier-model objects of each service's tenant:
 * - one active job per dedupe key (a partial unique index: several workers' schedulers cannot queue twins);
 * - `sync_cursors`: per service, where the last read of the tenant ended (users deltaLink, Teams read time);
 * - `tenant_objects`: the Direct Routing set-up objects a sync ensures, each pending / ready / failed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create unique index jobs_active_dedupe on jobs (dedupe_key) where state in ('queued', 'running') and dedupe_key is not null`.execute(
    db,
  );
  await db.schema
    .createTable('sync_cursors')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('users_delta_link', 'text')
    .addColumn('teams_read_at', 'text')
    .addColumn('full_read_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('tenant_objects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('ready_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('tenant_objects_service_kind')
    .on('tenant_objects')
    .columns(['service_id', 'kind'])
    .unique()
    .execute();
  await db.schema
    .createIndex('tenant_objects_due')
    .on('tenant_objects')
    .columns(['state', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tenant_objects').execute();
  await db.schema.dropTable('sync_cursors').execute();
  await db.schema.dropIndex('jobs_active_dedupe').execute();
}
