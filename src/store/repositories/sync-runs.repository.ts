import type { Kysely, Selectable } from 'kysely';
import type { SyncLogLine, SyncRun } from '../../domain/records.js';
import type { Database, SyncRunsTable } from '../schema.js';
import { nowIso, parseJson, sortableId } from './row-helpers.js';

export type NewSyncRun = Pick<
  SyncRun,
  'accountId' | 'serviceId' | 'dryRun' | 'diagnostic' | 'trigger' | 'startedBy'
>;

/** Sync runs: history, counters, the plan (for dry runs and review) and the log. */
export class SyncRunsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewSyncRun): Promise<SyncRun> {
    const row: SyncRunsTable = {
      id: sortableId(),
      account_id: input.accountId,
      service_id: input.serviceId,
      job_id: null,
      state: 'queued',
      dry_run: input.dryRun ? 1 : 0,
      diagnostic: input.diagnostic ? 1 : 0,
      trigger: input.trigger,
      started_by: input.startedBy,
      created_at: nowIso(),
      started_at: null,
      finished_at: null,
      counters: '{}',
      plan: null,
      log: '[]',
      error: null,
    };
    await this.db.insertInto('sync_runs').values(row).execute();
    return toRun(row);
  }

  async findById(accountId: string, id: string): Promise<SyncRun | undefined> {
    const row = await this.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRun(row);
  }

  /** A run by id alone, for the operator's command line (never for a request: it is not scoped to an account). */
  async findByIdForSystem(id: string): Promise<SyncRun | undefined> {
    const row = await this.db.selectFrom('sync_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRun(row);
  }

  /** The plan and log of a run (kept apart from the run: they can be large). */
  async findDetails(
    accountId: string,
    id: string,
  ): Promise<{ plan: unknown; log: SyncLogLine[] } | undefined> {
    const row = await this.db
      .selectFrom('sync_runs')
      .select(['plan', 'log'])
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const log = parseJson<SyncLogLine[]>(row.log, []);
    if (row.plan !== null) return { plan: parseJson(row.plan, null), log };
    const parts = await this.db
      .selectFrom('sync_run_plan_parts')
      .select('changes')
      .where('run_id', '=', id)
      .orderBy('seq', 'asc')
      .execute();
    return { plan: parts.length > 0 ? parts.flatMap((p) => parseJson<unknown[]>(p.changes, [])) : null, log };
  }

  /** Part `seq` of a run's plan (a JSON array of changes), kept as the run plans page by page. */
  async appendPlanPart(runId: string, seq: number, changesJson: string): Promise<void> {
    await this.db
      .insertInto('sync_run_plan_parts')
      .values({ run_id: runId, seq, changes: changesJson })
      .execute();
  }

  /** Forgets the plan parts of a run: an attempt starting over, or a run that failed (it keeps no plan). */
  async clearPlanParts(runId: string): Promise<void> {
    await this.db.deleteFrom('sync_run_plan_parts').where('run_id', '=', runId).execute();
  }

  async listByService(accountId: string, serviceId: string, limit = 50): Promise<SyncRun[]> {
    const rows = await this.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toRun);
  }

  /**
   * Services with a sync interval whose tenant is connected, each with when its last (non-dry) run was created:
   * one grouped query for the scheduler, across accounts (system use only, never for a request).
   */
  async listScheduledForSystem(): Promise<
    { accountId: string; serviceId: string; intervalMinutes: number; lastRunAt: string | null }[]
  > {
    const rows = await this.db
      .selectFrom('services as s')
      .innerJoin('tenant_connections as c', 'c.account_id', 's.account_id')
      .leftJoin('sync_runs as r', (join) => join.onRef('r.service_id', '=', 's.id').on('r.dry_run', '=', 0))
      .select((eb) => [
        's.id as serviceId',
        's.account_id as accountId',
        's.sync_interval_minutes as intervalMinutes',
        eb.fn.max('r.created_at').as('lastRunAt'),
      ])
      .where('s.sync_interval_minutes', 'is not', null)
      .where('c.consent_state', '=', 'granted')
      .groupBy(['s.id', 's.account_id', 's.sync_interval_minutes'])
      .execute();
    return rows.map((row) => ({
      accountId: row.accountId,
      serviceId: row.serviceId,
      intervalMinutes: Number(row.intervalMinutes),
      lastRunAt: row.lastRunAt ?? null,
    }));
  }

  async update(
    id: string,
    patch: {
      state?: SyncRun['state'];
      jobId?: string;
      startedAt?: string;
      finishedAt?: string;
      counters?: Record<string, number>;
      plan?: unknown;
      log?: SyncLogLine[];
      error?: string | null;
    },
  ): Promise<void> {
    await this.db
      .updateTable('sync_runs')
      .set({
        ...(patch.state !== undefined && { state: patch.state }),
        ...(patch.jobId !== undefined && { job_id: patch.jobId }),
        ...(patch.startedAt !== undefined && { started_at: patch.startedAt }),
        ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
        ...(patch.counters !== undefined && { counters: JSON.stringify(patch.counters) }),
        ...(patch.plan !== undefined && { plan: JSON.stringify(patch.plan) }),
        ...(patch.log !== undefined && { log: JSON.stringify(patch.log) }),
        ...(patch.error !== undefined && { error: patch.error }),
      })
      .where('id', '=', id)
      .execute();
  }
}

function toRun(row: Selectable<SyncRunsTable>): SyncRun {
  return {
    id: row.id,
    accountId: row.account_id,
    serviceId: row.service_id,
    jobId: row.job_id,
    state: row.state,
    dryRun: row.dry_run === 1,
    diagnostic: row.diagnostic === 1,
    trigger: row.trigger,
    startedBy: row.started_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    counters: parseJson(row.counters, {}),
    error: row.error,
  };
}
