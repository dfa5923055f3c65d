/** The API's shapes of call records, ladders, captures and live calls (zod: validation and OpenAPI). */
import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true });

export const callDirection = z.enum(['pbx-to-teams', 'teams-to-pbx']);
export const callResult = z.enum([
  'answered',
  'busy',
  'no-answer',
  'declined',
  'cancelled',
  'failed',
  'refused',
]);

export const listCallsQuery = z
  .strictObject({
    userId: z.uuid().optional().describe("Only this user's calls."),
    direction: callDirection.optional(),
    result: callResult.optional(),
    from: isoTime.optional().describe('Started at or after this time (ISO 8601).'),
    to: isoTime.optional().describe('Started before this time (ISO 8601).'),
    number: z
      .string()
      .regex(/^\+?[0-9*#]{1,32}$/, 'must be digits, optionally starting with +, e.g. +4420794')
      .optional()
      .describe('Calls from or to a number starting with this.'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(512).optional().describe('The nextCursor of the previous page.'),
  })
  .refine((q) => !(q.from && q.to) || q.from < q.to, {
    message: 'from must be before to.',
    path: ['from'],
  });
export type ListCallsQuery = z.infer<typeof listCallsQuery>;

export const exportCallsQuery = z.strictObject({
  userId: z.uuid().optional(),
  direction: callDirection.optional(),
  result: callResult.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  number: z
    .string()
    .regex(/^\+?[0-9*#]{1,32}$/, 'must be digits, optionally starting with +')
    .optional(),
});

const legView = z.object({
  side: z.enum(['pbx', 'teams']),
  sipCallId: z.string(),
  finalStatus: z.number().optional(),
  reason: z.string().optional(),
  peer: z.string().optional(),
  hungUpBy: z.enum(['pbx', 'teams', 'callbridge']).optional(),
});

const sideFigures = z.object({ pbx: z.number().optional(), teams: z.number().optional() });

export const callView = z.object({
  id: z.string(),
  accountId: z.string(),
  serviceId: z.string(),
  userId: z.string().nullable(),
  direction: callDirection,
  from: z.string(),
  to: z.string(),
  startedAt: z.string(),
  ringingAt: z.string().nullable(),
  answeredAt: z.string().nullable(),
  endedAt: z.string(),
  durationMs: z.number().describe('Talk time, answer to end; 0 when not answered.'),
  result: callResult,
  failed: z.boolean().describe('Shown red in the call log: failed, refused or declined.'),
  finalStatus: z.number().nullable(),
  refusedBy: z.enum(['pbx', 'teams', 'callbridge']).nullable(),
  q850Cause: z.number().nullable(),
  proxy: z.string().nullable(),
  codec: z.string().nullable(),
  refusal: z.object({ code: z.string(), message: z.string() }).nullable(),
  legs: z.array(legView),
  transfers: z.array(z.string()),
  media: z
    .object({
      packets: sideFigures,
      lost: sideFigures.optional(),
      jitterMs: sideFigures.optional(),
      mos: z.number().optional(),
      codec: z.string().optional(),
    })
    .nullable(),
  hasLadder: z.boolean(),
});

export const adviceView = z.object({
  code: z.string(),
  title: z.string(),
  steps: z.array(z.string()),
  fix: z.object({
    kind: z.enum([
      'user',
      'service',
      'teams_settings',
      'tenant_connection',
      'licences',
      'teams_edge',
      'tenant',
    ]),
    path: z.string(),
  }),
});

export const callDetailView = callView.extend({ advice: adviceView.nullable() });

export const ladderEntryView = z.object({
  at: z.string(),
  leg: z.enum(['pbx', 'teams']),
  direction: z.enum(['in', 'out']),
  summary: z.string(),
  text: z.string(),
});

export const captureInput = z
  .strictObject({
    calls: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe("Keep the ladders of the user's next N calls."),
    hours: z.number().int().min(1).max(168).optional().describe('Keep every ladder for this many hours.'),
  })
  .refine((c) => c.calls !== undefined || c.hours !== undefined, {
    message: 'Give calls (the next N calls), hours (for this long), or both.',
    path: ['calls'],
  });

export const captureView = z.object({
  userId: z.string(),
  callsLeft: z.number().nullable(),
  until: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});

export const liveCallView = z.object({
  id: z.string(),
  accountId: z.string(),
  serviceId: z.string(),
  userId: z.string().optional(),
  direction: callDirection,
  from: z.string(),
  to: z.string(),
  startedAt: z.string(),
  state: z.enum(['setup', 'ringing', 'answered', 'ending']),
  answeredAt: z.string().optional(),
  durationMs: z.number().describe('Time since the call started.'),
});
