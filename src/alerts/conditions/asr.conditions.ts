/**
 * The answer-seizure ratio alert: per account, the share of calls answered in the last hour against the day
 * before it. Opens when the last hour had enough calls and its ASR fell by at least `dropPoints` below the
 * baseline (or, without a baseline, below `floor`). Read from the call records' `(account_id, started_at)` index.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { AlertCondition } from '../alert.types.js';

export interface AsrSettings {
  /** The recent window (default 1 hour) and the baseline before it (default 24 hours). */
  windowMs: number;
  baselineMs: number;
  /** Fewest calls in the window for a verdict. */
  minCalls: number;
  /** Drop in ASR (0..1) against the baseline that opens the alert. */
  dropPoints: number;
  /** ASR below which the alert opens when there is no baseline. */
  floor: number;
}

export const ASR_DEFAULTS: AsrSettings = {
  windowMs: 3600_000,
  baselineMs: 24 * 3600_000,
  minCalls: 20,
  dropPoints: 0.2,
  floor: 0.3,
};

export async function asrConditions(
  db: Kysely<Database>,
  now: Date,
  settings: AsrSettings = ASR_DEFAULTS,
  accountIds?: readonly string[],
): Promise<AlertCondition[]> {
  if (accountIds?.length === 0) return [];
  const windowStart = new Date(now.getTime() - settings.windowMs).toISOString();
  const baselineStart = new Date(now.getTime() - settings.windowMs - settings.baselineMs).toISOString();
  let query = db
    .selectFrom('call_records')
    .select([
      'account_id',
      sql<number>`sum(case when started_at >= ${windowStart} then 1 else 0 end)`.as('recent'),
      sql<number>`sum(case when started_at >= ${windowStart} and answered_at is not null then 1 else 0 end)`.as(
        'recent_answered',
      ),
      sql<number>`sum(case when started_at < ${windowStart} then 1 else 0 end)`.as('before'),
      sql<number>`sum(case when started_at < ${windowStart} and answered_at is not null then 1 else 0 end)`.as(
        'before_answered',
      ),
    ])
    .where('started_at', '>=', baselineStart)
    .groupBy('account_id');
  if (accountIds) query = query.where('account_id', 'in', [...accountIds]);
  const found: AlertCondition[] = [];
  for (const row of await query.execute()) {
    const recent = Number(row.recent);
    if (recent < settings.minCalls) continue;
    const asr = Number(row.recent_answered) / recent;
    const before = Number(row.before);
    const baseline = before >= settings.minCalls ? Number(row.before_answered) / before : null;
    const dropped = baseline === null ? asr < settings.floor : baseline - asr >= settings.dropPoints;
    if (!dropped) continue;
    const pct = (v: number) => `${Math.round(v * 100)}%`;
    found.push({
      accountId: row.account_id,
      kind: 'asr_drop',
      subject: 'calls',
      subjectLabel: 'Calls',
      severity: asr < settings.floor ? 'critical' : 'warning',
      message:
        baseline === null
          ? `Only ${pct(asr)} of the last hour's ${recent} calls were answered. Open the call log filtered by failed calls for the failure advice.`
          : `The answer-seizure ratio fell to ${pct(asr)} over the last hour's ${recent} calls, from ${pct(baseline)} the day before. Open the call log filtered by failed calls for the failure advice.`,
      details: {
        asr: Math.round(asr * 1000) / 1000,
        baseline: baseline === null ? null : Math.round(baseline * 1000) / 1000,
        calls: recent,
      },
    });
  }
  return found;
}
