import { AppError, notFound } from '../../domain/errors.js';
import type { Actor, Job, SyncLogLine, SyncRun } from '../../domain/records.js';
import type { TenantObject } from '../../store/repositories/tenant-objects.repository.js';
import type { Store } from '../../store/store.js';
import { suspendedError } from '../../domain/suspension.js';
import type { AccessService } from '../access.service.js';
import type { SyncRunner } from './sync.runner.js';

export const SYNC_JOB = 'sync';

/** The Sync Now button's states (PRODUCT.md). */
export type SyncStatus = 'never_synced' | 'up_to_date' | 'changes_queued' | 'syncing' | 'warning' | 'failed';

export interface SyncOverview {
  status: SyncStatus;
  lastRun: SyncRun | null;
  /** Users whose portal number is not yet written to the tenant. */
  queuedChanges: number;
  /** The carrier-model objects of the tenant (domain, PSTN usage, voice route, policy) and where each stands. */
  tenantObjects: TenantObject[];
}

/** Starts syncs as jobs (one at a time per service), and answers for their state, history, plan and log. */
export class SyncService {
  constructor(
    private readonly store: Store,
    private readonly runner: SyncRunner,
    private readonly access: AccessService,
  ) {}

  /**
   * Queues a sync of a service. A second request while one is queued or running joins it (same run) rather
   * than starting another; dry runs are separate and never write.
   */
  async start(
    actor: Actor,
    accountId: string,
    serviceId: string,
    options: { dryRun?: boolean; diagnostic?: boolean; trigger?: SyncRun['trigger'] } = {},
  ): Promise<{ run: SyncRun; joined: boolean }> {
    await this.access.require(actor, accountId, 'sync.run');
    const service = await this.store.repos.services.findById(accountId, serviceId);
    if (!service) throw notFound('service', serviceId);
    const dryRun = options.dryRun === true;
    return this.store.transaction(async (tx) => {
      const dedupeKey = `${SYNC_JOB}:${serviceId}:${dryRun ? 'dry' : 'apply'}`;
      const existing = await tx.jobs.enqueue({ kind: SYNC_JOB, accountId, payload: {}, dedupeKey });
      if (existing.joined) {
        const runId = existing.job.payload['runId'];
        const run = typeof runId === 'string' ? await tx.syncRuns.findById(accountId, runId) : undefined;
        if (run) return { run, joined: true };
      }
      const run = await tx.syncRuns.create({
        accountId,
        serviceId,
        dryRun,
        diagnostic: options.diagnostic === true,
        trigger: options.trigger ?? 'person',
        startedBy: actor.label,
      });
      await tx.jobs.setPayload(existing.job.id, { runId: run.id });
      await tx.syncRuns.update(run.id, { jobId: existing.job.id });
      await tx.audit.append({
        accountId,
        actor,
        action: dryRun ? 'sync.dry_run' : 'sync.start',
        objectType: 'service',
        objectId: serviceId,
        before: null,
        after: { runId: run.id },
      });
      return { run: { ...run, jobId: existing.job.id }, joined: false };
    });
  }

  /** Runs the sync job a worker claimed. */
  async runJob(
    job: Job,
    heartbeat: (progress: Record<string, unknown>) => Promise<void>,
  ): Promise<Record<string, unknown>> {
    const runId = job.payload['runId'];
    if (typeof runId !== 'string' || !job.accountId)
      throw new AppError('internal', `Sync job ${job.id} has no run.`);
    const run = await this.store.repos.syncRuns.findById(job.accountId, runId);
    if (!run) throw new AppError('internal', `Sync run ${runId} is gone.`);
    const suspension = await this.access.suspension(job.accountId);
    if (suspension)
      return { runId, state: await this.refuseSuspended(run, suspendedError(run.accountId, suspension)) };
    const state = await this.runner.run(run, heartbeat);
    if (state !== 'failed') return { runId, state };
    // The worker logs a failed run at warn with its reason.
    const failed = await this.store.repos.syncRuns.findById(job.accountId, runId);
    return { runId, state, error: failed?.error ?? null };
  }

  /** A run queued before its account was suspended: it fails with the reason, touching nothing. */
  private async refuseSuspended(run: SyncRun, reason: AppError): Promise<SyncRun['state']> {
    const at = new Date().toISOString();
    await this.store.repos.syncRuns.update(run.id, {
      state: 'failed',
      startedAt: at,
      finishedAt: at,
      error: reason.message,
      log: [{ at, level: 'error', message: `The sync was not run: ${reason.message}` }],
    });
    return 'failed';
  }

  async overview(actor: Actor, accountId: string, serviceId: string): Promise<SyncOverview> {
    await this.access.require(actor, accountId, 'sync.read');
    if (!(await this.store.repos.services.findById(accountId, serviceId)))
      throw notFound('service', serviceId);
    const runs = await this.store.repos.syncRuns.listByService(accountId, serviceId, 20);
    const last = runs.find((r) => !r.dryRun);
    const lastRun = last ? await this.withProgress(last) : null;
    const queuedChanges = await this.store.repos.users.countQueuedNumberChanges(accountId, serviceId);
    const tenantObjects = await this.store.repos.tenantObjects.listByService(accountId, serviceId);
    return { status: statusOf(lastRun, queuedChanges), lastRun, queuedChanges, tenantObjects };
  }

  async history(actor: Actor, accountId: string, serviceId: string, limit = 50): Promise<SyncRun[]> {
    await this.access.require(actor, accountId, 'sync.read');
    if (!(await this.store.repos.services.findById(accountId, serviceId)))
      throw notFound('service', serviceId);
    return this.store.repos.syncRuns.listByService(accountId, serviceId, limit);
  }

  async getRun(
    actor: Actor,
    accountId: string,
    runId: string,
  ): Promise<SyncRun & { plan: unknown; log: SyncLogLine[] }> {
    await this.access.require(actor, accountId, 'sync.read');
    const run = await this.store.repos.syncRuns.findById(accountId, runId);
    const details = await this.store.repos.syncRuns.findDetails(accountId, runId);
    if (!run || !details) throw notFound('sync run', runId);
    return { ...(await this.withProgress(run)), ...details };
  }

  /** A queued or running run with how far its job got (the worker's last heartbeat): phase, done, of. */
  private async withProgress<T extends SyncRun>(run: T): Promise<T & { progress?: Record<string, unknown> }> {
    if ((run.state !== 'queued' && run.state !== 'running') || !run.jobId) return run;
    const job = await this.store.repos.jobs.findById(run.jobId);
    return job && Object.keys(job.progress).length > 0 ? { ...run, progress: job.progress } : run;
  }
}

function statusOf(lastRun: SyncRun | null, queued: number): SyncStatus {
  if (!lastRun) return 'never_synced';
  if (lastRun.state === 'queued' || lastRun.state === 'running') return 'syncing';
  if (lastRun.state === 'failed') return 'failed';
  // A problem of the last run (a number Microsoft refused) outranks the changes still to write, which include it.
  if (lastRun.state === 'warning') return 'warning';
  return queued > 0 ? 'changes_queued' : 'up_to_date';
}
