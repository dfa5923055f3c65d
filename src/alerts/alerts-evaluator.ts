/**
 * Evaluates the alert conditions off the request path: the worker's scheduler runs `task` (every kind, at most
 * once a minute), a finished sync job re-evaluates its account at once, and the Teams edge reports its own
 * (platform) conditions. Each evaluation reconciles the open alerts of the kinds it judged, and the dispatcher
 * delivers what opened or resolved.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { AlertChanges, AlertCondition, AlertKind } from './alert.types.js';
import type { AlertDispatcher } from './alert-dispatcher.js';
import type { AlertsRepository } from './alerts.repository.js';
import { AsrBaselines, asrConditions, ASR_DEFAULTS, type AsrSettings } from './conditions/asr.conditions.js';
import { licenceConditions } from './conditions/licences.conditions.js';
import { registrationConditions } from './conditions/registrations.conditions.js';
import { trunkConditions } from './conditions/trunks.conditions.js';
import { consentConditions, syncConditions } from './conditions/sync.conditions.js';

export interface AlertsEvaluatorSettings {
  registrationFailedShare: number;
  asr?: AsrSettings;
  /** Least time between full evaluations by the scheduler (default 1 minute). */
  everyMs?: number;
}

/** The kinds judged from the database per account (the edge's are reported by the sip role). */
export const ACCOUNT_KINDS: readonly AlertKind[] = [
  'sync_failed',
  'sync_warning',
  'consent_revoked',
  'registrations_lost',
  'trial_expiring',
  'licences_short',
  'asr_drop',
  'trunk_down',
];
export const EDGE_KINDS: readonly AlertKind[] = ['edge_unhealthy', 'edge_certificate_expiring'];

export class AlertsEvaluator {
  private last = 0;
  private readonly baselines = new AsrBaselines();

  constructor(
    private readonly store: Store,
    private readonly repo: AlertsRepository,
    private readonly dispatcher: AlertDispatcher,
    private readonly logger: Logger,
    private readonly settings: AlertsEvaluatorSettings,
  ) {}

  /** A scheduler task (`(now) => Promise<number>`): evaluates everything when due; answers deliveries queued. */
  readonly task = async (now: Date): Promise<number> => {
    if (now.getTime() - this.last < (this.settings.everyMs ?? 60_000)) return 0;
    this.last = now.getTime();
    try {
      return await this.evaluate(now);
    } catch (error) {
      // One failed pass must not stop the scheduler's other tasks; the next pass tries again.
      this.logger.error({ err: error }, 'alert evaluation failed');
      return 0;
    }
  };

  /** Evaluates every account's conditions now (or only `accountIds`'s, e.g. after a sync). */
  async evaluate(now = new Date(), accountIds?: readonly string[]): Promise<number> {
    const suspended = await this.store.repos.accounts.suspendedIds();
    const db = this.store.handle.db;
    const found = [
      ...(await syncConditions(db, accountIds)),
      ...(await consentConditions(db, accountIds)),
      ...(await registrationConditions(db, this.settings.registrationFailedShare, accountIds)),
      ...(await trunkConditions(db, accountIds)),
      ...(await licenceConditions(this.store, now, accountIds)),
      ...(await asrConditions(db, now, this.settings.asr ?? ASR_DEFAULTS, accountIds, this.baselines)),
      // A suspended account is not served: its conditions are expected, not news (its alerts resolve).
    ].filter((c) => c.accountId === null || !suspended.has(c.accountId));
    const scope = accountIds ? { accountIds } : undefined;
    return this.apply(await this.repo.reconcile(ACCOUNT_KINDS, found, now.toISOString(), scope));
  }

  /** The platform conditions the Teams edge reports for its proxies and certificate (`subjects`: all it judged). */
  async reportEdge(found: AlertCondition[], subjects: readonly string[], now = new Date()): Promise<number> {
    return this.apply(await this.repo.reconcile(EDGE_KINDS, found, now.toISOString(), { subjects }));
  }

  private async apply(changes: AlertChanges): Promise<number> {
    for (const a of changes.opened)
      this.logger.warn(
        { alertId: a.id, kind: a.kind, accountId: a.accountId, subject: a.subject },
        `alert opened: ${a.message}`,
      );
    for (const a of changes.resolved)
      this.logger.info(
        { alertId: a.id, kind: a.kind, accountId: a.accountId, subject: a.subject },
        'alert resolved',
      );
    return this.dispatcher.dispatch(changes);
  }
}
