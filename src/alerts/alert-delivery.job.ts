/**
 * The `alert_delivery` job: one attempt at one delivery. A webhook is signed and posted (`webhook/`), an email
 * goes through the mailer. The attempt is written to the delivery log; a failed attempt throws so the worker
 * retries it later (the wait doubles each time) until the job's attempts run out, when the delivery is `failed`.
 */
import type { Job } from '../domain/records.js';
import type { Mailer } from '../services/mailer.js';
import type { SecretBox } from '../services/secrets/secret-box.js';
import type { Store } from '../store/store.js';
import type { Alert } from './alert.types.js';
import { sendWebhook, type WebhookAttempt, type WebhookSendOptions } from './webhook/webhook-sender.js';

export interface AlertDeliverySettings extends WebhookSendOptions {
  mailer: Mailer | undefined;
  publicUrl: string;
}

export function alertDeliveryHandler(store: Store, secrets: SecretBox, settings: AlertDeliverySettings) {
  return async (job: Job): Promise<Record<string, unknown>> => {
    const deliveryId = String(job.payload['deliveryId']);
    const repo = store.repos.alertSubscriptions;
    const delivery = await repo.findDelivery(deliveryId);
    if (!delivery) return { skipped: 'delivery gone' };
    const subscription = await repo.findForDelivery(delivery.subscriptionId);
    if (!subscription) return { skipped: 'subscription gone' };
    let attempt: WebhookAttempt;
    if (subscription.channel === 'webhook')
      attempt = await sendWebhook(
        subscription.url ?? '',
        subscription.secretEnc ? secrets.decrypt(subscription.secretEnc) : '',
        delivery.payload,
        { 'callbridge-event': delivery.event, 'callbridge-delivery': delivery.id },
        settings,
      );
    else attempt = await sendMail(settings, subscription.email ?? '', delivery.payload);
    const last = job.attempts >= job.maxAttempts;
    await repo.recordAttempt(delivery.id, {
      state: attempt.ok ? 'delivered' : last ? 'failed' : 'pending',
      statusCode: attempt.statusCode,
      error: attempt.error,
    });
    if (!attempt.ok) throw new Error(attempt.error ?? 'delivery failed');
    return { deliveryId: delivery.id, statusCode: attempt.statusCode };
  };
}

async function sendMail(
  settings: AlertDeliverySettings,
  to: string,
  payload: string,
): Promise<WebhookAttempt> {
  if (!settings.mailer)
    return { ok: false, statusCode: null, error: 'No mail server is configured: set CALLBRIDGE_SMTP_URL.' };
  const { type, alert } = JSON.parse(payload) as { type: string; alert: Alert };
  const what =
    type === 'test'
      ? 'Test alert'
      : type === 'alert.resolved'
        ? `Resolved: ${alert.subjectLabel}`
        : alert.subjectLabel;
  try {
    await settings.mailer.send({
      to,
      subject: `[Callbridge] ${what}: ${alert.kind.replace(/_/g, ' ')}`,
      text: [
        type === 'alert.resolved' ? 'This alert resolved itself: the condition cleared.' : alert.message,
        '',
        `Kind: ${alert.kind}`,
        `About: ${alert.subjectLabel}`,
        `Opened: ${alert.openedAt}`,
        ...(alert.resolvedAt ? [`Resolved: ${alert.resolvedAt}`] : []),
        '',
        `${settings.publicUrl.replace(/\/+$/, '')}/alerts`,
      ].join('\n'),
    });
    return { ok: true, statusCode: null, error: null };
  } catch (error) {
    return {
      ok: false,
      statusCode: null,
      error: `The mail server refused: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
