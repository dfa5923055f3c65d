/**
 * The core records of Callbridge as the services see them (DESIGN.md "Data"). Secrets never appear here in
 * clear: a record says whether a secret is set, the store keeps it encrypted.
 */
import type { Role } from './access.js';
import type { ServiceCallSettings } from './call-settings.js';
export type AccountKind = 'partner' | 'client';

export interface Account {
  id: string;
  parentId: string | null;
  kind: AccountKind;
  name: string;
  status: 'active' | 'suspended';
  createdAt: string;
  updatedAt: string;
}

export type Sku = 'pbx_user' | 'trunk_user' | 'phone_app_user';

export interface Subscription {
  id: string;
  accountId: string;
  sku: Sku;
  trial: boolean;
  quantity: number;
  state: 'active' | 'cancelled';
  trialEndsAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type NationalCloud = 'global' | 'usgov' | 'usgovdod' | 'china' | 'custom';
export type ConsentState = 'not_connected' | 'pending' | 'granted' | 'denied' | 'revoked';

export interface TenantConnection {
  id: string;
  accountId: string;
  tenantId: string | null;
  cloud: NationalCloud;
  authorityHost: string;
  graphBaseUrl: string;
  teamsAdminBaseUrl: string | null;
  consentState: ConsentState;
  consentError: string | null;
  consentedAt: string | null;
  clientId: string | null;
  hasClientSecret: boolean;
  deltaLink: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ServiceKind = 'pbx' | 'trunk';
export type SipTransport = 'udp' | 'tcp' | 'tls';

/** Teams-side options of a service: Phone App and Large Tenant Mode. */
export interface TeamsSettings {
  phoneAppEnabled: boolean;
  phoneAppConsent: 'not_requested' | 'granted' | 'denied';
  /** When the Phone App was last authorized (the sync after it brings Phone App users in). */
  phoneAppConsentAt?: string | null;
  largeTenantMode: boolean;
  standardGroupIds: string[];
  phoneAppGroupId: string | null;
}

export const defaultTeamsSettings: TeamsSettings = {
  phoneAppEnabled: false,
  phoneAppConsent: 'not_requested',
  largeTenantMode: false,
  standardGroupIds: [],
  phoneAppGroupId: null,
};

/** A PBX or SIP trunk service of an account, with the SIP settings used to register its users. */
export interface VoiceService {
  id: string;
  accountId: string;
  kind: ServiceKind;
  name: string;
  pbxType: string;
  location: string;
  country: string | null;
  sipDomain: string;
  proxyHost: string | null;
  proxyPort: number | null;
  transport: SipTransport;
  registrationExpiry: number;
  teams: TeamsSettings;
  syncIntervalMinutes: number | null;
  /** Call settings of the service (issue 17): ring timeout, ringback, hold, voicemail race, limits. */
  calls: ServiceCallSettings;
  createdAt: string;
  updatedAt: string;
}

/** Whether a PBX service's PBX answers the SIP role (OPTIONS probe, REGISTER answers), and since when (issue 21). */
export interface PbxReachability {
  reachable: boolean;
  /** Last answer from the PBX (ISO), null when it never answered. */
  lastConfirmedAt: string | null;
  /** Last probe (ISO). */
  checkedAt: string;
  /** Why it counts as unreachable (no answer, refused connection), null when reachable. */
  reason: string | null;
}

export type UserKind = 'standard' | 'phone_app' | 'resource_account';
export type TenantState = 'active' | 'disabled' | 'removed' | 'not_synced';
export type NumberType = 'ddi' | 'extension' | 'trunk';
/**
 * `unregistered`: the SIP role unregistered the user when it stopped (clean shutdown); it registers again on start.
 * `unconfirmed`: the binding should hold, but the PBX stopped answering; renewed as soon as it answers (issue 21).
 */
export type RegistrationState =
  'registered' | 'failed' | 'disabled' | 'pending' | 'expiring' | 'unconfirmed' | 'unregistered';

export interface RegistrationDetail {
  /** When the last 2xx was received. */
  lastSuccessAt?: string;
  /** When the registration granted by the PBX runs out. */
  expiresAt?: string;
  /** Final response of the last failure, e.g. 403 Forbidden. */
  statusCode?: number;
  reason?: string;
  /** Failed: true when no retry comes until the configuration changes or an administrator asks (Retry now). */
  final?: boolean;
  /** Failed, not final: when the next attempt is due. */
  retryAt?: string;
}

/** A Teams user (or resource account) of a service, with number and SIP credentials. */
export interface User {
  id: string;
  accountId: string;
  serviceId: string;
  objectId: string | null;
  upn: string | null;
  email: string;
  displayName: string;
  kind: UserKind;
  tenantState: TenantState;
  usageLocation: string | null;
  coexistenceMode: string | null;
  licences: string[];
  phoneNumber: string | null;
  extension: string | null;
  numberType: NumberType | null;
  /** Trunk services: the number shown on outbound calls, the user's own or a service number; null shows their own. */
  callerId: string | null;
  sipUsername: string | null;
  authUsername: string | null;
  hasSipPassword: boolean;
  registrationEnabled: boolean;
  registrationState: RegistrationState;
  registrationDetail: RegistrationDetail;
  externalId: string | null;
  /** Microsoft's message when the last sync could not write this user's settings to the tenant. */
  syncError: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  accountId: string | null;
  kind: string;
  payload: Record<string, unknown>;
  state: JobState;
  dedupeKey: string | null;
  runAt: string;
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedUntil: string | null;
  progress: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

export type AuditSource = 'portal' | 'api' | 'cli' | 'sync' | 'worker' | 'rollback';

/** Who made a change, and through which door. Every service call that changes something takes one. */
export interface Actor {
  type: 'administrator' | 'api_token' | 'system';
  /** The administrator (for administrators and their tokens); null for the system. */
  id: string | null;
  label: string;
  source: AuditSource;
  /** A token limited to one account and role acts with no more than that. */
  scope?: { accountId: string; role: Role } | undefined;
  /** For an API token: which one and when it expires (a token manages only tokens within its own reach). */
  token?: { id: string; expiresAt: string | null } | undefined;
}

/** A block of consecutive E.164 numbers of a SIP trunk service; never edited, only deleted and added again. */
export interface NumberRangeRecord {
  id: string;
  accountId: string;
  serviceId: string;
  /** First number, E.164. */
  start: string;
  /** Last number, E.164; the start for a single number. */
  end: string;
  size: number;
  createdAt: string;
}

/** A shared outbound caller ID of a SIP trunk service (e.g. the main number), with a label. */
export interface ServiceNumber {
  id: string;
  accountId: string;
  serviceId: string;
  number: string;
  label: string;
  createdAt: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  accountId: string | null;
  actor: Actor;
  action: string;
  objectType: string;
  objectId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface Administrator {
  id: string;
  email: string;
  displayName: string;
  failedSignIns: number;
  lockedUntil: string | null;
  /** Runs the whole platform: every account, creating partners and administrators. */
  platformOperator: boolean;
  /** The password was chosen by someone else: a password session can do nothing but change it. */
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export type SyncRunState = 'queued' | 'running' | 'succeeded' | 'warning' | 'failed';

/** One sync of a service: who started it, what it found and did, and a readable log. */
export interface SyncRun {
  id: string;
  accountId: string;
  serviceId: string;
  jobId: string | null;
  state: SyncRunState;
  dryRun: boolean;
  diagnostic: boolean;
  trigger: 'person' | 'schedule' | 'change';
  startedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  counters: Record<string, number>;
  error: string | null;
}

export interface SyncLogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  userId?: string;
}
