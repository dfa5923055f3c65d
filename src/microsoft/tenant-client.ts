import type {
  CoexistenceMode,
  FederationSettings,
  InstalledTeamsApp,
  NumberAssignment,
  NumberOperation,
  NumberType,
  SubscribedSku,
  TeamsUserConfiguration,
  TenantDomain,
  TenantUser,
  UserCoexistence,
  UserDeltaPage,
  VoiceRoute,
  VoiceRoutingPolicy,
} from './microsoft.types.js';
import type { GraphError } from './graph.error.js';
import type { NumberAssignmentError } from './number-assignment.writer.js';

/** Ask to assign a Direct Routing (or other) number to a user or resource account. */
export interface AssignNumberRequest {
  telephoneNumber: string;
  userId: string;
  numberType?: NumberType;
  assignmentCategory?: 'primary' | 'private' | 'alternate';
  locationId?: string;
}

/** Ask to remove a number from whoever holds it. */
export interface UnassignNumberRequest {
  telephoneNumber: string;
  numberType?: NumberType;
}

/**
 * Where a number operation stands. `pending` carries the operation URL so a sync can persist it and look again
 * later with {@link MicrosoftTenantClient.getNumberOperation} (Microsoft can take hours).
 */
export type NumberOperationOutcome =
  | { state: 'succeeded'; telephoneNumber: string; operationUrl: string }
  | { state: 'pending'; telephoneNumber: string; operationUrl: string }
  | { state: 'failed'; telephoneNumber: string; operationUrl: string | null; error: NumberAssignmentError };

/** Per-user result of a batched write. */
export type UserWriteOutcome =
  { userId: string; ok: true } | { userId: string; ok: false; error: GraphError };

/** Options of reads that page. */
export interface PageOptions {
  /** `$top`; Graph allows 1-999 on users. */
  pageSize?: number;
  /** `$select`; defaults to what Callbridge needs. */
  select?: readonly string[];
}

/**
 * Everything the services do with a customer's Microsoft 365 tenant. The Graph/Teams implementation is
 * {@link GraphTenantClient}; tests run it against the emulator. Reads that can be large are async iterables of
 * pages so a 250,000-user tenant never sits in memory at once.
 */
export interface MicrosoftTenantClient {
  readonly tenantId: string;

  /** All users, page by page (`GET /users?$select&$top=999`, following @odata.nextLink). */
  listUsers(options?: PageOptions): AsyncIterable<TenantUser[]>;
  /**
   * Users changed since `deltaLink` (or all users when null). The last page carries the new deltaLink to persist.
   * An updated user carries only the properties that changed; an item may appear more than once across pages:
   * merge occurrences in order. Throws
   * {@link DeltaResyncRequiredError} when Microsoft no longer knows the token: start again with null.
   */
  readUsersDelta(
    deltaLink: string | null,
    options?: Pick<PageOptions, 'select'>,
  ): AsyncIterable<UserDeltaPage>;
  /**
   * A deltaLink from now on, without reading anyone (`$deltatoken=latest`): taken before a full read, so the next
   * delta returns every change made during and after it.
   */
  latestUsersDeltaLink(options?: Pick<PageOptions, 'select'>): Promise<string>;
  /** Users by object id ($batch); users Microsoft no longer knows are left out. */
  getUsers(userIds: readonly string[]): Promise<TenantUser[]>;
  /** Users in a group, nested groups included (Large Tenant Mode). */
  listGroupMembers(groupId: string, options?: PageOptions): AsyncIterable<TenantUser[]>;
  /** The tenant's products and their service plans. */
  listSubscribedSkus(): Promise<SubscribedSku[]>;

  /**
   * Teams configuration of every user, page by page; with `modifiedSince` (ISO time) only those modified since
   * (`$filter=modifiedDateTime ge ...`; a tenant that refuses the filter answers 400, a GraphError).
   */
  listTeamsUserConfigurations(
    options?: PageOptions & { modifiedSince?: string },
  ): AsyncIterable<TeamsUserConfiguration[]>;
  /** Teams configuration of given users through $batch; null for users Teams does not know. */
  getTeamsUserConfigurations(userIds: readonly string[]): Promise<Map<string, TeamsUserConfiguration | null>>;
  /** The tenant's telephone number inventory. */
  listNumberAssignments(options?: { filter?: string; pageSize?: number }): AsyncIterable<NumberAssignment[]>;

  /** Effective coexistence (Teams upgrade) mode of every user (Teams admin API). */
  listCoexistenceModes(options?: { pageSize?: number }): AsyncIterable<UserCoexistence[]>;
  /** One user's effective coexistence mode, or null if Teams does not know the user. */
  getCoexistenceMode(userId: string): Promise<UserCoexistence | null>;
  /** The tenant-wide (Global) TeamsUpgradePolicy mode. */
  getTenantCoexistenceMode(): Promise<CoexistenceMode | null>;
  /** External access (federation) settings. */
  getFederationSettings(): Promise<FederationSettings>;

  /** Start assigning a number; wait up to `waitMs` (default 60 s) for the operation to end. */
  assignNumber(request: AssignNumberRequest, options?: { waitMs?: number }): Promise<NumberOperationOutcome>;
  /** Start removing a number; same waiting rules as assignNumber. */
  unassignNumber(
    request: UnassignNumberRequest,
    options?: { waitMs?: number },
  ): Promise<NumberOperationOutcome>;
  /** Look at a number operation again (from a persisted URL). */
  getNumberOperation(operationUrl: string): Promise<NumberOperation>;

  /** Assign a voice routing policy to users (null: back to the Global policy). */
  grantVoiceRoutingPolicy(userIds: readonly string[], policyName: string | null): Promise<UserWriteOutcome[]>;
  /** Make sure a PSTN usage exists (idempotent). */
  ensurePstnUsage(name: string): Promise<void>;
  /** Create or update a voice route (idempotent by identity). */
  ensureVoiceRoute(route: VoiceRoute): Promise<VoiceRoute>;
  /** Create or update a voice routing policy (idempotent by identity). */
  ensureVoiceRoutingPolicy(policy: VoiceRoutingPolicy): Promise<VoiceRoutingPolicy>;
  /** Add the carrier-model customer subdomain to the tenant if absent; returns its state. */
  ensureDomain(domainName: string): Promise<TenantDomain>;
  /** Ask Microsoft to verify a domain; returns its state (isVerified false if not yet). */
  verifyDomain(domainName: string): Promise<TenantDomain>;

  /** Install a Teams app (the Phone App) for users through $batch; an app already installed counts as success. */
  installTeamsApp(userIds: readonly string[], teamsAppId: string): Promise<UserWriteOutcome[]>;
  /**
   * Apps installed in a user's personal scope (`GET /users/{id}/teamwork/installedApps?$expand=teamsApp`); with
   * `teamsAppId`, only that app's installation (`$filter=teamsApp/id eq '...'`).
   */
  listInstalledTeamsApps(userId: string, teamsAppId?: string): Promise<InstalledTeamsApp[]>;
  /** Remove a Teams app from a user; absent counts as success. */
  uninstallTeamsApp(userId: string, teamsAppId: string): Promise<void>;
  /**
   * Remove a Teams app from many users through $batch (find each installation, then delete it); an app not
   * installed, or a user gone from the tenant, counts as success.
   */
  uninstallTeamsAppForUsers(userIds: readonly string[], teamsAppId: string): Promise<UserWriteOutcome[]>;
}
