/**
 * The worker's retention task for call records: records older than the retention setting, ladders older than
 * theirs or past the storage bound, and captures that ran out. Runs at most once an hour however often the
 * scheduler ticks, since a sweep reads the ladders' total.
 */
import type { Logger } from '../../observability/logger.js';
import type { CallRecordsRepository } from './call-records.repository.js';

export interface CallRetentionSettings {
  recordDays: number;
  ladderDays: number;
  ladderMaxBytes: number;
  /** Least time between sweeps (default 1 hour). */
  everyMs?: number;
}

/** A scheduler task (`(now) => Promise<number>`): answers 0, as it queues no job. */
export function callRetentionTask(
  repo: CallRecordsRepository,
  settings: CallRetentionSettings,
  logger: Logger,
): (now: Date) => Promise<number> {
  let last = 0;
  const everyMs = settings.everyMs ?? 3600_000;
  return async (now) => {
    if (now.getTime() - last < everyMs) return 0;
    last = now.getTime();
    const day = 86_400_000;
    const swept = await repo.sweep({
      recordsBefore: new Date(now.getTime() - settings.recordDays * day).toISOString(),
      laddersBefore: new Date(now.getTime() - settings.ladderDays * day).toISOString(),
      ladderMaxBytes: settings.ladderMaxBytes,
      now: now.toISOString(),
    });
    if (swept.records > 0 || swept.ladders > 0) logger.info(swept, 'call records swept by retention');
    return 0;
  };
}
