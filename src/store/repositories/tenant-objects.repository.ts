import type { Kysely, Selectable } from 'kysely';
import type { Database, TenantObjectsTable } from '../schema.js';
import { newId, nowIso } from './row-helpers.js';

export type TenantObjectKind = TenantObjectsTable['kind'];
export type TenantObjectState = TenantObjectsTable['state'];

/** A Direct Routing set-up object of a service's tenant and where it stands. */
export interface TenantObject {
  id: string;
  serviceId: string;
  kind: TenantObjectKind;
  name: string;
  state: TenantObjectState;
  /** Microsoft's reason while pending or failed, e.g. "PSTN Gateway not ready yet". */
  reason: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  readyAt: string | null;
  updatedAt: string;
}

/** The carrier-model objects of each service (one per kind and service). */
export class TenantObjectsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async listByService(accountId: string, serviceId: string): Promise<TenantObject[]> {
    const rows = await this.db
      .selectFrom('tenant_objects')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .execute();
    const order: TenantObjectKind[] = ['domain', 'pstn_usage', 'voice_routing_policy', 'voice_route'];
    return rows.map(toObject).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  }

  /** Records the outcome of an attempt: ready, or pending / failed with Microsoft's reason and the next try. */
  async record(
    accountId: string,
    serviceId: string,
    outcome: { kind: TenantObjectKind; name: string; state: TenantObjectState; reason: string | null },
    nextAttemptAt: (attempts: number) => Date | null,
  ): Promise<TenantObject> {
    const now = nowIso();
    const current = await this.db
      .selectFrom('tenant_objects')
      .selectAll()
      .where('service_id', '=', serviceId)
      .where('kind', '=', outcome.kind)
      .executeTakeFirst();
    const attempts = outcome.state === 'ready' ? 0 : (current?.attempts ?? 0) + 1;
    const values = {
      name: outcome.name,
      state: outcome.state,
      reason: outcome.reason,
      attempts,
      next_attempt_at: outcome.state === 'pending' ? (nextAttemptAt(attempts)?.toISOString() ?? null) : null,
      ready_at: outcome.state === 'ready' ? (current?.ready_at ?? now) : null,
      updated_at: now,
    };
    if (current) {
      await this.db.updateTable('tenant_objects').set(values).where('id', '=', current.id).execute();
      return toObject({ ...current, ...values });
    }
    const row = {
      id: newId(),
      account_id: accountId,
      service_id: serviceId,
      kind: outcome.kind,
      created_at: now,
      ...values,
    };
    await this.db.insertInto('tenant_objects').values(row).execute();
    return toObject(row);
  }

  /** Services with a pending object due for another attempt (system use: the scheduler). */
  async listDueForSystem(now: Date): Promise<{ accountId: string; serviceId: string }[]> {
    const rows = await this.db
      .selectFrom('tenant_objects')
      .select(['account_id', 'service_id'])
      .distinct()
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now.toISOString())
      .execute();
    return rows.map((r) => ({ accountId: r.account_id, serviceId: r.service_id }));
  }
}

function toObject(row: Selectable<TenantObjectsTable>): TenantObject {
  return {
    id: row.id,
    serviceId: row.service_id,
    kind: row.kind,
    name: row.name,
    state: row.state,
    reason: row.reason,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    readyAt: row.ready_at,
    updatedAt: row.updated_at,
  };
}
