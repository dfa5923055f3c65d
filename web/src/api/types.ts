// The portal's view of the API's shapes, taken from the server's own zod schemas (types only: nothing of the
// server is bundled), so a change there shows up here as a type error.
import type { z } from 'zod';
import type {
  accountView,
  createAccountInput,
  updateAccountInput,
} from '../../../src/services/schemas/account.schema.js';
import type {
  createUserInput,
  listUsersQuery,
  updateUserInput,
  userView,
} from '../../../src/services/schemas/user.schema.js';
import type {
  createServiceInput,
  serviceView,
  updateServiceInput,
} from '../../../src/services/schemas/voice-service.schema.js';

export type Account = z.infer<typeof accountView>;
export type CreateAccount = z.input<typeof createAccountInput>;
export type UpdateAccount = z.input<typeof updateAccountInput>;

export type Service = z.infer<typeof serviceView>;
export type CreateService = z.input<typeof createServiceInput>;
export type UpdateService = z.input<typeof updateServiceInput>;

export type User = z.infer<typeof userView>;
export type CreateUser = z.input<typeof createUserInput>;
export type UpdateUser = z.input<typeof updateUserInput>;
export type UsersQuery = Partial<z.infer<typeof listUsersQuery>>;
export type UserKind = User['kind'];
export type RegistrationState = User['registrationState'];
export type UserSort = NonNullable<UsersQuery['sort']>;

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Administrator {
  id: string;
  email: string;
  displayName: string;
}
