import type { Kysely } from 'kysely';

/**
 * Access: roles per account, platform operators, API token scopes, invitations, partner brands, and the
 * entra subject an administrator signs in with.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('role_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('administrator_id', 'text', (c) => c.notNull().references('administrators.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('role_assignments_unique', ['administrator_id', 'account_id', 'role'])
    .execute();
  await db.schema
    .createIndex('role_assignments_account')
    .on('role_assignments')
    .column('account_id')
    .execute();
  await db.schema
    .alterTable('administrators')
    .addColumn('platform_operator', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('administrators').addColumn('entra_subject', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('scope_account_id', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('scope_role', 'text').execute();
  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('invitations_account').on('invitations').column('account_id').execute();
  await db.schema.alterTable('accounts').addColumn('brand', 'text').execute();
  // Existing installations: every administrator created before roles existed ran the whole platform.
  await db
    .updateTable('administrators' as never)
    .set({ platform_operator: 1 } as never)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('invitations').execute();
  await db.schema.dropTable('role_assignments').execute();
  await db.schema.alterTable('accounts').dropColumn('brand').execute();
  await db.schema.alterTable('api_tokens').dropColumn('scope_role').execute();
  await db.schema.alterTable('api_tokens').dropColumn('scope_account_id').execute();
  await db.schema.alterTable('administrators').dropColumn('entra_subject').execute();
  await db.schema.alterTable('administrators').dropColumn('platform_operator').execute();
}
