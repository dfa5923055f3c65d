import { sql, type Kysely } from 'kysely';

/**
 * Phone App calls readable from any node (issue 20): the node that placed a click-to-dial call keeps its
 * progress here (`node_id` is that node), so the tab may poll any node behind the load balancer; a hang-up
 * asked on another node sets `hangup_requested_at`, which the owning node picks up within a second. Rows end
 * with the call and are removed a few minutes after it (the call record keeps the call for good).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_app_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('result', 'text')
    .addColumn('failure', 'text')
    .addColumn('hangup_requested_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create index phone_app_calls_node on phone_app_calls (node_id, hangup_requested_at)`.execute(db);
  await sql`create index phone_app_calls_updated on phone_app_calls (updated_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('phone_app_calls').execute();
}
