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
