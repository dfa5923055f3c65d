/**
 * Table types of the Callbridge database, shared by SQLite and PostgreSQL. Portable column types only:
 * ids are text (UUIDs), timestamps are ISO-8601 text (UTC), booleans are 0/1 integers, structured values are
 * JSON text. Repositories turn rows into domain records.
 */
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: string;
  parent_id: string | null;
  kind: 'partner' | 'client';
  name: string;
  status: 'active' | 'suspended';
  /** JSON brand of a partner (portal name, colour, support contact), null when not set. */
  brand: string | null;
  created_at: string;
  updated_at: string;
}

export interface SubscriptionsTable {
  id: string;
  account_id: string;
  sku: 'pbx_user' | 'trunk_user' | 'phone_app_user';
  trial: number;
  quantity: number;
  state: 'active' | 'cancelled';
  trial_ends_at: string | null;
  cancelled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface TenantConnectionsTable {
  id: string;
  account_id: string;
  tenant_id: string | null;
  cloud: 'global' | 'usgov' | 'usgovdod' | 'china' | 'custom';
  authority_host: string;
  graph_base_url: string;
  teams_admin_base_url: string | null;
  consent_state: 'not_connected' | 'pending' | 'granted' | 'denied' | 'revoked';
  consent_error: string | null;
  consented_at: string | null;
  client_id: string | null;
  client_secret_enc: string | null;
  delta_link: string | null;
  created_at: string;
  updated_at: string;
}

export interface ServicesTable {
  id: string;
  account_id: string;
  kind: 'pbx' | 'trunk';
  name: string;
  pbx_type: string;
  location: string;
  country: string | null;
  sip_domain: string;
  proxy_host: string | null;
  proxy_port: number | null;
  transport: 'udp' | 'tcp' | 'tls';
  registration_expiry: number;
  teams_settings: string;
  sync_interval_minutes: number | null;
  /** JSON `ServiceCallSettings` (migration 0020); '{}' is every default. */
  call_settings: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  account_id: string;
  service_id: string;
  object_id: string | null;
  upn: string | null;
  email: string;
  display_name: string;
  kind: 'standard' | 'phone_app' | 'resource_account';
  tenant_state: 'active' | 'disabled' | 'removed' | 'not_synced';
  usage_location: string | null;
  coexistence_mode: string | null;
  licences: string;
  phone_number: string | null;
  extension: string;
  number_type: 'ddi' | 'extension' | 'trunk' | null;
  sip_username: string | null;
  auth_username: string | null;
  sip_password_enc: string | null;
  registration_enabled: number;
  registration_state:
    'registered' | 'failed' | 'disabled' | 'pending' | 'expiring' | 'unconfirmed' | 'unregistered';
  registration_detail: string;
  external_id: string | null;
  /** The Teams line both sides agreed on at the last sync (null: none); meaningful when `synced` is 1. */
  synced_line: string | null;
  synced: number;
  /** Microsoft's message for this user's last failed write, e.g. a number held by someone else. */
  sync_error: string | null;
  /** Trunk services: the number shown on outbound calls (the user's own number or a service number); null: own. */
  caller_id: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** Columns of `users` added by migration 0006 (the Phone App inside Sync); the database fills their defaults. */
export interface UsersPhoneAppColumns {
  /** 1 when the sync installed the Phone App Teams app for this user; 0 by default. */
  phone_app_installed: Generated<number>;
}

/** Columns of `users` added by migration 0009: when an administrator last asked to retry the registration. */
export interface UsersRegistrationRetryColumns {
  registration_retry_at: string | null;
}

/**
 * SQLite only (migration 0012): the FTS5 trigram index of the users page search, kept by triggers on `users`
 * (rowid = the user's rowid). PostgreSQL serves the same search from a pg_trgm index on `users`.
 */
export interface UsersSearchTable {
  user_id: string;
  body: string;
}

export interface JobsTable {
  id: string;
  account_id: string | null;
  kind: string;
  payload: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  dedupe_key: string | null;
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  progress: string;
  result: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface AuditEntriesTable {
  id: string;
  at: string;
  account_id: string | null;
  actor_type: 'administrator' | 'api_token' | 'system';
  actor_id: string | null;
  actor_label: string;
  source: 'portal' | 'api' | 'cli' | 'sync' | 'worker' | 'rollback';
  action: string;
  object_type: string;
  object_id: string;
  before: string | null;
  after: string | null;
  /** The operation that wrote the entry (a sync run, a CSV import, a rollback): what a rollback reads (0010). */
  batch_id: string | null;
}

export interface AdministratorsTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  failed_sign_ins: number;
  locked_until: string | null;
  /** 1: runs the whole platform (creates partners and administrators), like the first administrator. */
  platform_operator: number;
  /** Entra ID (OIDC) subject (`oid` claim) of the administrator, once they signed in with Microsoft. */
  entra_subject: string | null;
  /** 1: the password was chosen by someone else (first start, operator); the next session must change it. */
  must_change_password: number;
  created_at: string;
  updated_at: string;
}

export interface ApiTokensTable {
  id: string;
  administrator_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  /** A token scoped to one account and role acts with no more than that role (and its owner's rights). */
  scope_account_id: string | null;
  scope_role: string | null;
}

export interface RoleAssignmentsTable {
  id: string;
  administrator_id: string;
  account_id: string;
  role: string;
  created_at: string;
}

export interface InvitationsTable {
  id: string;
  account_id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
}

export interface SyncRunsTable {
  id: string;
  account_id: string;
  service_id: string;
  job_id: string | null;
  state: 'queued' | 'running' | 'succeeded' | 'warning' | 'failed';
  dry_run: number;
  diagnostic: number;
  trigger: 'person' | 'schedule' | 'change';
  started_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  counters: string;
  plan: string | null;
  log: string;
  error: string | null;
}

/** A block of consecutive E.164 numbers of a trunk service (same length at both ends, so text order is number order). */
export interface NumberRangesTable {
  id: string;
  account_id: string;
  service_id: string;
  start_number: string;
  end_number: string;
  size: number;
  created_at: string;
}

/** A shared outbound caller ID of a trunk service. */
export interface ServiceNumbersTable {
  id: string;
  account_id: string;
  service_id: string;
  number: string;
  label: string;
  created_at: string;
}

/** Where the last read of a service's tenant ended, for incremental (delta) reads. */
export interface SyncCursorsTable {
  service_id: string;
  account_id: string;
  /** The tenant the cursor belongs to: a re-connected tenant starts with a full read. */
  tenant_id: string;
  users_delta_link: string | null;
  /** When the last Teams-side read began (ISO); the next reads Teams configurations modified since. */
  teams_read_at: string | null;
  full_read_at: string | null;
  updated_at: string;
}

/** A Direct Routing set-up object of the carrier model, ensured in a service's tenant. */
export interface TenantObjectsTable {
  id: string;
  account_id: string;
  service_id: string;
  kind: 'domain' | 'pstn_usage' | 'voice_route' | 'voice_routing_policy';
  name: string;
  state: 'pending' | 'ready' | 'failed';
  reason: string | null;
  attempts: number;
  next_attempt_at: string | null;
  ready_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One administrator-consent round trip (0007): its id is the OAuth `state`. */
export interface ConsentRequestsTable {
  id: string;
  account_id: string;
  purpose: 'tenant_connection' | 'phone_app';
  service_id: string | null;
  /** JSON of the Actor who started it. */
  actor: string;
  /** `consent`: sent to the admin-consent page; `sign_in`: sent on to sign in; then used. */
  step: 'consent' | 'sign_in';
  /** The tenant the sign-in must prove (GUID), once known. */
  tenant_id: string | null;
  /** The connection's endpoints and app when the consent started: a change meanwhile voids it. */
  connection_fingerprint: string;
  /** Sealed PKCE verifier and nonce of the sign-in. */
  sign_in_enc: string | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

/** Migration 0013: whether a PBX service's PBX answers (the sip role's probe), and when it last did. */
export interface PbxReachabilityTable {
  service_id: string;
  reachable: number;
  last_confirmed_at: string | null;
  checked_at: string;
  reason: string | null;
}

/** Migration 0013: a SIP node (a process with the sip role) and the address in its Contact. */
export interface SipNodesTable {
  id: string;
  /** JSON `{ udp, tcp, tls }` of `{ host, port }`: the addresses this node's Contacts carry. */
  contacts: string;
  started_at: string;
  heartbeat_at: string;
  leaving: Generated<number>;
}

/** Migration 0013: the node that registers a user; a hand-over under way; a dead former owner. */
export interface SipLeasesTable {
  /** A user's id, or a registration trunk's registration id `trunk:<service id>` (0023: no foreign key). */
  user_id: string;
  node_id: string;
  next_node_id: string | null;
  former_node_id: string | null;
  updated_at: string;
}

/** A finished call (0015): both legs, result and the code and side that decided it. */
export interface CallRecordsTable {
  id: string;
  account_id: string;
  service_id: string;
  user_id: string | null;
  direction: 'pbx-to-teams' | 'teams-to-pbx';
  from_number: string;
  to_number: string;
  started_at: string;
  ringing_at: string | null;
  answered_at: string | null;
  ended_at: string;
  /** Talk time: answer to end, 0 when never answered. */
  duration_ms: number;
  result: string;
  /** The final code that decided the call (the refusing leg's), null when none. */
  final_status: number | null;
  refused_by: 'pbx' | 'teams' | 'callbridge' | null;
  q850_cause: number | null;
  proxy: string | null;
  codec: string | null;
  refusal_code: string | null;
  refusal_message: string | null;
  /** JSON: the legs (side, Call-ID, code, Reason, peer, who hung up). */
  legs: string;
  /** JSON array of transfer and forward targets. */
  transfers: string;
  /** JSON of the media figures, null when none. */
  media: string | null;
  has_ladder: Generated<number>;
}

/** A call's redacted SIP ladder (0015), kept for failed calls and users under capture. */
export interface CallLaddersTable {
  call_id: string;
  account_id: string;
  /** JSON array of ladder entries. */
  entries: string;
  bytes: number;
  created_at: string;
}

/** A user whose next calls keep their ladder whatever the result (0015). */
export interface CallCapturesTable {
  user_id: string;
  account_id: string;
  calls_left: number | null;
  until: string | null;
  created_by: string;
  created_at: string;
}

/** Migration 0026: a sync run's plan in parts, as it was planned (a JSON array of changes each). */
export interface SyncRunPlanPartsTable {
  run_id: string;
  seq: number;
  changes: string;
}

/** Migration 0022: how a trunk service's SIP trunk carries calls, and what the sip role last saw of it. */
export interface TrunkSettingsTable {
  service_id: string;
  account_id: string;
  kind: 'registration' | 'ip';
  domain: string;
  /** JSON array of `{ host, port }` (port null: the transport's default). */
  addresses: string;
  transport: 'udp' | 'tcp' | 'tls';
  username: string | null;
  auth_username: string | null;
  /** Sealed by the secret box; never returned. */
  password_enc: string | null;
  number_format: 'e164' | 'e164-no-plus' | 'national';
  number_prefix: string;
  called_number_from: 'request-uri' | 'to' | 'diversion' | 'history-info';
  assert_identity: number;
  max_channels: number | null;
  /** JSON array of codec names in order of preference. */
  codecs: string;
  registration_state: string | null;
  /** JSON of the registration detail. */
  registration_detail: string | null;
  /** JSON array of `{ address, healthy, checkedAt, reason }`. */
  address_health: string | null;
  state_updated_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A call holding a channel of a trunk with a channel limit, on the sip node carrying it (0023). */
export interface TrunkCallsTable {
  id: string;
  service_id: string;
  node_id: string;
  started_at: string;
}

/** A Phone App click-to-dial call as its node last wrote it (0024), readable and hung up from any node. */
export interface PhoneAppCallsTable {
  id: string;
  account_id: string;
  user_id: string;
  /** The node whose B2BUA holds the call: only it acts on a hang-up request. */
  node_id: string;
  number: string;
  phase: 'calling-teams' | 'connecting' | 'ringing' | 'answered' | 'ended';
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  result: string | null;
  /** JSON of `{ by, code, message, status? }` when the call did not go through. */
  failure: string | null;
  hangup_requested_at: string | null;
  updated_at: string;
}

/** An alert (0021): one episode of a condition per account (NULL: platform), kind and subject. */
export interface AlertsTable {
  id: string;
  account_id: string | null;
  kind: string;
  subject: string;
  subject_label: string;
  severity: 'warning' | 'critical';
  state: 'open' | 'resolved';
  /** `account|kind|subject` while open, NULL once resolved: one open alert per condition (unique index). */
  open_key: string | null;
  message: string;
  /** JSON object of figures behind the alert (share failing, days left, ASR...). */
  details: string;
  /** How many evaluations saw the condition during this episode. */
  count: number;
  opened_at: string;
  last_seen_at: string;
  resolved_at: string | null;
}

/** Where an account's alerts go (0021): a webhook or an email address; a provider's covers its clients. */
export interface AlertSubscriptionsTable {
  id: string;
  account_id: string;
  channel: 'webhook' | 'email';
  name: string;
  url: string | null;
  /** The webhook's signing secret, sealed by the secret box. */
  secret_enc: string | null;
  email: string | null;
  /** JSON array of alert kinds, NULL for every kind. */
  kinds: string | null;
  enabled: number;
  created_at: string;
  updated_at: string;
}

/** One message to a subscription and how its delivery went (0021). */
export interface AlertDeliveriesTable {
  id: string;
  subscription_id: string;
  account_id: string;
  alert_id: string | null;
  event: 'alert.opened' | 'alert.resolved' | 'test';
  /** The JSON body sent (the same on every attempt). */
  payload: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  status_code: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  consent_requests: ConsentRequestsTable;
  sync_runs: SyncRunsTable;
  sync_run_plan_parts: SyncRunPlanPartsTable;
  accounts: AccountsTable;
  subscriptions: SubscriptionsTable;
  tenant_connections: TenantConnectionsTable;
  services: ServicesTable;
  users: UsersTable & UsersPhoneAppColumns & UsersRegistrationRetryColumns;
  users_search: UsersSearchTable;
  jobs: JobsTable;
  audit_entries: AuditEntriesTable;
  administrators: AdministratorsTable;
  api_tokens: ApiTokensTable;
  role_assignments: RoleAssignmentsTable;
  invitations: InvitationsTable;
  number_ranges: NumberRangesTable;
  service_numbers: ServiceNumbersTable;
  sync_cursors: SyncCursorsTable;
  tenant_objects: TenantObjectsTable;
  pbx_reachability: PbxReachabilityTable;
  sip_nodes: SipNodesTable;
  sip_leases: SipLeasesTable;
  call_records: CallRecordsTable;
  call_ladders: CallLaddersTable;
  call_captures: CallCapturesTable;
  trunk_settings: TrunkSettingsTable;
  trunk_calls: TrunkCallsTable;
  alerts: AlertsTable;
  alert_subscriptions: AlertSubscriptionsTable;
  alert_deliveries: AlertDeliveriesTable;
  phone_app_calls: PhoneAppCallsTable;
}
