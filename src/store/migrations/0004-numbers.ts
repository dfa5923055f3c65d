import type { Kysely } from 'kysely';

/**
 * Numbers of SIP trunk services: number ranges (never edited, only deleted and added again), service numbers (shared
 * outbound caller IDs), and each user's caller ID. Ranges may not overlap within an account; that rule spans rows,
 * so the service checks it (under a lock on the account), not an index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('number_ranges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('start_number', 'text', (c) => c.notNull())
    .addColumn('end_number', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('number_ranges_account_start')
    .on('number_ranges')
    .columns(['account_id', 'start_number'])
    .execute();
  await db.schema
    .createIndex('number_ranges_service')
    .on('number_ranges')
    .columns(['service_id', 'start_number'])
    .execute();

  await db.schema
    .createTable('service_numbers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // A service number is unique within the account (the tenant), whichever trunk service it is on.
  await db.schema
    .createIndex('service_numbers_account_number')
    .on('service_numbers')
    .columns(['account_id', 'number'])
    .unique()
    .execute();
  await db.schema
    .createIndex('service_numbers_service')
    .on('service_numbers')
    .columns(['service_id', 'number'])
    .execute();

  await db.schema.alterTable('users').addColumn('caller_id', 'text').execute();
  await db.schema
    .createIndex('users_service_caller_id')
    .on('users')
    .columns(['service_id', 'caller_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('users_service_caller_id').execute();
  await db.schema.alterTable('users').dropColumn('caller_id').execute();
  await db.schema.dropTable('service_numbers').execute();
  await db.schema.dropTable('number_ranges').execute();
}
