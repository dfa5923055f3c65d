import { z } from 'zod';
import { notFound } from '../domain/errors.js';
import type { Actor, Subscription } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';

export const TRIAL_DAYS = 30;

export const createSubscriptionInput = z.object({
  sku: z
    .enum(['pbx_user', 'trunk_user', 'phone_app_user'])
    .describe('PBX user, trunk user or Phone App user licences.'),
  quantity: z.number().int().min(1, 'must be at least 1').max(1_000_000),
  trial: z.boolean().default(false).describe(`A ${TRIAL_DAYS}-day trial.`),
});
export type CreateSubscriptionInput = z.input<typeof createSubscriptionInput>;

export const updateSubscriptionInput = z
  .object({
    quantity: z.number().int().min(1).max(1_000_000).optional(),
    state: z.enum(['active', 'cancelled']).optional(),
  })
  .refine((v) => v.quantity !== undefined || v.state !== undefined, 'send quantity or state');
export type UpdateSubscriptionInput = z.infer<typeof updateSubscriptionInput>;

/** Licence subscriptions of an account, set by its licensing provider. */
export class SubscriptionsService {
  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
  ) {}

  async create(actor: Actor, accountId: string, raw: CreateSubscriptionInput): Promise<Subscription> {
    const input = createSubscriptionInput.parse(raw);
    await this.access.require(actor, accountId, 'subscription.manage');
    return this.store.transaction(async (tx) => {
      const trialEndsAt = input.trial ? new Date(Date.now() + TRIAL_DAYS * 86_400_000).toISOString() : null;
      const subscription = await tx.subscriptions.create({
        accountId,
        sku: input.sku,
        trial: input.trial,
        quantity: input.quantity,
        trialEndsAt,
      });
      await tx.audit.append({
        accountId,
        actor,
        action: 'subscription.create',
        objectType: 'subscription',
        objectId: subscription.id,
        before: null,
        after: subscription,
      });
      return subscription;
    });
  }

  /**
   * The account's subscriptions as they stand at `now`: a trial whose 30 days are over reads as cancelled (on its
   * end date), as PRODUCT.md describes it; the licence summary still counts it through the 14-day warning.
   */
  async list(actor: Actor, accountId: string, now = new Date()): Promise<Subscription[]> {
    await this.access.require(actor, accountId, 'subscription.read');
    const at = now.toISOString();
    return (await this.store.repos.subscriptions.listByAccount(accountId)).map((s) =>
      s.state === 'active' && s.trialEndsAt !== null && s.trialEndsAt <= at
        ? { ...s, state: 'cancelled' as const, cancelledAt: s.trialEndsAt }
        : s,
    );
  }

  async update(
    actor: Actor,
    accountId: string,
    id: string,
    patch: UpdateSubscriptionInput,
  ): Promise<Subscription> {
    await this.access.require(actor, accountId, 'subscription.manage');
    return this.store.transaction(async (tx) => {
      const before = await tx.subscriptions.findById(accountId, id);
      if (!before) throw notFound('subscription', id);
      const cancelledAt =
        patch.state === 'cancelled' && before.state !== 'cancelled' ? new Date().toISOString() : undefined;
      const after = await tx.subscriptions.update(accountId, id, {
        ...patch,
        ...(cancelledAt && { cancelledAt }),
      });
      if (!after) throw notFound('subscription', id);
      await tx.audit.append({
        accountId,
        actor,
        action: 'subscription.update',
        objectType: 'subscription',
        objectId: id,
        before,
        after,
      });
      return after;
    });
  }
}
