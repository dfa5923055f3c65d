import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { nowIso } from './row-helpers.js';

/** Where the last read of a service's tenant ended (see {@link SyncCursorsRepository}). */
export interface SyncCursor {
  serviceId: string;
  tenantId: string;
  /** Graph's users deltaLink after the last applied run; null: the next run reads everyone. */
  usersDeltaLink: string | null;
  /** When the last Teams-side read began (ISO). */
  teamsReadAt: string | null;
  /** When the last full read began (ISO). */
  fullReadAt: string | null;
}

/**
 * Per-service read cursors for incremental syncs. Kept per service (not per tenant connection): two services of
 * one tenant each hold their own stored state, so each needs its own place in the tenant's change stream.
 */
export class SyncCursorsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(accountId: string, serviceId: string): Promise<SyncCursor | undefined> {
    const row = await this.db
      .selectFrom('sync_cursors')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .executeTakeFirst();
    return (
      row && {
        serviceId: row.service_id,
        tenantId: row.tenant_id,
        usersDeltaLink: row.users_delta_link,
        teamsReadAt: row.teams_read_at,
        fullReadAt: row.full_read_at,
      }
    );
  }

  /** Inserts or replaces the cursor of a service. */
  async save(accountId: string, cursor: SyncCursor): Promise<void> {
    const values = {
      tenant_id: cursor.tenantId,
      users_delta_link: cursor.usersDeltaLink,
      teams_read_at: cursor.teamsReadAt,
      full_read_at: cursor.fullReadAt,
      updated_at: nowIso(),
    };
    await this.db
      .insertInto('sync_cursors')
      .values({ service_id: cursor.serviceId, account_id: accountId, ...values })
      .onConflict((oc) => oc.column('service_id').doUpdateSet(values))
      .execute();
  }

  /** Forgets a service's cursor: its next sync reads everything. */
  async clear(accountId: string, serviceId: string): Promise<void> {
    await this.db
      .deleteFrom('sync_cursors')
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .execute();
  }
}
