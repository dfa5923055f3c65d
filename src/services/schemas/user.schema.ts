import { z } from 'zod';
import {
  CONTROL_CHARACTERS_PROBLEM,
  hasControlCharacters,
  SIP_PASSWORD_MAX_LENGTH,
} from '../../domain/sip-password.js';

const sipIdentifier = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128)
  .regex(
    /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$/,
    'may hold only letters, digits and the characters SIP allows in a user part (no spaces or @)',
  );

const userFields = {
  displayName: z.string().trim().min(1, 'must not be empty').max(256),
  phoneNumber: z
    .string()
    .max(64)
    .nullish()
    .describe('E.164, e.g. +441235123465, optionally with ;ext=201. Empty or null removes the number.'),
  sipUsername: sipIdentifier
    .nullish()
    .describe('The SIP username (user part of the AOR) the PBX knows this user by.'),
  authUsername: sipIdentifier
    .nullish()
    .describe('Digest authentication username, when the PBX uses one other than the SIP username.'),
  sipPassword: z
    .string()
    .min(1, 'must not be empty')
    .max(SIP_PASSWORD_MAX_LENGTH, `must be at most ${SIP_PASSWORD_MAX_LENGTH} characters`)
    .refine((password) => !hasControlCharacters(password), CONTROL_CHARACTERS_PROBLEM)
    .nullish()
    .describe('Write-only. Null removes it.'),
  registrationEnabled: z.boolean().optional(),
  externalId: z.string().max(256).nullish(),
  callerId: z
    .string()
    .max(64)
    .nullish()
    .describe(
      "Trunk services: the number shown on outbound calls, E.164: the user's own number or a service number of " +
        'the trunk. Empty or null shows their own number.',
    ),
};

export const createUserInput = z.object({
  serviceId: z.uuid(),
  email: z.email('must be an email address such as anna@contoso.com').max(320),
  ...userFields,
});
export type CreateUserInput = z.infer<typeof createUserInput>;

export const updateUserInput = z
  .object({
    ...userFields,
    displayName: userFields.displayName.optional(),
    version: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Send the version you read to refuse lost updates.'),
  })
  .refine(
    (v) => Object.keys(v).filter((k) => k !== 'version').length > 0,
    'send at least one field to change',
  );
export type UpdateUserInput = z.infer<typeof updateUserInput>;

/** Registration states a user shows (the SIP role's, plus `unregistered` after a clean stop); `unconfirmed`: PBX silent. */
export const REGISTRATION_STATES = [
  'registered',
  'failed',
  'disabled',
  'pending',
  'expiring',
  'unconfirmed',
  'unregistered',
] as const;

export const listUsersQuery = z
  .object({
    serviceId: z.uuid().optional(),
    kind: z.enum(['standard', 'phone_app', 'resource_account']).optional(),
    numberType: z
      .enum(['ddi', 'extension', 'trunk'])
      .optional()
      .describe('Only users whose number is of this type: DDI, extension number or trunk number.'),
    registrationState: z.enum(REGISTRATION_STATES).optional(),
    search: z.string().trim().max(200).optional(),
    sort: z.enum(['displayName', 'email', 'phoneNumber', 'createdAt']).default('displayName'),
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
    cursor: z
      .string()
      .max(2000)
      .optional()
      .describe(
        'The nextCursor of the previous page: the next page at any depth, as fast as the first (offset must be 0).',
      ),
  })
  .refine((query) => !(query.cursor && query.offset > 0), {
    message: 'Give either cursor or offset, not both: a cursor already says where the page starts.',
    path: ['offset'],
  });
export type ListUsersQuery = z.infer<typeof listUsersQuery>;

export const userView = z
  .object({
    id: z.string(),
    accountId: z.string(),
    serviceId: z.string(),
    objectId: z.string().nullable(),
    upn: z.string().nullable(),
    email: z.string(),
    displayName: z.string(),
    kind: z.enum(['standard', 'phone_app', 'resource_account']),
    tenantState: z.enum(['active', 'disabled', 'removed', 'not_synced']),
    usageLocation: z.string().nullable(),
    coexistenceMode: z.string().nullable(),
    licences: z.array(z.string()),
    phoneNumber: z.string().nullable(),
    extension: z.string().nullable(),
    lineUri: z.string().nullable(),
    numberType: z.enum(['ddi', 'extension', 'trunk']).nullable(),
    callerId: z.string().nullable(),
    sipUsername: z.string().nullable(),
    authUsername: z.string().nullable(),
    hasSipPassword: z.boolean(),
    registrationEnabled: z.boolean(),
    registrationState: z.enum(REGISTRATION_STATES),
    registrationDetail: z.object({
      lastSuccessAt: z.string().optional(),
      expiresAt: z.string().optional(),
      statusCode: z.number().optional(),
      reason: z.string().optional(),
      final: z
        .boolean()
        .optional()
        .describe('Failed: true when no attempt comes until the settings change or someone retries now.'),
      retryAt: z.string().optional().describe('Failed, not final: when the next attempt is due.'),
    }),
    externalId: z.string().nullable(),
    syncError: z.string().nullable(),
    warnings: z
      .array(z.string())
      .optional()
      .describe(
        'On the answer to a change only, when there are any: doubts about what was saved, e.g. a number that is ' +
          'possible but not in use in its numbering plan (saved; calls to it may fail).',
      ),
    version: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });
export type UserView = z.infer<typeof userView>;
