/**
 * Who may do what: the roles administrators hold per account, the permissions each role grants, and the rule
 * that decides a request. Pure; the access service feeds it the caller's role assignments and the account's
 * ancestry. One matrix here is the single source for the service-layer checks, the API docs and the tests.
 */

export const ROLES = [
  'account_owner',
  'subscription_owner',
  'subscription_contributor',
  'subscription_viewer',
  'service_contributor',
  'service_viewer',
  'brand_contributor',
  'sync_contributor',
] as const;
export type Role = (typeof ROLES)[number];

/** The names administrators see for each role (PRODUCT.md "Who uses it"). */
export const ROLE_LABELS: Record<Role, string> = {
  account_owner: 'Account Owner',
  subscription_owner: 'Subscription Owner',
  subscription_contributor: 'Subscription Contributor',
  subscription_viewer: 'Subscription Viewer',
  service_contributor: 'Service Contributor',
  service_viewer: 'Service Viewer',
  brand_contributor: 'Brand Contributor',
  sync_contributor: 'Sync Contributor',
};

export const PERMISSIONS = [
  /** See the account itself (name, kind, parent): everyone with any role on it. */
  'account.read',
  /** Rename the account, create client accounts beneath a partner. */
  'account.manage',
  /** Invite administrators and grant or revoke roles. */
  'access.manage',
  /** Read the audit log. */
  'audit.read',
  /** See subscriptions (SKUs, quantities, trials). */
  'subscription.read',
  /** Change subscriptions: financial effect, so only from a role held on a partner above the account. */
  'subscription.manage',
  /** See the licence summary (held, used, free): needed by anyone who configures users. */
  'licence.read',
  /** See services, users, numbers, registrations. */
  'service.read',
  /** Change services, users, numbers, imports, the tenant connection and Teams settings. */
  'service.write',
  /** List the account's services by name (enough to pick one to sync). */
  'service.list',
  /** See syncs: state, history, plans, logs. */
  'sync.read',
  /** Start a sync (or a dry run). */
  'sync.run',
  /** See and change the partner's brand (portal name, colours, support contact). */
  'brand.read',
  'brand.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Permissions that have financial effect: granted only by a role held on a strict ancestor (a partner). */
export const FINANCIAL_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>(['subscription.manage']);

const everyone: Permission[] = ['account.read'];

/** The matrix: what each role grants on the account it is held on and on every account beneath it. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  account_owner: [...PERMISSIONS],
  subscription_owner: [
    ...everyone,
    'subscription.read',
    'subscription.manage',
    'licence.read',
    'access.manage',
  ],
  subscription_contributor: [...everyone, 'subscription.read', 'subscription.manage', 'licence.read'],
  subscription_viewer: [...everyone, 'subscription.read', 'licence.read'],
  service_contributor: [
    ...everyone,
    'licence.read',
    'service.read',
    'service.write',
    'service.list',
    'sync.read',
    'sync.run',
  ],
  service_viewer: [...everyone, 'licence.read', 'service.read', 'service.list', 'sync.read'],
  brand_contributor: [...everyone, 'brand.read', 'brand.write'],
  sync_contributor: [...everyone, 'service.list', 'sync.read', 'sync.run'],
};

/** Roles a holder of `access.manage` through `role` may grant (a Subscription Owner grants subscription roles). */
export const GRANTABLE_BY: Record<Role, readonly Role[]> = {
  account_owner: ROLES,
  subscription_owner: ['subscription_owner', 'subscription_contributor', 'subscription_viewer'],
  subscription_contributor: [],
  subscription_viewer: [],
  service_contributor: [],
  service_viewer: [],
  brand_contributor: [],
  sync_contributor: [],
};

/** A role held by an administrator on one account. */
export interface RoleAssignment {
  accountId: string;
  role: Role;
}

/** The outcome of a check: allowed, refused (the caller can see the account), or invisible (looks not found). */
export type Decision = 'allowed' | 'forbidden' | 'invisible';

/**
 * Decides whether the holder of `assignments` may use `permission` on the account whose ancestry (the account
 * first, then its parent, up to the root) is `lineage`. A role held on an account applies to it and to every
 * account beneath it. Financial permissions count only from roles held strictly above the account, so a client's
 * own administrators never get them. No role anywhere on the lineage: the account is invisible.
 *
 * @example decide([{ accountId: 'p', role: 'account_owner' }], ['c', 'p'], 'subscription.manage') === 'allowed'
 */
export function decide(
  assignments: readonly RoleAssignment[],
  lineage: readonly string[],
  permission: Permission,
): Decision {
  const depthOf = new Map(lineage.map((id, depth) => [id, depth]));
  const held = assignments.filter((a) => depthOf.has(a.accountId));
  if (held.length === 0) return 'invisible';
  const financial = FINANCIAL_PERMISSIONS.has(permission);
  const grants = held.some(
    (a) =>
      ROLE_PERMISSIONS[a.role].includes(permission) && (!financial || (depthOf.get(a.accountId) ?? 0) > 0),
  );
  return grants ? 'allowed' : 'forbidden';
}

/** Roles that `assignments` let their holder grant on the account with `lineage`. */
export function grantableRoles(assignments: readonly RoleAssignment[], lineage: readonly string[]): Role[] {
  const onLineage = new Set(lineage);
  const grantable = new Set<Role>();
  for (const a of assignments) {
    if (!onLineage.has(a.accountId)) continue;
    if (!ROLE_PERMISSIONS[a.role].includes('access.manage')) continue;
    for (const role of GRANTABLE_BY[a.role]) grantable.add(role);
  }
  return ROLES.filter((r) => grantable.has(r));
}
