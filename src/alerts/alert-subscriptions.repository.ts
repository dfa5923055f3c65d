/**
 * Alert subscriptions and their delivery log (migration 0021). Bound to a connection or a transaction like the
 * other repositories (`store.repos.alertSubscriptions`), so a change and its audit entry commit together and
 * the key rotation re-encrypts webhook secrets with the rest.
 */
import type { Kysely, Selectable } from 'kysely';
import { newId, nowIso, sortableId } from '../store/repositories/row-helpers.js';
import type { AlertDeliveriesTable, AlertSubscriptionsTable, Database } from '../store/schema.js';
import type { AlertKind } from './alert.types.js';

export interface AlertSubscription {
  id: string;
  accountId: string;
  channel: 'webhook' | 'email';
  name: string;
  url: string | null;
  email: string | null;
  /** Kinds delivered; null: every kind. */
  kinds: AlertKind[] | null;
  enabled: boolean;
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface AlertDelivery {
  id: string;
  subscriptionId: string;
  accountId: string;
  alertId: string | null;
  event: AlertDeliveriesTable['event'];
  state: AlertDeliveriesTable['state'];
  attempts: number;
  statusCode: number | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewAlertSubscription {
  accountId: string;
  channel: 'webhook' | 'email';
  name: string;
  url: string | null;
  secretEnc: string | null;
  email: string | null;
  kinds: AlertKind[] | null;
  enabled: boolean;
}

export class AlertSubscriptionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewAlertSubscription): Promise<AlertSubscription> {
    const now = nowIso();
    const row: Selectable<AlertSubscriptionsTable> = {
      id: newId(),
      account_id: input.accountId,
      channel: input.channel,
      name: input.name,
      url: input.url,
      secret_enc: input.secretEnc,
      email: input.email,
      kinds: input.kinds && JSON.stringify(input.kinds),
      enabled: input.enabled ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('alert_subscriptions').values(row).execute();
    return subscriptionOf(row);
  }

  async update(
    accountId: string,
    id: string,
    patch: Partial<Pick<NewAlertSubscription, 'name' | 'url' | 'secretEnc' | 'email' | 'kinds' | 'enabled'>>,
  ): Promise<void> {
    await this.db
      .updateTable('alert_subscriptions')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.url !== undefined && { url: patch.url }),
        ...(patch.secretEnc !== undefined && { secret_enc: patch.secretEnc }),
        ...(patch.email !== undefined && { email: patch.email }),
        ...(patch.kinds !== undefined && { kinds: patch.kinds && JSON.stringify(patch.kinds) }),
        ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
        updated_at: nowIso(),
      })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('alert_subscriptions')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async findById(accountId: string, id: string): Promise<AlertSubscription | undefined> {
    const row = await this.db
      .selectFrom('alert_subscriptions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && subscriptionOf(row);
  }

  /** For the delivery job only: the subscription with its sealed secret. */
  async findForDelivery(id: string): Promise<(AlertSubscription & { secretEnc: string | null }) | undefined> {
    const row = await this.db
      .selectFrom('alert_subscriptions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...subscriptionOf(row), secretEnc: row.secret_enc };
  }

  async listByAccount(accountId: string): Promise<AlertSubscription[]> {
    const rows = await this.db
      .selectFrom('alert_subscriptions')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(subscriptionOf);
  }

  /** Enabled subscriptions held on any of these accounts (an alert's account and the accounts above it). */
  async listEnabledOn(accountIds: readonly string[]): Promise<AlertSubscription[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('alert_subscriptions')
      .selectAll()
      .where('account_id', 'in', [...accountIds])
      .where('enabled', '=', 1)
      .execute();
    return rows.map(subscriptionOf);
  }

  async listSecretCiphertexts(): Promise<{ id: string; ciphertext: string }[]> {
    const rows = await this.db
      .selectFrom('alert_subscriptions')
      .select(['id', 'secret_enc'])
      .where('secret_enc', 'is not', null)
      .execute();
    return rows.map((r) => ({ id: r.id, ciphertext: r.secret_enc! }));
  }

  async replaceSecretCiphertext(id: string, ciphertext: string): Promise<void> {
    await this.db
      .updateTable('alert_subscriptions')
      .set({ secret_enc: ciphertext })
      .where('id', '=', id)
      .execute();
  }

  async createDelivery(input: {
    subscriptionId: string;
    accountId: string;
    alertId: string | null;
    event: AlertDeliveriesTable['event'];
    payload: string;
  }): Promise<AlertDelivery> {
    const now = nowIso();
    const row: Selectable<AlertDeliveriesTable> = {
      id: sortableId(),
      subscription_id: input.subscriptionId,
      account_id: input.accountId,
      alert_id: input.alertId,
      event: input.event,
      payload: input.payload,
      state: 'pending',
      attempts: 0,
      status_code: null,
      error: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('alert_deliveries').values(row).execute();
    return deliveryOf(row);
  }

  async findDelivery(id: string): Promise<(AlertDelivery & { payload: string }) | undefined> {
    const row = await this.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...deliveryOf(row), payload: row.payload };
  }

  async recordAttempt(
    id: string,
    outcome: { state: AlertDeliveriesTable['state']; statusCode: number | null; error: string | null },
  ): Promise<void> {
    await this.db
      .updateTable('alert_deliveries')
      .set((eb) => ({
        state: outcome.state,
        attempts: eb('attempts', '+', 1),
        status_code: outcome.statusCode,
        error: outcome.error,
        updated_at: nowIso(),
      }))
      .where('id', '=', id)
      .execute();
  }

  /** A subscription's delivery log, newest first. */
  async listDeliveries(accountId: string, subscriptionId: string, limit: number): Promise<AlertDelivery[]> {
    const rows = await this.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('subscription_id', '=', subscriptionId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(deliveryOf);
  }
}

function subscriptionOf(row: Selectable<AlertSubscriptionsTable>): AlertSubscription {
  return {
    id: row.id,
    accountId: row.account_id,
    channel: row.channel,
    name: row.name,
    url: row.url,
    email: row.email,
    kinds: row.kinds === null ? null : (JSON.parse(row.kinds) as AlertKind[]),
    enabled: Number(row.enabled) === 1,
    hasSecret: row.secret_enc !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function deliveryOf(row: Selectable<AlertDeliveriesTable>): AlertDelivery {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    accountId: row.account_id,
    alertId: row.alert_id,
    event: row.event,
    state: row.state,
    attempts: Number(row.attempts),
    statusCode: row.status_code === null ? null : Number(row.status_code),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
