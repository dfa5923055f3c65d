/**
 * Turns opened and resolved alerts into deliveries: for each enabled subscription that covers the alert (held
 * on its account or an account above it; a platform alert goes to the providers' subscriptions) and wants its
 * kind, one delivery row and one `alert_delivery` job, which the worker runs and retries with backoff.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import type { Alert, AlertChanges } from './alert.types.js';
import type { AlertSubscription } from './alert-subscriptions.repository.js';

export const ALERT_DELIVERY_JOB = 'alert_delivery';
/** Attempts per delivery (the worker doubles the wait after each failure). */
export const DELIVERY_ATTEMPTS = 6;

/** The JSON body of a delivery (documented in README "Alerts"). */
export function payloadOf(
  event: 'alert.opened' | 'alert.resolved' | 'test',
  alert: Alert,
  at: string,
): string {
  return JSON.stringify({ type: event, createdAt: at, alert });
}

export class AlertDispatcher {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    /** Wakes this process's worker when a delivery is queued (set by `serve`). */
    private readonly nudge: () => void = () => undefined,
  ) {}

  async dispatch(changes: AlertChanges): Promise<number> {
    let queued = 0;
    for (const alert of changes.opened) queued += await this.deliver('alert.opened', alert);
    for (const alert of changes.resolved) queued += await this.deliver('alert.resolved', alert);
    if (queued > 0) this.nudge();
    return queued;
  }

  /** Queues one delivery of `payload` to `subscription` (also the "send test" action). */
  async queue(
    subscription: AlertSubscription,
    event: 'alert.opened' | 'alert.resolved' | 'test',
    alertId: string | null,
    payload: string,
  ): Promise<string> {
    return this.store.transaction(async (tx) => {
      const delivery = await tx.alertSubscriptions.createDelivery({
        subscriptionId: subscription.id,
        accountId: subscription.accountId,
        alertId,
        event,
        payload,
      });
      await tx.jobs.enqueue({
        kind: ALERT_DELIVERY_JOB,
        accountId: subscription.accountId,
        payload: { deliveryId: delivery.id },
        maxAttempts: DELIVERY_ATTEMPTS,
      });
      return delivery.id;
    });
  }

  private async deliver(event: 'alert.opened' | 'alert.resolved', alert: Alert): Promise<number> {
    const subscriptions = await this.subscribersOf(alert);
    const payload = payloadOf(event, alert, new Date().toISOString());
    for (const s of subscriptions) await this.queue(s, event, alert.id, payload);
    if (subscriptions.length > 0)
      this.logger.info(
        { alertId: alert.id, kind: alert.kind, event, deliveries: subscriptions.length },
        'alert queued',
      );
    return subscriptions.length;
  }

  private async subscribersOf(alert: Alert): Promise<AlertSubscription[]> {
    const repos = this.store.repos;
    let holders: string[];
    if (alert.accountId === null)
      holders = (await repos.accounts.listAll()).filter((a) => a.kind === 'partner').map((a) => a.id);
    else holders = await repos.accounts.lineage(alert.accountId);
    return (await repos.alertSubscriptions.listEnabledOn(holders)).filter(
      (s) => s.kinds === null || s.kinds.includes(alert.kind),
    );
  }
}
