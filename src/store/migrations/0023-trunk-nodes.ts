import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Issue 19, trunks on several sip nodes:
 * - `trunk_calls`: one row per call holding a channel of a trunk with a channel limit, with the sip node carrying
 *   it, so the limit holds across nodes (a node taking a channel locks the trunk's `trunk_settings` row, counts the
 *   rows of live nodes, inserts its own; rows of nodes whose heartbeat stopped are deleted on the way).
 * - `sip_leases` loses its foreign key to `users`: a registration trunk is leased like a user (one live node
 *   registers it), under its registration id `trunk:<service id>`. The owner releases leases of ids no longer
 *   registered at its next round, which is what the cascade did for deleted users. Leases are used on PostgreSQL
 *   only; SQLite cannot drop a constraint, and its (always empty) table is created again without it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trunk_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('trunk_calls_service')
    .on('trunk_calls')
    .columns(['service_id', 'node_id'])
    .execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`ALTER TABLE sip_leases DROP CONSTRAINT IF EXISTS sip_leases_user_id_fkey`.execute(db);
    return;
  }
  await db.schema.dropTable('sip_leases').execute();
  await db.schema
    .createTable('sip_leases')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('next_node_id', 'text')
    .addColumn('former_node_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sip_leases_node').on('sip_leases').column('node_id').execute();
  await db.schema.createIndex('sip_leases_next_node').on('sip_leases').column('next_node_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('trunk_calls').execute();
  await sql`DELETE FROM sip_leases WHERE user_id NOT IN (SELECT id FROM users)`.execute(db);
  if (db.getExecutor().adapter instanceof PostgresAdapter)
    await sql`ALTER TABLE sip_leases ADD CONSTRAINT sip_leases_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`.execute(
      db,
    );
}
