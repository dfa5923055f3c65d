import type { Kysely } from 'kysely';

/**
 * Issue 21, "Scale and truth":
 * - `pbx_reachability`: per PBX service, whether its PBX answers the SIP role's OPTIONS probe and REGISTERs, and
 *   when it last did. Written by the sip role (any node), read by the API and portal.
 * - `sip_nodes`: the SIP nodes, each with the addresses its Contacts carry (JSON, per transport) and a heartbeat.
 * - `sip_leases`: which node registers which user (PostgreSQL deployments with several sip nodes). `next_node_id`
 *   is a hand-over under way (the next node registers, then takes the lease, then the old node unregisters);
 *   `former_node_id` a dead node whose binding the new owner removes at the PBX.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pbx_reachability')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id').onDelete('cascade'))
    .addColumn('reachable', 'integer', (c) => c.notNull())
    .addColumn('last_confirmed_at', 'text')
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema
    .createTable('sip_nodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('contacts', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .addColumn('leaving', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('sip_leases')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('next_node_id', 'text')
    .addColumn('former_node_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sip_leases_node').on('sip_leases').column('node_id').execute();
  await db.schema.createIndex('sip_leases_next_node').on('sip_leases').column('next_node_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sip_leases').execute();
  await db.schema.dropTable('sip_nodes').execute();
  await db.schema.dropTable('pbx_reachability').execute();
}
