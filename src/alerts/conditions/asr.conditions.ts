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

/**
 * The day-before baselines per account, read only for accounts with enough recent calls and kept an hour: the
 * baseline spans 24 hours of records (100,000 a day took ~0.1 s of SQLite's thread per read), the recent window
 * one hour, so each pass reads the small window and the baselines seldom.
 */
export class AsrBaselines {
  private readonly cache = new Map<string, { at: number; calls: number; answered: number }>();

  constructor(private readonly keepMs = 3600_000) {}

  async get(
    db: Kysely<Database>,
    accountIds: readonly string[],
    from: string,
    to: string,
    now: number,
  ): Promise<Map<string, { calls: number; answered: number }>> {
    const stale = accountIds.filter((id) => (this.cache.get(id)?.at ?? -Infinity) + this.keepMs <= now);
    if (stale.length > 0) {
      const rows = await db
        .selectFrom('call_records')
        .select([
          'account_id',
          sql<number>`count(*)`.as('calls'),
          sql<number>`sum(case when answered_at is not null then 1 else 0 end)`.as('answered'),
        ])
        .where('account_id', 'in', stale)
        .where('started_at', '>=', from)
        .where('started_at', '<', to)
        .groupBy('account_id')
        .execute();
      for (const id of stale) this.cache.set(id, { at: now, calls: 0, answered: 0 });
      for (const r of rows)
        this.cache.set(r.account_id, { at: now, calls: Number(r.calls), answered: Number(r.answered) });
    }
    return new Map(accountIds.map((id) => [id, this.cache.get(id)!]));
  }
}

export async function asrConditions(
  db: Kysely<Database>,
  now: Date,
  settings: AsrSettings = ASR_DEFAULTS,
  accountIds?: readonly string[],
  baselines = new AsrBaselines(),
): Promise<AlertCondition[]> {
  if (accountIds?.length === 0) return [];
  const windowStart = new Date(now.getTime() - settings.windowMs).toISOString();
  const baselineStart = new Date(now.getTime() - settings.windowMs - settings.baselineMs).toISOString();
  let query = db
    .selectFrom('call_records')
    .select([
      'account_id',
      sql<number>`count(*)`.as('recent'),
      sql<number>`sum(case when answered_at is not null then 1 else 0 end)`.as('recent_answered'),
    ])
    .where('started_at', '>=', windowStart)
    .groupBy('account_id');
  if (accountIds) query = query.where('account_id', 'in', [...accountIds]);
  const recentRows = (await query.execute()).filter((r) => Number(r.recent) >= settings.minCalls);
  const before = await baselines.get(
    db,
    recentRows.map((r) => r.account_id),
    baselineStart,
    windowStart,
    now.getTime(),
  );
  const found: AlertCondition[] = [];
  for (const row of recentRows) {
    const recent = Number(row.recent);
    const asr = Number(row.recent_answered) / recent;
    const base = before.get(row.account_id)!;
    const baseline = base.calls >= settings.minCalls ? base.answered / base.calls : null;
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
