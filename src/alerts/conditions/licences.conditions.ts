/**
 * Alert conditions from licences: a trial ending within 14 days or in its grace period, and accounts using more
 * licences than they hold (users left unlicensed). Read through the licence rules of `src/domain/licences.ts`.
 */
import { licenceSummary, SKU_LABELS } from '../../domain/licences.js';
import type { Subscription } from '../../domain/records.js';
import { usage } from '../../services/licences.service.js';
import type { Store } from '../../store/store.js';
import type { AlertCondition } from '../alert.types.js';

const DAY = 86_400_000;
/** A trial is announced this long before it ends. */
export const TRIAL_NOTICE_DAYS = 14;

export async function licenceConditions(
  store: Store,
  now: Date,
  accountIds?: readonly string[],
): Promise<AlertCondition[]> {
  const byAccount = new Map<string, Subscription[]>();
  for (const s of await store.repos.subscriptions.listAllActive()) {
    if (accountIds && !accountIds.includes(s.accountId)) continue;
    byAccount.set(s.accountId, [...(byAccount.get(s.accountId) ?? []), s]);
  }
  const found: AlertCondition[] = [];
  for (const [accountId, subscriptions] of byAccount) {
    const used = await usage(store.repos, accountId);
    for (const line of licenceSummary(subscriptions, used, now)) {
      const label = SKU_LABELS[line.sku];
      if (line.state === 'short')
        found.push({
          accountId,
          kind: 'licences_short',
          subject: line.sku,
          subjectLabel: label,
          severity: 'critical',
          message: line.warning ?? `${label} licences are short.`,
          details: { sku: line.sku, held: line.held, used: line.used },
        });
      const ends = line.trialEndsAt ? Date.parse(line.trialEndsAt) : null;
      if (ends !== null && ends - now.getTime() <= TRIAL_NOTICE_DAYS * DAY)
        found.push({
          accountId,
          kind: 'trial_expiring',
          subject: line.sku,
          subjectLabel: label,
          severity: line.serviceStopsAt ? 'critical' : 'warning',
          message:
            line.warning && line.serviceStopsAt
              ? line.warning
              : `The ${label} trial ends on ${line.trialEndsAt!.slice(0, 10)} (in ${Math.max(0, Math.ceil((ends - now.getTime()) / DAY))} days): ask your licensing provider to add licences before then.`,
          details: { sku: line.sku, trialEndsAt: line.trialEndsAt, serviceStopsAt: line.serviceStopsAt },
        });
    }
  }
  return found;
}
