import {
  decide,
  grantableRoles,
  PERMISSIONS,
  ROLE_LABELS,
  ROLES,
  type Decision,
  type Permission,
  type Role,
  type RoleAssignment,
} from '../domain/access.js';
import { AppError, notFound } from '../domain/errors.js';
import type { Account, Actor } from '../domain/records.js';
import { suspendedError, WRITE_PERMISSIONS, type Suspension } from '../domain/suspension.js';
import { brandInput } from './schemas/account.schema.js';
import type { Repositories, Store } from '../store/store.js';

/** What a permission lets someone do, for refusals ("Your roles here do not allow <this>"). */
const DOING: Record<Permission, string> = {
  'account.read': 'seeing this account',
  'account.manage': 'changing this account or creating accounts beneath it',
  'access.manage': 'inviting administrators or changing their roles',
  'audit.read': 'reading the audit log',
  'subscription.read': 'seeing subscriptions',
  'subscription.manage':
    'changing subscriptions (they have financial effect: the licensing provider above this account sets them)',
  'licence.read': 'seeing licences',
  'service.read': 'seeing services and users',
  'service.write': 'changing services, users, numbers or the tenant connection',
  'service.list': 'listing services',
  'sync.read': 'seeing syncs',
  'sync.run': 'starting a sync',
  'brand.read': 'seeing the brand',
  'brand.write': 'changing the brand',
};

/** The caller's standing: the whole platform, or a set of role assignments (narrowed by a token's scope). */
type Standing =
  { operator: true } | { operator: false; assignments: RoleAssignment[]; scope?: RoleAssignment };

/**
 * The one gate every use-case passes: API, CLI and worker call the same service methods, so they obey the same
 * rules. An account the caller has no role on (or that does not exist) is "not found", with the same message
 * either way; an account the caller can see but lacks the permission for is "forbidden".
 *
 * The system actor (the CLI run by whoever operates the server, the worker, the sync) and platform operators
 * have every permission; everyone else has what `src/domain/access.ts` says their roles grant.
 */
export class AccessService {
  constructor(private readonly store: Store) {}

  /**
   * Throws not_found or forbidden unless `actor` may use `permission` on `accountId`, and `account_suspended` for a
   * change to an account that is suspended (or beneath a suspended partner): read-only for everyone, the system
   * actor (worker, scheduler) included, until the partner above reactivates it.
   */
  async require(
    actor: Actor,
    accountId: string,
    permission: Permission,
    repos: Repositories = this.store.repos,
    /** `reading`: a read that needs a managing permission (the roles and invitations): allowed while suspended. */
    options: { reading?: boolean } = {},
  ): Promise<void> {
    const lineage = await repos.accounts.lineage(accountId);
    const decision =
      lineage.length === 0
        ? 'invisible'
        : decideFor(await this.standingOf(actor, repos), lineage, permission);
    if (decision === 'invisible') throw notFound('account', accountId);
    if (decision === 'forbidden') {
      throw new AppError(
        'forbidden',
        `Your roles on this account do not allow ${DOING[permission]}. Ask an Account Owner of the account (or of its partner) for a role that does.`,
        { permission },
      );
    }
    if (WRITE_PERMISSIONS.has(permission) && !options.reading)
      await this.requireActive(accountId, repos, lineage);
  }

  /** Throws `account_suspended` when the account, or a partner above it, is suspended. */
  async requireActive(
    accountId: string,
    repos: Repositories = this.store.repos,
    lineage?: readonly string[],
  ): Promise<void> {
    const suspension = await this.suspension(accountId, repos, lineage);
    if (suspension) throw suspendedError(accountId, suspension);
  }

  /** Why the account is suspended (itself or through a partner above), with whom to contact; null when active. */
  async suspension(
    accountId: string,
    repos: Repositories = this.store.repos,
    lineage?: readonly string[],
  ): Promise<Suspension | null> {
    const suspended = await repos.accounts.suspendedOnLineage(
      lineage ?? (await repos.accounts.lineage(accountId)),
    );
    if (!suspended) return null;
    const parent = suspended.parentId ? await repos.accounts.findById(suspended.parentId) : undefined;
    const brand = parent ? brandInput.safeParse((await repos.accounts.getBrand(parent.id)) ?? {}) : undefined;
    const contactDetails = brand?.success
      ? [brand.data.supportEmail, brand.data.supportPhone].filter((d): d is string => d !== undefined)
      : [];
    return {
      accountId: suspended.id,
      accountName: suspended.name,
      contactName: parent?.name ?? 'the platform operator',
      contactDetails,
    };
  }

  /** The decision without throwing (for views that show or hide an action). */
  async check(
    actor: Actor,
    accountId: string,
    permission: Permission,
    repos: Repositories = this.store.repos,
  ): Promise<Decision> {
    const lineage = await repos.accounts.lineage(accountId);
    if (lineage.length === 0) return 'invisible';
    return decideFor(await this.standingOf(actor, repos), lineage, permission);
  }

  /**
   * Everything the actor may do on the account, read once: the roles held there or above, the permissions they
   * give, and the roles the actor may grant there (for the portal, and for granting).
   */
  async describe(
    actor: Actor,
    accountId: string,
  ): Promise<{
    operator: boolean;
    roles: RoleAssignment[];
    permissions: Permission[];
    grantable: Role[];
    suspension: Suspension | null;
  }> {
    const repos = this.store.repos;
    const lineage = await repos.accounts.lineage(accountId);
    if (lineage.length === 0) throw notFound('account', accountId);
    const standing = await this.standingOf(actor, repos);
    const held = PERMISSIONS.filter((p) => decideFor(standing, lineage, p) === 'allowed');
    if (held.length === 0) throw notFound('account', accountId);
    // While suspended, the changes are refused: leave them out so the portal hides their actions.
    const suspension = await this.suspension(accountId, repos, lineage);
    // access.manage stays: it also reads the roles and invitations; nothing is grantable until reactivation.
    const permissions = suspension
      ? held.filter((p) => !WRITE_PERMISSIONS.has(p) || p === 'access.manage')
      : held;
    const onLineage = new Set(lineage);
    const roles = standing.operator ? [] : standing.assignments.filter((a) => onLineage.has(a.accountId));
    const grantable = suspension ? [] : standing.operator ? [...ROLES] : grantableRoles(roles, lineage);
    return { operator: standing.operator, roles, permissions, grantable, suspension };
  }

  /** Throws unless the actor runs the whole platform (creating partners and administrators). */
  async requireOperator(actor: Actor, doing: string): Promise<void> {
    const standing = await this.standingOf(actor, this.store.repos);
    if (!standing.operator) {
      throw new AppError('forbidden', `Only a platform operator may ${doing}.`);
    }
  }

  async isOperator(actor: Actor): Promise<boolean> {
    return (await this.standingOf(actor, this.store.repos)).operator;
  }

  /** Every account the actor can see: the accounts they hold a role on and everything beneath them. */
  async visibleAccounts(actor: Actor): Promise<Account[]> {
    const repos = this.store.repos;
    const standing = await this.standingOf(actor, repos);
    if (standing.operator) return repos.accounts.listAll();
    const visible = await this.subtrees(
      repos,
      standing.assignments.map((a) => a.accountId),
    );
    const scopeRoot = standing.scope?.accountId;
    const byId = new Map(visible.map((a) => [a.id, a]));
    if (scopeRoot !== undefined) {
      const inScope = new Set((await this.subtrees(repos, [scopeRoot])).map((a) => a.id));
      for (const id of byId.keys()) if (!inScope.has(id)) byId.delete(id);
    }
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  private async subtrees(repos: Repositories, roots: string[]): Promise<Account[]> {
    const unique = [...new Set(roots)];
    const [top, below] = await Promise.all([
      repos.accounts.findManyById(unique),
      repos.accounts.descendantsOf(unique),
    ]);
    return [...top, ...below];
  }

  private async standingOf(actor: Actor, repos: Repositories): Promise<Standing> {
    if (actor.type === 'system') return { operator: true };
    if (!actor.id) return { operator: false, assignments: [] };
    const administrator = await repos.administrators.findById(actor.id);
    if (!administrator) return { operator: false, assignments: [] };
    if (administrator.platformOperator && !actor.scope) return { operator: true };
    if (administrator.platformOperator && actor.scope) {
      // An operator's scoped token: exactly the scope.
      return { operator: false, assignments: [actor.scope], scope: actor.scope };
    }
    const assignments = await repos.access.assignmentsOf(actor.id);
    return actor.scope
      ? { operator: false, assignments, scope: actor.scope }
      : { operator: false, assignments };
  }
}

/** "Account Owner" for `account_owner`. */
export function roleLabel(role: keyof typeof ROLE_LABELS): string {
  return ROLE_LABELS[role];
}

/** The decision for a standing on an account's lineage: a scoped token needs its scope to allow it too. */
function decideFor(standing: Standing, lineage: readonly string[], permission: Permission): Decision {
  if (standing.operator) return 'allowed';
  const own = decide(standing.assignments, lineage, permission);
  if (!standing.scope || own !== 'allowed') return own;
  return decide([standing.scope], lineage, permission);
}
