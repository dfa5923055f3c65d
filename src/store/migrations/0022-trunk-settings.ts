import type { Kysely } from 'kysely';

/**
 * Issue 19, "Calls 4": how a trunk service's SIP trunk carries calls. One row per trunk service:
 * - the kind (`registration`: one REGISTER with the trunk's credentials; `ip`: INVITEs accepted from its addresses),
 *   its domain and addresses (JSON array of `{ host, port }`, tried in order; empty: the domain by SRV), transport,
 *   credentials (the password sealed by the secret box, never returned), the number format on the wire, where the
 *   carrier puts the called number, PAI and privacy, the channel limit and the codecs offered;
 * - what the sip role last saw: the registration state and detail, and the OPTIONS health per address (JSON).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trunk_settings')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('addresses', 'text', (c) => c.notNull())
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('auth_username', 'text')
    .addColumn('password_enc', 'text')
    .addColumn('number_format', 'text', (c) => c.notNull())
    .addColumn('number_prefix', 'text', (c) => c.notNull())
    .addColumn('called_number_from', 'text', (c) => c.notNull())
    .addColumn('assert_identity', 'integer', (c) => c.notNull())
    .addColumn('max_channels', 'integer')
    .addColumn('codecs', 'text', (c) => c.notNull())
    .addColumn('registration_state', 'text')
    .addColumn('registration_detail', 'text')
    .addColumn('address_health', 'text')
    .addColumn('state_updated_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('trunk_settings_account').on('trunk_settings').column('account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('trunk_settings').execute();
}
