// The portal's view of the API's shapes, taken from the generated API types (api-types.generated.ts, from the
// OpenAPI document: `npm run api:types`) or from the server's own zod schemas (types only: nothing of the server is
// bundled), so a change there shows up here as a type error.
import type { z } from 'zod';
import type { components } from './api-types.generated.js';
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
import type { tenantConnectionView } from '../../../src/api/routes/tenant-connection.routes.js';
import type { licenceLineView, subscriptionView } from '../../../src/api/routes/subscriptions.routes.js';
import type { Permission, Role } from '../../../src/domain/access.js';
import type { PhoneAppFinding } from '../../../src/domain/phone-app.js';
import type { PhoneAppStatus as ServerPhoneAppStatus } from '../../../src/services/phone-app.service.js';
import type { TeamsSettingsInput } from '../../../src/services/phone-app.service.js';
import type { syncRunView } from '../../../src/api/routes/sync.routes.js';
import type { edgeView } from '../../../src/api/routes/teams-edge.routes.js';
import type { ConnectTenantInput } from '../../../src/services/tenant-connections.service.js';
import type { SyncChange, SyncCounters } from '../../../src/domain/sync/sync-plan.js';
import type { SyncLogLine } from '../../../src/domain/records.js';
import type { ImportPlan as ServerImportPlan } from '../../../src/domain/csv/csv-plan.js';
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

export type TenantConnection = z.infer<typeof tenantConnectionView>;
export type ConsentState = TenantConnection['consentState'];
export type Cloud = TenantConnection['cloud'];
export type ConnectTenant = ConnectTenantInput;

/** A subscription (the licences behind the summary). */
export type Subscription = z.infer<typeof subscriptionView>;

/** One SKU of the licence summary: held, used by configured users, free, and what to warn about. */
export type LicenceLine = z.infer<typeof licenceLineView>;

export type PhoneAppStatus = ServerPhoneAppStatus;

/** The Teams Direct Routing edge as `GET /teams-edge` shows it (platform operators). */
export type TeamsEdgeState = z.infer<typeof edgeView>;
export type TeamsProxyState = TeamsEdgeState['proxies'][number];
export type { PhoneAppFinding, TeamsSettingsInput, Permission, Role };

/** What the signed-in administrator may do on one account. */
export interface AccountAccess {
  platformOperator: boolean;
  roles: { accountId: string; role: Role; roleLabel: string }[];
  permissions: Permission[];
  /** Set while the account (or a partner above it) is suspended: read-only, with whom to contact. */
  suspension: { accountId: string; accountName: string; message: string } | null;
}

export type RoleAssignment = components['schemas']['RoleAssignment'];

export type Invitation = components['schemas']['Invitation'];

export type AuditEntry = components['schemas']['AuditEntry'];

export type SyncRun = z.infer<typeof syncRunView> & {
  /** Where a running sync is (phase, done of); not in the API yet, shown when present. */
  progress?: { phase?: string; done?: number; of?: number };
};
export type SyncRunDetails = SyncRun & { plan: unknown; log: SyncLogLine[] };
export type SyncStatus = 'never_synced' | 'up_to_date' | 'changes_queued' | 'syncing' | 'warning' | 'failed';
export interface SyncOverview {
  status: SyncStatus;
  lastRun: SyncRun | null;
  queuedChanges: number;
}
export type { SyncChange, SyncCounters, SyncLogLine };

/** The import report as the API shows it (planned changes without their values; passwords never). */
export type ImportPlan = Omit<ServerImportPlan, 'rows'> & {
  rows: Omit<ServerImportPlan['rows'][number], 'changes'>[];
};
export type ImportIssue = ImportPlan['issues'][number];
export interface ImportAnswer {
  applied: boolean;
  plan: ImportPlan;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  /** Users page only: how total was counted (exact, "about N", "more than N"). */
  totalIs?: 'exact' | 'about' | 'more_than';
  /** Users page only: the cursor of the next page, null on the last. */
  nextCursor?: string | null;
}

export interface Administrator {
  id: string;
  email: string;
  displayName: string;
  /** The password was chosen by someone else: the portal asks for a new one before anything else. */
  mustChangePassword: boolean;
  /** A platform operator sees provider-level pages (the Teams edge). */
  platformOperator?: boolean;
}

export type { RollbackResult } from '../../../src/services/rollback.service.js';
export type { ImportBatch as ImportRecord } from '../../../src/store/repositories/audit.repository.js';
