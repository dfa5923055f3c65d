import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { ROLE_LABELS, ROLES, type Role } from '../domain/access.js';
import { AppError, notFound } from '../domain/errors.js';
import type { Actor, Administrator } from '../domain/records.js';
import type { RoleAssignmentRecord } from '../store/repositories/access.repository.js';
import type { ApiTokenRecord } from '../store/repositories/administrators.repository.js';
import type { Store } from '../store/store.js';
import type { AccessService } from './access.service.js';
import { beyondReach, reachOf, requireWithinReach } from './token-reach.js';

/** The one rule for administrators' passwords: sign-up by invitation, creation, change and reset. */
export const administratorPassword = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(1024, 'must be at most 1024 characters');
const password = administratorPassword;

export const createAdministratorInput = z.object({
  email: z.email('must be an email address'),
  password,
  displayName: z.string().trim().min(1).max(200).optional(),
  platformOperator: z.boolean().optional(),
  /** Default true: whoever creates the administrator chose the password, so the first sign-in changes it. */
  mustChangePassword: z.boolean().optional(),
});
export type CreateAdministratorInput = z.infer<typeof createAdministratorInput>;

export const roleInput = z.enum(ROLES, {
  message: `must be one of ${ROLES.join(', ')}`,
});

const TOKEN_PREFIX = 'cb_';

/** SHA-256 of an API token: tokens are 256-bit random, so a fast hash is enough (unlike passwords). */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Signing in: the administrator, or a refusal that never says why (unknown email, wrong password or a lock look
 * alike, so nobody learns which emails have an administrator).
 */
export type SignInResult = { ok: true; administrator: Administrator } | { ok: false };

export interface AdministratorsOptions {
  /** Failed sign-ins in a row before the administrator is locked, and for how long. */
  lockAfter: number;
  lockMinutes: number;
}

/**
 * Administrators, their roles per account and API tokens (invitations: invitations.service.ts). Passwords are hashed with argon2id;
 * tokens and invitation links are random and stored as hashes only; a password sign-in is locked after
 * repeated failure.
 */
export class AdministratorsService {
  /** A real argon2 hash verified for unknown emails, so their answer takes as long as a wrong password. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly options: AdministratorsOptions,
  ) {}

  async create(actor: Actor, raw: CreateAdministratorInput): Promise<Administrator> {
    const input = createAdministratorInput.parse(raw);
    await this.access.requireOperator(
      actor,
      'create administrators directly (others are invited to an account)',
    );
    const passwordHash = await hash(input.password);
    return this.store.transaction(async (tx) => {
      const admin = await tx.administrators.create({
        email: input.email,
        displayName: input.displayName ?? input.email,
        passwordHash,
        platformOperator: input.platformOperator === true,
        mustChangePassword: input.mustChangePassword !== false,
      });
      await tx.audit.append({
        accountId: null,
        actor,
        action: 'administrator.create',
        objectType: 'administrator',
        objectId: admin.id,
        before: null,
        after: admin,
      });
      return admin;
    });
  }

  /**
   * Checks a password. Unknown email, wrong password and a lock answer alike, and take as long (an argon2 verify
   * every time); after `lockAfter` failures in a row the administrator is locked for `lockMinutes`, even for the
   * right password.
   */
  async signIn(email: string, candidate: string, now = new Date()): Promise<SignInResult> {
    const found = await this.store.repos.administrators.findByEmail(email);
    if (!found?.passwordHash) {
      this.decoyHash ??= hash(randomBytes(16).toString('hex'));
      await verify(await this.decoyHash, candidate);
      return { ok: false };
    }
    const { passwordHash, ...administrator } = found;
    const matches = await verify(passwordHash, candidate);
    if (administrator.lockedUntil && administrator.lockedUntil > now.toISOString()) return { ok: false };
    if (!matches) {
      const lockUntil = new Date(now.getTime() + this.options.lockMinutes * 60_000).toISOString();
      await this.store.repos.administrators.recordFailedSignIn(
        administrator.id,
        this.options.lockAfter,
        lockUntil,
      );
      return { ok: false };
    }
    if (administrator.failedSignIns > 0 || administrator.lockedUntil) {
      await this.store.repos.administrators.clearFailedSignIns(administrator.id);
    }
    return { ok: true, administrator: { ...administrator, failedSignIns: 0, lockedUntil: null } };
  }

  /**
   * Creates an API token for an administrator (themselves, or anyone for a platform operator), optionally limited
   * to one account and role. The token is returned once and never stored in clear.
   */
  async createToken(
    actor: Actor,
    email: string,
    name: string,
    expiresAt: Date | null = null,
    scope: { accountId: string; role: Role } | null = null,
  ): Promise<{ token: string; id: string }> {
    const candidate = { scope, expiresAt: expiresAt?.toISOString() ?? null };
    requireWithinReach(
      actor,
      candidate,
      scope ? await this.store.repos.accounts.lineage(scope.accountId) : [],
    );
    const admin = await this.store.repos.administrators.findByEmail(email);
    if (!admin || (actor.id !== admin.id && !(await this.access.isOperator(actor)))) {
      throw new AppError(
        'not_found',
        `No administrator has the email ${email}; create one with \`callbridge admin create\`.`,
        { field: 'email' },
      );
    }
    if (scope) {
      const owner: Actor = { type: 'administrator', id: admin.id, label: admin.email, source: actor.source };
      if ((await this.access.check(owner, scope.accountId, 'account.read')) === 'invisible')
        throw new AppError(
          'validation_failed',
          `${admin.email} holds no role on account ${scope.accountId}, so a token cannot be scoped to it.`,
          { field: 'scope' },
        );
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    return this.store.transaction(async (tx) => {
      const record = await tx.administrators.createToken({
        administratorId: admin.id,
        name,
        tokenHash: hashApiToken(token),
        prefix: token.slice(0, 8),
        expiresAt: expiresAt?.toISOString() ?? null,
        scope,
      });
      await tx.audit.append({
        accountId: scope?.accountId ?? null,
        actor,
        action: 'api_token.create',
        objectType: 'api_token',
        objectId: record.id,
        before: null,
        after: { name, prefix: record.prefix, administratorId: admin.id, scope },
      });
      return { token, id: record.id };
    });
  }

  /**
   * The caller's own tokens (prefix, name, scope, use; never the token). Through an API token: only the tokens no
   * broader and no longer-lived than it, the ones it may manage.
   */
  async listTokens(actor: Actor): Promise<ApiTokenRecord[]> {
    if (!actor.id) return [];
    const all = await this.store.repos.administrators.listTokens(actor.id);
    const reach = reachOf(actor);
    if (!reach) return all;
    const within: ApiTokenRecord[] = [];
    for (const token of all) {
      const lineage = token.scope ? await this.store.repos.accounts.lineage(token.scope.accountId) : [];
      if (!beyondReach(reach, token, lineage)) within.push(token);
    }
    return within;
  }

  /** Revokes one of the caller's tokens within its reach; false when there is no such token (or beyond reach). */
  async revokeOwnToken(actor: Actor, tokenId: string): Promise<boolean> {
    if (!actor.id) return false;
    if (!(await this.listTokens(actor)).some((t) => t.id === tokenId && t.revokedAt === null)) return false;
    return this.store.repos.administrators.revokeToken(actor.id, tokenId);
  }

  /** Revokes one of an administrator's tokens (sign-out, or a leaked token). */
  async revokeToken(administratorId: string, tokenId: string): Promise<boolean> {
    return this.store.repos.administrators.revokeToken(administratorId, tokenId);
  }

  /** The administrator an API token belongs to, or undefined for an unknown, revoked or expired token. */
  async authenticateToken(token: string): Promise<
    | {
        administrator: Administrator;
        tokenId: string;
        tokenName: string;
        scope: ApiTokenRecord['scope'];
        expiresAt: string | null;
      }
    | undefined
  > {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const found = await this.store.repos.administrators.findLiveToken(hashApiToken(token));
    if (!found) return undefined;
    await this.store.repos.administrators.touchToken(found.token.id);
    return {
      administrator: found.administrator,
      tokenId: found.token.id,
      tokenName: found.token.name,
      scope: found.token.scope,
      expiresAt: found.token.expiresAt,
    };
  }

  /** Who holds which role on the account itself, and which roles the caller may grant there. */
  async listRoles(
    actor: Actor,
    accountId: string,
  ): Promise<{ assignments: RoleAssignmentRecord[]; grantable: Role[] }> {
    await this.access.require(actor, accountId, 'access.manage', undefined, { reading: true });
    return {
      assignments: await this.store.repos.access.listForAccount(accountId),
      grantable: await this.grantable(actor, accountId),
    };
  }

  /**
   * Grants a role on an account to an existing administrator at once: platform operators only (the CLI). Through
   * the API a role is granted by invitation, whether or not the email has an administrator (same answer).
   */
  async grantRole(
    actor: Actor,
    accountId: string,
    email: string,
    role: Role,
  ): Promise<RoleAssignmentRecord[]> {
    // Granting at once, unasked, would tell whether the email has an administrator: others invite instead.
    await this.access.requireOperator(actor, 'grant a role directly (invite the administrator instead)');
    await this.requireGrantable(actor, accountId, role);
    const admin = await this.store.repos.administrators.findByEmail(email);
    if (!admin)
      throw new AppError(
        'not_found',
        `No administrator has the email ${email}; invite them to the account instead.`,
        { field: 'email' },
      );
    await this.store.transaction(async (tx) => {
      if (await tx.access.grant(admin.id, accountId, role)) {
        await tx.audit.append({
          accountId,
          actor,
          action: 'role.grant',
          objectType: 'administrator',
          objectId: admin.id,
          before: null,
          after: { email: admin.email, role },
        });
      }
    });
    return this.store.repos.access.listForAccount(accountId);
  }

  async revokeRole(actor: Actor, accountId: string, administratorId: string, role: Role): Promise<void> {
    await this.requireGrantable(actor, accountId, role);
    await this.store.transaction(async (tx) => {
      if (role === 'account_owner') {
        const owners = (await tx.access.listForAccount(accountId)).filter((a) => a.role === 'account_owner');
        if (owners.length === 1 && owners[0]?.administratorId === administratorId)
          throw new AppError(
            'precondition_failed',
            'This is the last Account Owner of the account; grant the role to someone else first.',
          );
      }
      if (!(await tx.access.revoke(administratorId, accountId, role)))
        throw notFound('role assignment', `${administratorId}/${role}`);
      await tx.audit.append({
        accountId,
        actor,
        action: 'role.revoke',
        objectType: 'administrator',
        objectId: administratorId,
        before: { role },
        after: null,
      });
    });
  }

  private async grantable(actor: Actor, accountId: string): Promise<Role[]> {
    return (await this.access.describe(actor, accountId)).grantable;
  }

  /** Refuses unless the actor manages access on the account and may grant `role` there. */
  async requireGrantable(actor: Actor, accountId: string, role: Role): Promise<void> {
    await this.access.require(actor, accountId, 'access.manage');
    if (!(await this.grantable(actor, accountId)).includes(role))
      throw new AppError(
        'forbidden',
        `Your roles on this account do not allow granting ${ROLE_LABELS[role]}; an Account Owner can.`,
        { field: 'role' },
      );
  }
}
