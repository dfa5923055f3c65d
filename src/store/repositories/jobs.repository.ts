import type { Kysely, Selectable } from 'kysely';
import type { Job } from '../../domain/records.js';
import type { Dialect } from '../database.js';
import type { Database, JobsTable } from '../schema.js';
import { newId, nowIso, parseJson } from './row-helpers.js';

export interface NewJob {
  kind: string;
  accountId: string | null;
  payload: Record<string, unknown>;
  /** Jobs with the same key while one is queued or running are the same job: the caller joins it. */
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

/**
 * The job table. Workers claim due jobs with a lease (`locked_until`); a worker that dies leaves a lease that
 * runs out, and the next worker takes the job over and resumes it from its recorded progress. On PostgreSQL
 * the claim uses FOR UPDATE SKIP LOCKED so several workers never take the same job.
 */
export class JobsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Queues a job, or returns the active job with the same dedupe key (`joined: true`). */
  async enqueue(input: NewJob): Promise<{ job: Job; joined: boolean }> {
    if (input.dedupeKey) {
      const active = await this.db
        .selectFrom('jobs')
        .selectAll()
        .where('dedupe_key', '=', input.dedupeKey)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (active) return { job: toJob(active), joined: true };
    }
    const now = nowIso();
    const row: JobsTable = {
      id: newId(),
      account_id: input.accountId,
      kind: input.kind,
      payload: JSON.stringify(input.payload),
      state: 'queued',
      dedupe_key: input.dedupeKey ?? null,
      run_at: (input.runAt ?? new Date()).toISOString(),
      attempts: 0,
      max_attempts: input.maxAttempts ?? 5,
      locked_by: null,
      locked_until: null,
      progress: '{}',
      result: null,
      error: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('jobs').values(row).execute();
    return { job: toJob(row), joined: false };
  }

  /** Takes the next due job (queued and due, or running with an expired lease) for `workerId`. */
  async claim(workerId: string, leaseMs: number, kinds?: string[]): Promise<Job | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const now = nowIso();
      let query = trx
        .selectFrom('jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', now)]),
            eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)]),
          ]),
        )
        .orderBy('run_at')
        .limit(1);
      if (kinds && kinds.length > 0) query = query.where('kind', 'in', kinds);
      if (this.dialect === 'postgres') query = query.forUpdate().skipLocked();
      const candidate = await query.executeTakeFirst();
      if (!candidate) return undefined;
      const lockedUntil = new Date(Date.now() + leaseMs).toISOString();
      await trx
        .updateTable('jobs')
        .set((eb) => ({
          state: 'running',
          locked_by: workerId,
          locked_until: lockedUntil,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', candidate.id)
        .execute();
      const row = await trx
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', candidate.id)
        .executeTakeFirstOrThrow();
      return toJob(row);
    });
  }

  /** Extends the lease and records progress; false when the job is no longer this worker's. */
  async heartbeat(
    id: string,
    workerId: string,
    leaseMs: number,
    progress?: Record<string, unknown>,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({
        locked_until: new Date(Date.now() + leaseMs).toISOString(),
        ...(progress && { progress: JSON.stringify(progress) }),
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async complete(id: string, workerId: string, result: Record<string, unknown>): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        state: 'succeeded',
        result: JSON.stringify(result),
        locked_by: null,
        locked_until: null,
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Records a failure: retried at `retryAt` while attempts remain, else final. */
  async fail(id: string, workerId: string, error: string, retryAt: Date | null): Promise<void> {
    const row = await this.db
      .selectFrom('jobs')
      .select(['attempts', 'max_attempts'])
      .where('id', '=', id)
      .executeTakeFirst();
    const final = !row || retryAt === null || row.attempts >= row.max_attempts;
    await this.db
      .updateTable('jobs')
      .set({
        state: final ? 'failed' : 'queued',
        error,
        run_at: final ? nowIso() : retryAt.toISOString(),
        locked_by: null,
        locked_until: null,
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Replaces a job's payload (e.g. to point it at the record it works on). */
  async setPayload(id: string, payload: Record<string, unknown>): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ payload: JSON.stringify(payload), updated_at: nowIso() })
      .where('id', '=', id)
      .execute();
  }

  async findById(id: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async listByAccount(accountId: string, kind?: string, limit = 50): Promise<Job[]> {
    let query = this.db.selectFrom('jobs').selectAll().where('account_id', '=', accountId);
    if (kind) query = query.where('kind', '=', kind);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toJob);
  }
}

function toJob(row: Selectable<JobsTable>): Job {
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind,
    payload: parseJson(row.payload, {}),
    state: row.state,
    dedupeKey: row.dedupe_key,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    progress: parseJson(row.progress, {}),
    result: parseJson(row.result, null),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
