import type { Kysely } from 'kysely';

/** Core records of DESIGN.md "Data": accounts, subscriptions, tenant connections, services, users, jobs, audit. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('parent_id', 'text', (c) => c.references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('accounts_parent_name')
    .on('accounts')
    .columns(['parent_id', 'name'])
    .unique()
    .execute();

  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('trial', 'integer', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('trial_ends_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subscriptions_account').on('subscriptions').column('account_id').execute();

  await db.schema
    .createTable('tenant_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().unique().references('accounts.id'))
    .addColumn('tenant_id', 'text')
    .addColumn('cloud', 'text', (c) => c.notNull())
    .addColumn('authority_host', 'text', (c) => c.notNull())
    .addColumn('graph_base_url', 'text', (c) => c.notNull())
    .addColumn('consent_state', 'text', (c) => c.notNull())
    .addColumn('consent_error', 'text')
    .addColumn('consented_at', 'text')
    .addColumn('client_id', 'text')
    .addColumn('client_secret_enc', 'text')
    .addColumn('delta_link', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await createServicesAndUsers(db);
  await createJobsAndAudit(db);
}

async function createServicesAndUsers(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('pbx_type', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('sip_domain', 'text', (c) => c.notNull())
    .addColumn('proxy_host', 'text')
    .addColumn('proxy_port', 'integer')
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('registration_expiry', 'integer', (c) => c.notNull())
    .addColumn('teams_settings', 'text', (c) => c.notNull())
    .addColumn('sync_interval_minutes', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('services_account_name')
    .on('services')
    .columns(['account_id', 'name'])
    .unique()
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('object_id', 'text')
    .addColumn('upn', 'text')
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('tenant_state', 'text', (c) => c.notNull())
    .addColumn('usage_location', 'text')
    .addColumn('coexistence_mode', 'text')
    .addColumn('licences', 'text', (c) => c.notNull())
    .addColumn('phone_number', 'text')
    .addColumn('extension', 'text', (c) => c.notNull())
    .addColumn('number_type', 'text')
    .addColumn('sip_username', 'text')
    .addColumn('auth_username', 'text')
    .addColumn('sip_password_enc', 'text')
    .addColumn('registration_enabled', 'integer', (c) => c.notNull())
    .addColumn('registration_state', 'text', (c) => c.notNull())
    .addColumn('registration_detail', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // A number (with its extension) belongs to one user per tenant, i.e. per account; NULL numbers do not clash.
  await db.schema
    .createIndex('users_account_number')
    .on('users')
    .columns(['account_id', 'phone_number', 'extension'])
    .unique()
    .execute();
  await db.schema
    .createIndex('users_service_email')
    .on('users')
    .columns(['service_id', 'email'])
    .unique()
    .execute();
  await db.schema
    .createIndex('users_service_sip_username')
    .on('users')
    .columns(['service_id', 'sip_username'])
    .unique()
    .execute();
  await db.schema
    .createIndex('users_account_object')
    .on('users')
    .columns(['account_id', 'object_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('users_service_name')
    .on('users')
    .columns(['service_id', 'display_name', 'id'])
    .execute();
}

async function createJobsAndAudit(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text')
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('progress', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
  await db.schema.createIndex('jobs_dedupe').on('jobs').columns(['dedupe_key', 'state']).execute();

  await db.schema
    .createTable('audit_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  await db.schema.createIndex('audit_account_at').on('audit_entries').columns(['account_id', 'at']).execute();
  await db.schema
    .createIndex('audit_object')
    .on('audit_entries')
    .columns(['object_type', 'object_id'])
    .execute();

  await db.schema
    .createTable('administrators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('failed_sign_ins', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('administrator_id', 'text', (c) => c.notNull().references('administrators.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'api_tokens',
    'administrators',
    'audit_entries',
    'jobs',
    'users',
    'services',
    'tenant_connections',
    'subscriptions',
    'accounts',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
