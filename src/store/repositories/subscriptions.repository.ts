import type { Kysely, Selectable } from 'kysely';
import type { Subscription } from '../../domain/records.js';
import type { Database, SubscriptionsTable } from '../schema.js';
import { newId, nowIso } from './row-helpers.js';

export type NewSubscription = Pick<Subscription, 'accountId' | 'sku' | 'trial' | 'quantity' | 'trialEndsAt'>;

/** Licence subscriptions held by an account. */
export class SubscriptionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewSubscription): Promise<Subscription> {
    const now = nowIso();
    const row: SubscriptionsTable = {
      id: newId(),
      account_id: input.accountId,
      sku: input.sku,
      trial: input.trial ? 1 : 0,
      quantity: input.quantity,
      state: 'active',
      trial_ends_at: input.trialEndsAt,
      cancelled_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('subscriptions').values(row).execute();
    return toSubscription(row);
  }

  async findById(accountId: string, id: string): Promise<Subscription | undefined> {
    const row = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSubscription(row);
  }

  /** Active subscriptions of every account (the SIP role's licence check). */
  async listAllActive(): Promise<Subscription[]> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('state', '=', 'active')
      .execute();
    return rows.map(toSubscription);
  }

  async listByAccount(accountId: string): Promise<Subscription[]> {
    const rows = await this.db
      .selectFrom('subscriptions')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toSubscription);
  }

  async update(
    accountId: string,
    id: string,
    patch: { quantity?: number; state?: Subscription['state']; cancelledAt?: string | null },
  ): Promise<Subscription | undefined> {
    await this.db
      .updateTable('subscriptions')
      .set({
        ...(patch.quantity !== undefined && { quantity: patch.quantity }),
        ...(patch.state !== undefined && { state: patch.state }),
        ...(patch.cancelledAt !== undefined && { cancelled_at: patch.cancelledAt }),
        updated_at: nowIso(),
      })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
    return this.findById(accountId, id);
  }
}

function toSubscription(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: row.id,
    accountId: row.account_id,
    sku: row.sku,
    trial: row.trial === 1,
    quantity: row.quantity,
    state: row.state,
    trialEndsAt: row.trial_ends_at,
    cancelledAt: row.cancelled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
