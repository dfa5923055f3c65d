import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Job } from '../domain/records.js';
import type { JobsRepository } from '../store/repositories/jobs.repository.js';

/** Runs one kind of job; `heartbeat` extends the lease and records progress for a successor to resume from. */
export type JobHandler = (
  job: Job,
  heartbeat: (progress: Record<string, unknown>) => Promise<void>,
) => Promise<Record<string, unknown>>;

export interface WorkerOptions {
  /** How long a claimed job stays this worker's without a heartbeat. */
  leaseMs?: number;
  /** Pause between polls when no job is due. */
  idleMs?: number;
  /** Delay before a failed attempt is retried (doubles per attempt). */
  retryBaseMs?: number;
}

/**
 * A job that ran to its end but whose work failed (a sync run ending `failed`: it is not retried, the run says
 * why) is a warning with its run id and reason, not an info line nobody looks at.
 */
function logFinished(log: Logger, result: Record<string, unknown>): void {
  if (result['state'] !== 'failed') {
    log.info({ result }, 'job finished');
    return;
  }
  const runId = typeof result['runId'] === 'string' ? result['runId'] : undefined;
  const reason = typeof result['error'] === 'string' ? result['error'] : 'no reason recorded';
  log.warn({ result, runId, reason }, `job finished as failed${runId ? ` (run ${runId})` : ''}: ${reason}`);
}

/**
 * The worker role: takes due jobs from the database (SKIP LOCKED on PostgreSQL, one process on SQLite), runs
 * them with a lease kept alive by heartbeats, and records the result. A worker that dies leaves a lease that runs
 * out; the next worker takes the job over.
 */
export class Worker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly leaseMs: number;
  private readonly idleMs: number;
  private readonly retryBaseMs: number;

  constructor(
    private readonly jobs: JobsRepository,
    private readonly handlers: Record<string, JobHandler>,
    private readonly logger: Logger,
    options: WorkerOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.idleMs = options.idleMs ?? 1_000;
    this.retryBaseMs = options.retryBaseMs ?? 5_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.poll();
  }

  /** Wakes an idle worker at once (after a job was queued in this process). */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
  }

  /** Claims and runs due jobs until none is left; returns how many ran (for the CLI and tests). */
  async drain(): Promise<number> {
    let count = 0;
    while (await this.runNext()) count++;
    return count;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const ran = await this.runNext().catch((error: unknown) => {
        this.logger.error({ err: error }, 'worker poll failed');
        return false;
      });
      if (!ran && this.running)
        await new Promise<void>((resolve) => ((this.wake = resolve), setTimeout(resolve, this.idleMs)));
    }
  }

  private async runNext(): Promise<boolean> {
    const job = await this.jobs.claim(this.id, this.leaseMs, Object.keys(this.handlers));
    if (!job) return false;
    const handler = this.handlers[job.kind];
    if (!handler) return false;
    const log = this.logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempts });
    log.info('job started');
    try {
      const result = await handler(job, async (progress) => {
        if (!(await this.jobs.heartbeat(job.id, this.id, this.leaseMs, progress)))
          log.warn('lost the job lease to another worker');
      });
      await this.jobs.complete(job.id, this.id, result);
      logFinished(log, result);
    } catch (error) {
      const retryAt = new Date(Date.now() + this.retryBaseMs * 2 ** (job.attempts - 1));
      await this.jobs.fail(job.id, this.id, error instanceof Error ? error.message : String(error), retryAt);
      log.error({ err: error }, 'job failed');
    }
    return true;
  }
}
