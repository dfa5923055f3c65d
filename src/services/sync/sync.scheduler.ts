import type { Logger } from 'pino';
import type { Actor } from '../../domain/records.js';
import type { Store } from '../../store/store.js';
import type { SyncService } from './sync.service.js';

/** The actor of scheduled work in the audit log and on the run ("started by"). */
export const SCHEDULER_ACTOR: Actor = { type: 'system', id: null, label: 'schedule', source: 'worker' };

/** Something the scheduler asks for on each tick besides interval syncs (e.g. retries of tenant objects). */
export type ScheduledTask = (now: Date) => Promise<number>;

export interface SyncSchedulerOptions {
  /** Time between ticks (default 30 s). */
  tickMs?: number;
  /** The clock; tests pass one to move time without sleeping. */
  now?: () => Date;
  /** Further due work to queue on each tick. */
  tasks?: ScheduledTask[];
}

/**
 * Part of the worker role: every tick, queues a sync (trigger "schedule") of each service whose
 * `syncIntervalMinutes` has passed since its last run was created, and runs the other due tasks. Safe with
 * several workers: a sync joins the one queued or running for its service (dedupe key, enforced by a unique
 * index on active jobs), so two schedulers ticking at once queue one run.
 * @example const scheduler = new SyncScheduler(store, sync, logger); scheduler.start(); await scheduler.stop();
 */
export class SyncScheduler {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;
  private readonly tickMs: number;
  private readonly now: () => Date;
  private readonly tasks: ScheduledTask[];

  constructor(
    private readonly store: Store,
    private readonly sync: SyncService,
    private readonly logger: Logger,
    options: SyncSchedulerOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 30_000;
    this.now = options.now ?? (() => new Date());
    this.tasks = options.tasks ?? [];
  }

  start(): void {
    if (this.timer) return;
    const run = () => {
      this.ticking = this.tick().catch((error: unknown) =>
        this.logger.error({ err: error }, 'sync scheduler tick failed'),
      );
    };
    run();
    this.timer = setInterval(run, this.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Queues what is due now; returns how many syncs and tasks were newly queued. */
  async tick(): Promise<number> {
    const now = this.now();
    let queued = 0;
    for (const due of await this.dueServices(now)) {
      try {
        const { joined } = await this.sync.start(SCHEDULER_ACTOR, due.accountId, due.serviceId, {
          trigger: 'schedule',
        });
        if (!joined) queued++;
      } catch (error) {
        // Another worker queued it between our read and our write (unique active dedupe key): nothing to do.
        this.logger.debug({ err: error, serviceId: due.serviceId }, 'scheduled sync not queued');
      }
    }
    for (const task of this.tasks) queued += await task(now);
    return queued;
  }

  private async dueServices(now: Date) {
    const scheduled = await this.store.repos.syncRuns.listScheduledForSystem();
    // Suspended accounts (and those beneath a suspended partner) are not synced until reactivated.
    const suspended = await this.store.repos.accounts.suspendedIds();
    return scheduled.filter(
      (s) =>
        !suspended.has(s.accountId) &&
        (s.lastRunAt === null || Date.parse(s.lastRunAt) + s.intervalMinutes * 60_000 <= now.getTime()),
    );
  }
}
