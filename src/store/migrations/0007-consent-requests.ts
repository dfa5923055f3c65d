import { sql, type Kysely } from 'kysely';

/**
 * Issue 14, "Security first":
 * - `consent_requests`: one row per administrator-consent round trip. Its random id is the OAuth `state`; the row
 *   binds it to the account, purpose (tenant connection or Phone App), service and the administrator who started
 *   it, holds the sealed PKCE verifier and nonce of the sign-in that proves who consented, and `used_at` makes
 *   the state single use.
 * - One tenant, one account: tenant ids are stored in lower case and unique across connections. A tenant held by
 *   several accounts before (the takeover the issue found) stays with the connection that held it first; the
 *   others lose it and say why, until a platform operator moves it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('consent_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('connection_fingerprint', 'text', (c) => c.notNull())
    .addColumn('sign_in_enc', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('consent_requests_account')
    .on('consent_requests')
    .column('account_id')
    .execute();

  await sql`UPDATE tenant_connections SET tenant_id = lower(tenant_id) WHERE tenant_id IS NOT NULL`.execute(
    db,
  );
  await sql`
    UPDATE tenant_connections
    SET tenant_id = NULL,
        consent_state = 'revoked',
        consent_error = 'This tenant is connected to another account; a platform operator must move it here.'
    WHERE tenant_id IS NOT NULL
      AND EXISTS (
        SELECT 1 FROM tenant_connections earlier
        WHERE earlier.tenant_id = tenant_connections.tenant_id
          AND (earlier.created_at < tenant_connections.created_at
            OR (earlier.created_at = tenant_connections.created_at AND earlier.id < tenant_connections.id))
      )`.execute(db);
  await db.schema
    .createIndex('tenant_connections_tenant_unique')
    .on('tenant_connections')
    .column('tenant_id')
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tenant_connections_tenant_unique').execute();
  await db.schema.dropTable('consent_requests').execute();
}
