import { z } from 'zod';

export const accountName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

export const createAccountInput = z.object({
  name: accountName,
  kind: z
    .enum(['partner', 'client'])
    .describe('partner: a provider that sells licences; client: a customer of a partner.'),
  parentId: z.uuid().nullish().describe('The partner this account sits beneath. Required for a client.'),
});
export type CreateAccountInput = z.infer<typeof createAccountInput>;

export const updateAccountInput = z
  .object({ name: accountName.optional(), status: z.enum(['active', 'suspended']).optional() })
  .refine((v) => Object.keys(v).length > 0, 'send at least one of name, status');
export type UpdateAccountInput = z.infer<typeof updateAccountInput>;

export const brandInput = z
  .object({
    productName: z.string().trim().min(1).max(100).optional().describe('The portal name clients see.'),
    primaryColor: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a73e8')
      .optional(),
    supportEmail: z.email('must be an email address').optional(),
    supportPhone: z.string().trim().max(40).optional(),
    logoUrl: z.url('must be an https URL').startsWith('https://', 'must be an https URL').optional(),
  })
  .meta({ id: 'Brand' });
export type Brand = z.infer<typeof brandInput>;

export const accountView = z
  .object({
    id: z.string(),
    parentId: z.string().nullable(),
    kind: z.enum(['partner', 'client']),
    name: z.string(),
    status: z.enum(['active', 'suspended']),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Account' });
