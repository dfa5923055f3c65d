import { z } from 'zod';

const e164Text = z.string().trim().min(1, 'must not be empty').max(64);

export const addNumberRangeInput = z.object({
  start: e164Text.describe('First number of the range, E.164 (e.g. +441235123400).'),
  end: z
    .string()
    .trim()
    .max(64)
    .nullish()
    .describe(
      'Last number, E.164, same length as the start. Omit, or give the start again, for a single number.',
    ),
});
export type AddNumberRangeInput = z.infer<typeof addNumberRangeInput>;

export const numberRangeView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    serviceId: z.string(),
    start: z.string(),
    end: z.string(),
    size: z.number().describe('How many numbers the range holds.'),
    used: z.number().describe('Numbers of the range held by a user or resource account of the account.'),
    reserved: z
      .number()
      .describe('Numbers of the range kept as service numbers (shared caller IDs), held by no user.'),
    free: z.number().describe('Numbers neither used nor reserved: size - used - reserved.'),
    createdAt: z.string(),
  })
  .meta({ id: 'NumberRange' });
export type NumberRangeView = z.infer<typeof numberRangeView>;

export const addedNumberRangeView = numberRangeView.extend({
  warnings: z.array(z.string()).describe('Doubts worth a look, e.g. an end not valid in its numbering plan.'),
});
export type AddedNumberRangeView = z.infer<typeof addedNumberRangeView>;

export const nextFreeQuery = z.object({
  count: z.coerce
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(1)
    .describe('How many free numbers to return, lowest first.'),
});
export type NextFreeQuery = z.infer<typeof nextFreeQuery>;

export const nextFreeView = z.object({
  numbers: z
    .array(z.object({ number: z.string(), rangeId: z.string() }))
    .describe('Free numbers, lowest first (fewer than asked when the ranges run out).'),
});
export type NextFreeView = z.infer<typeof nextFreeView>;

export const addServiceNumberInput = z.object({
  number: e164Text.describe('The shared caller ID, E.164 (e.g. +441235123400).'),
  label: z
    .string()
    .trim()
    .min(1, 'must not be empty: say what the number is, e.g. "Main number"')
    .max(100)
    .describe('What the number is, e.g. "Main number" or "Sales".'),
});
export type AddServiceNumberInput = z.infer<typeof addServiceNumberInput>;

export const serviceNumberView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    serviceId: z.string(),
    number: z.string(),
    label: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'ServiceNumber' });
export type ServiceNumberView = z.infer<typeof serviceNumberView>;

export const sharedNumbersView = z
  .object({
    partnerId: z.string(),
    items: z.array(
      z.object({
        number: z.string(),
        accountCount: z.number(),
        holders: z.array(
          z.object({
            accountId: z.string(),
            accountName: z.string(),
            userId: z.string(),
            displayName: z.string(),
            email: z.string(),
            lineUri: z.string(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'SharedNumbers' });
export type SharedNumbersView = z.infer<typeof sharedNumbersView>;
