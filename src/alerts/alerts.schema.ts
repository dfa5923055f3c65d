/** Zod schemas of the alerts API (the portal's types and the OpenAPI document come from them). */
import { z } from 'zod';
import { ALERT_KINDS } from './alert.types.js';

export const alertKind = z.enum(ALERT_KINDS);

export const alertView = z.object({
  id: z.string(),
  accountId: z.string().nullable().describe('null for a platform-level alert (the Teams edge)'),
  accountName: z.string().nullable(),
  kind: alertKind,
  subject: z.string(),
  subjectLabel: z.string(),
  severity: z.enum(['warning', 'critical']),
  state: z.enum(['open', 'resolved']),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  count: z.number().int().describe('How many evaluations saw the condition while open'),
  openedAt: z.string(),
  lastSeenAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type AlertView = z.infer<typeof alertView>;

export const listAlertsQuery = z.object({
  state: z.enum(['open', 'resolved']).optional(),
  kind: alertKind.optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Opened at or after'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const kindsField = z
  .array(alertKind)
  .min(1)
  .max(ALERT_KINDS.length)
  .nullable()
  .describe('The alert kinds delivered; null or absent: every kind.');

export const createSubscriptionInput = z.object({
  channel: z.enum(['webhook', 'email']),
  name: z.string().trim().min(1).max(100),
  url: z
    .string()
    .max(2000)
    .optional()
    .describe('Webhook only: https:// URL on a public address (no redirects followed).'),
  secret: z
    .string()
    .min(16, 'must be at least 16 characters')
    .max(200)
    .optional()
    .describe('Webhook only: the signing secret (HMAC-SHA256); stored encrypted and never shown again.'),
  email: z.email().max(320).optional().describe('Email only: where the alerts go.'),
  kinds: kindsField.optional(),
  enabled: z.boolean().default(true),
});
export type CreateSubscriptionInput = z.input<typeof createSubscriptionInput>;

export const updateSubscriptionInput = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  url: z.string().max(2000).optional(),
  secret: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
  email: z.email().max(320).optional(),
  kinds: kindsField.optional(),
  enabled: z.boolean().optional(),
});
export type UpdateSubscriptionInput = z.infer<typeof updateSubscriptionInput>;

export const subscriptionView = z.object({
  id: z.string(),
  accountId: z.string(),
  channel: z.enum(['webhook', 'email']),
  name: z.string(),
  url: z.string().nullable(),
  email: z.string().nullable(),
  kinds: z.array(alertKind).nullable(),
  enabled: z.boolean(),
  hasSecret: z.boolean().describe('The secret itself is never returned.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const deliveryView = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  accountId: z.string(),
  alertId: z.string().nullable(),
  event: z.enum(['alert.opened', 'alert.resolved', 'test']),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  statusCode: z
    .number()
    .int()
    .nullable()
    .describe("The receiver's last status code; its answer body is never kept."),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
