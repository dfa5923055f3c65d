import type { Logger } from 'pino';
import { AppError } from '../../domain/errors.js';
import type { Job } from '../../domain/records.js';
import type { Store } from '../../store/store.js';
import type { TenantConnectionsService } from '../tenant-connections.service.js';
import type { CarrierSetup } from './carrier-setup.js';

export const TENANT_OBJECTS_JOB = 'tenant_objects';

/**
 * Retries the carrier-model objects Microsoft was not ready for, on the worker's own schedule: the scheduler
 * queues one job per service with a pending object whose next attempt is due (dedupe key per service), and the
 * job ensures the objects not yet ready. No administrator has to click Sync again.
 */
export class TenantObjectsRetry {
  constructor(
    private readonly store: Store,
    private readonly connections: TenantConnectionsService,
    private readonly carrier: CarrierSetup,
    private readonly logger: Logger,
  ) {}

  /** Scheduler task: queues a retry job per service with a due pending object; returns how many were queued. */
  readonly queueDue = async (now: Date): Promise<number> => {
    let queued = 0;
    const suspended = await this.store.repos.accounts.suspendedIds();
    for (const due of await this.store.repos.tenantObjects.listDueForSystem(now)) {
      if (suspended.has(due.accountId)) continue;
      try {
        const { joined } = await this.store.repos.jobs.enqueue({
          kind: TENANT_OBJECTS_JOB,
          accountId: due.accountId,
          payload: { serviceId: due.serviceId },
          dedupeKey: `${TENANT_OBJECTS_JOB}:${due.serviceId}`,
        });
        if (!joined) queued++;
      } catch (error) {
        this.logger.debug({ err: error, serviceId: due.serviceId }, 'tenant object retry not queued');
      }
    }
    return queued;
  };

  /** The retry job a worker claimed. */
  async runJob(job: Job): Promise<Record<string, unknown>> {
    const serviceId = job.payload['serviceId'];
    if (typeof serviceId !== 'string' || !job.accountId)
      throw new AppError('internal', `Tenant objects job ${job.id} names no service.`);
    // Queued before the account was suspended: nothing is written to its tenant until it is reactivated.
    if ((await this.store.repos.accounts.suspendedIds()).has(job.accountId))
      return { skipped: 'account suspended' };
    const client = await this.connections.clientFor(job.accountId);
    const log: string[] = [];
    const { objects } = await this.carrier.ensure(job.accountId, serviceId, client, (m) => log.push(m), {
      onlyNotReady: true,
    });
    return { states: Object.fromEntries(objects.map((o) => [o.kind, o.state])), log };
  }
}
