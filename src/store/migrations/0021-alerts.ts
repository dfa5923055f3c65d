import { sql, type Kysely } from 'kysely';

/**
 * Alerts (issue 18, "Calls 3"): conditions that open once, update while they last and resolve by themselves,
 * the subscriptions that deliver them (webhook, email) and the delivery log.
 *
 * - `alerts`: one row per episode of a condition; `open_key` (account or "platform", kind, subject) is set while
 *   the alert is open and cleared when it resolves, so a unique index on it keeps one open alert per condition on
 *   both databases (NULLs never collide) while the resolved rows stay as history. `account_id` is NULL for
 *   platform-level alerts (the Teams edge), which operators and providers see.
 * - `alert_subscriptions`: per account (a provider's covers its clients); the webhook secret is sealed by the
 *   secret box and never returned.
 * - `alert_deliveries`: one row per message to a subscription (status, attempts, answer code, the last error in
 *   our words; never the receiver's answer body).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('subject_label', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('open_key', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute();
  await sql`create unique index alerts_open_key on alerts (open_key)`.execute(db);
  await sql`create index alerts_account_time on alerts (account_id, opened_at, id)`.execute(db);
  await sql`create index alerts_state_kind on alerts (state, kind)`.execute(db);

  // The registrations_lost evaluation counts failed and registering users per service every minute: this covering
  // index lets it read the index alone (a 100,000-user SQLite scan of the table held the event loop ~0.5 s).
  await sql`create index users_service_registration on users (registration_enabled, service_id, registration_state)`.execute(
    db,
  );

  await db.schema
    .createTable('alert_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('secret_enc', 'text')
    .addColumn('email', 'text')
    .addColumn('kinds', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create index alert_subscriptions_account on alert_subscriptions (account_id)`.execute(db);

  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) =>
      c.notNull().references('alert_subscriptions.id').onDelete('cascade'),
    )
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text')
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create index alert_deliveries_subscription on alert_deliveries (subscription_id, created_at, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index users_service_registration`.execute(db);
  await db.schema.dropTable('alert_deliveries').execute();
  await db.schema.dropTable('alert_subscriptions').execute();
  await db.schema.dropTable('alerts').execute();
}
