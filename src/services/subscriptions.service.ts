import { z } from 'zod';
import { notFound } from '../domain/errors.js';
import type { Actor, Sku, Subscription } from '../domain/records.js';
import type { Store } from '../store/store.js';

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

export interface LicenceLine {
  sku: Sku;
  held: number;
  trialEndsAt: string | null;
}

/** Licence subscriptions of an account, set by its licensing provider. */
export class SubscriptionsService {
  constructor(private readonly store: Store) {}

  async create(actor: Actor, accountId: string, raw: CreateSubscriptionInput): Promise<Subscription> {
    const input = createSubscriptionInput.parse(raw);
    return this.store.transaction(async (tx) => {
      if (!(await tx.accounts.findById(accountId))) throw notFound('account', accountId);
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

  async list(accountId: string): Promise<Subscription[]> {
    if (!(await this.store.repos.accounts.findById(accountId))) throw notFound('account', accountId);
    return this.store.repos.subscriptions.listByAccount(accountId);
  }

  async update(
    actor: Actor,
    accountId: string,
    id: string,
    patch: UpdateSubscriptionInput,
  ): Promise<Subscription> {
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

  /** Licences held per SKU: active subscriptions whose trial (if any) has not ended. */
  async held(accountId: string, now = new Date()): Promise<LicenceLine[]> {
    const lines = new Map<Sku, LicenceLine>();
    for (const s of await this.list(accountId)) {
      if (s.state !== 'active' || (s.trialEndsAt !== null && s.trialEndsAt <= now.toISOString())) continue;
      const line = lines.get(s.sku) ?? { sku: s.sku, held: 0, trialEndsAt: null };
      line.held += s.quantity;
      if (s.trialEndsAt && (!line.trialEndsAt || s.trialEndsAt < line.trialEndsAt))
        line.trialEndsAt = s.trialEndsAt;
      lines.set(s.sku, line);
    }
    return [...lines.values()];
  }
}
