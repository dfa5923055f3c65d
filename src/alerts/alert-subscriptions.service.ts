/**
 * Where an account's alerts go: webhook and email subscriptions (a provider's subscription covers its clients),
 * the delivery log and "send test". Reading needs `service.read`, changing `service.write`; every change is
 * audited without the secret, which is sealed at rest and never returned.
 */
import { AppError, notFound } from '../domain/errors.js';
import type { Actor } from '../domain/records.js';
import type { AccessService } from '../services/access.service.js';
import type { SecretBox } from '../services/secrets/secret-box.js';
import type { Store } from '../store/store.js';
import { payloadOf, type AlertDispatcher } from './alert-dispatcher.js';
import type { AlertDelivery, AlertSubscription } from './alert-subscriptions.repository.js';
import {
  createSubscriptionInput,
  updateSubscriptionInput,
  type CreateSubscriptionInput,
  type UpdateSubscriptionInput,
} from './alerts.schema.js';
import { parseWebhookUrl, type WebhookAddressPolicy } from './webhook/webhook-address.js';

function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', message, { field });
}

export class AlertSubscriptionsService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly secrets: SecretBox,
    private readonly dispatcher: AlertDispatcher,
    private readonly policy: WebhookAddressPolicy,
  ) {}

  async list(actor: Actor, accountId: string): Promise<AlertSubscription[]> {
    await this.access.require(actor, accountId, 'service.read');
    return this.store.repos.alertSubscriptions.listByAccount(accountId);
  }

  async create(actor: Actor, accountId: string, raw: CreateSubscriptionInput): Promise<AlertSubscription> {
    const input = createSubscriptionInput.parse(raw);
    await this.access.require(actor, accountId, 'service.write');
    if (input.channel === 'webhook') {
      if (input.email !== undefined)
        throw invalid('email', 'A webhook subscription takes a url, not an email.');
      if (!input.url) throw invalid('url', 'A webhook subscription needs its https:// url.');
      if (!input.secret)
        throw invalid('secret', 'A webhook subscription needs a signing secret of at least 16 characters.');
      parseWebhookUrl(input.url, this.policy);
    } else {
      if (input.url !== undefined || input.secret !== undefined)
        throw invalid(
          input.url !== undefined ? 'url' : 'secret',
          'An email subscription takes an email only.',
        );
      if (!input.email) throw invalid('email', 'An email subscription needs the address to send to.');
    }
    return this.store.transaction(async (tx) => {
      const created = await tx.alertSubscriptions.create({
        accountId,
        channel: input.channel,
        name: input.name,
        url: input.url ?? null,
        secretEnc: input.secret ? this.secrets.encrypt(input.secret) : null,
        email: input.email ?? null,
        kinds: input.kinds ?? null,
        enabled: input.enabled,
      });
      await tx.audit.append({
        accountId,
        actor,
        action: 'alert_subscription.create',
        objectType: 'alert_subscription',
        objectId: created.id,
        before: null,
        after: created,
      });
      return created;
    });
  }

  async update(
    actor: Actor,
    accountId: string,
    id: string,
    raw: UpdateSubscriptionInput,
  ): Promise<AlertSubscription> {
    const patch = updateSubscriptionInput.parse(raw);
    await this.access.require(actor, accountId, 'service.write');
    const before = await this.require(accountId, id);
    if (before.channel === 'webhook' && patch.email !== undefined)
      throw invalid('email', 'A webhook subscription takes a url, not an email.');
    if (before.channel === 'email' && (patch.url !== undefined || patch.secret !== undefined))
      throw invalid(patch.url !== undefined ? 'url' : 'secret', 'An email subscription takes an email only.');
    if (patch.url !== undefined) parseWebhookUrl(patch.url, this.policy);
    return this.store.transaction(async (tx) => {
      await tx.alertSubscriptions.update(accountId, id, {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.url !== undefined && { url: patch.url }),
        ...(patch.secret !== undefined && { secretEnc: this.secrets.encrypt(patch.secret) }),
        ...(patch.email !== undefined && { email: patch.email }),
        ...(patch.kinds !== undefined && { kinds: patch.kinds }),
        ...(patch.enabled !== undefined && { enabled: patch.enabled }),
      });
      const after = (await tx.alertSubscriptions.findById(accountId, id))!;
      await tx.audit.append({
        accountId,
        actor,
        action: 'alert_subscription.update',
        objectType: 'alert_subscription',
        objectId: id,
        before,
        after: { ...after, ...(patch.secret !== undefined && { secretChanged: true }) },
      });
      return after;
    });
  }

  async delete(actor: Actor, accountId: string, id: string): Promise<void> {
    await this.access.require(actor, accountId, 'service.write');
    const before = await this.require(accountId, id);
    await this.store.transaction(async (tx) => {
      await tx.alertSubscriptions.delete(accountId, id);
      await tx.audit.append({
        accountId,
        actor,
        action: 'alert_subscription.delete',
        objectType: 'alert_subscription',
        objectId: id,
        before,
        after: null,
      });
    });
  }

  /** The subscription's delivery log, newest first. */
  async deliveries(actor: Actor, accountId: string, id: string, limit = 50): Promise<AlertDelivery[]> {
    await this.access.require(actor, accountId, 'service.read');
    await this.require(accountId, id);
    return this.store.repos.alertSubscriptions.listDeliveries(accountId, id, limit);
  }

  /** Queues a test message to the subscription (delivered by the worker, logged like any other). */
  async sendTest(actor: Actor, accountId: string, id: string): Promise<{ deliveryId: string }> {
    await this.access.require(actor, accountId, 'service.write');
    const subscription = await this.require(accountId, id);
    const now = new Date().toISOString();
    const payload = payloadOf(
      'test',
      {
        id: 'test',
        accountId,
        kind: 'sync_failed',
        subject: 'test',
        subjectLabel: 'Test alert',
        severity: 'warning',
        state: 'open',
        message: `A test of the subscription "${subscription.name}", sent by ${actor.label}. No action is needed.`,
        details: { test: true },
        count: 1,
        openedAt: now,
        lastSeenAt: now,
        resolvedAt: null,
      },
      now,
    );
    const deliveryId = await this.dispatcher.queue(subscription, 'test', null, payload);
    return { deliveryId };
  }

  private async require(accountId: string, id: string): Promise<AlertSubscription> {
    const found = await this.store.repos.alertSubscriptions.findById(accountId, id);
    if (!found) throw notFound('alert subscription', id);
    return found;
  }
}
