import type { Kysely, Selectable } from 'kysely';
import type { Role } from '../../domain/access.js';
import type { Administrator } from '../../domain/records.js';
import type { AdministratorsTable, ApiTokensTable, Database } from '../schema.js';
import { newId, nowIso, uniqueOr } from './row-helpers.js';

export interface ApiTokenRecord {
  id: string;
  administratorId: string;
  name: string;
  prefix: string;
  /** The account and role the token is limited to; null for a token that acts with all its owner's roles. */
  scope: { accountId: string; role: Role } | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** Administrators and their API tokens (token hashes only; the token itself is shown once at creation). */
export class AdministratorsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: {
    email: string;
    displayName: string;
    passwordHash: string | null;
    platformOperator?: boolean;
    mustChangePassword?: boolean;
  }): Promise<Administrator> {
    const now = nowIso();
    const row: AdministratorsTable = {
      id: newId(),
      email: input.email.toLowerCase(),
      display_name: input.displayName,
      password_hash: input.passwordHash,
      failed_sign_ins: 0,
      locked_until: null,
      platform_operator: input.platformOperator ? 1 : 0,
      entra_subject: null,
      must_change_password: input.mustChangePassword ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await uniqueOr(
      () => this.db.insertInto('administrators').values(row).execute(),
      `An administrator with email ${row.email} already exists.`,
      { field: 'email' },
    );
    return toAdministrator(row);
  }

  async findByEmail(email: string): Promise<(Administrator & { passwordHash: string | null }) | undefined> {
    const row = await this.db
      .selectFrom('administrators')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    return row && { ...toAdministrator(row), passwordHash: row.password_hash };
  }

  async findById(id: string): Promise<Administrator | undefined> {
    const row = await this.db
      .selectFrom('administrators')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toAdministrator(row);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('administrators')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Email of the first administrator created (for single-administrator installations). */
  async firstEmail(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('administrators')
      .select('email')
      .orderBy('created_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row?.email;
  }

  /**
   * Sets a new password hash; `mustChange` says whether someone else chose it (an operator's reset) so the next
   * session must change it. Failed sign-ins and a lock are cleared with it.
   */
  async setPasswordHash(id: string, passwordHash: string, mustChange = false): Promise<void> {
    await this.db
      .updateTable('administrators')
      .set({
        password_hash: passwordHash,
        must_change_password: mustChange ? 1 : 0,
        failed_sign_ins: 0,
        locked_until: null,
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Revokes every live portal session of the administrator except `keepTokenId` (after a password change). */
  async revokeSessions(
    administratorId: string,
    sessionNames: readonly string[],
    keepTokenId?: string,
  ): Promise<number> {
    let query = this.db
      .updateTable('api_tokens')
      .set({ revoked_at: nowIso() })
      .where('administrator_id', '=', administratorId)
      .where('name', 'in', sessionNames)
      .where('revoked_at', 'is', null);
    if (keepTokenId) query = query.where('id', '!=', keepTokenId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async findByEntraSubject(subject: string): Promise<Administrator | undefined> {
    const row = await this.db
      .selectFrom('administrators')
      .selectAll()
      .where('entra_subject', '=', subject)
      .executeTakeFirst();
    return row && toAdministrator(row);
  }

  /** Links an Entra ID subject to an administrator not linked yet; false when another subject holds the link. */
  async setEntraSubject(id: string, subject: string): Promise<boolean> {
    const result = await this.db
      .updateTable('administrators')
      .set({ entra_subject: subject, updated_at: nowIso() })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('entra_subject', 'is', null), eb('entra_subject', '=', subject)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Counts a failed sign-in; locks the administrator until `lockUntil` once `limit` failures are reached. */
  async recordFailedSignIn(id: string, limit: number, lockUntil: string): Promise<void> {
    await this.db
      .updateTable('administrators')
      .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1), updated_at: nowIso() }))
      .where('id', '=', id)
      .execute();
    await this.db
      .updateTable('administrators')
      .set({ locked_until: lockUntil, failed_sign_ins: 0 })
      .where('id', '=', id)
      .where('failed_sign_ins', '>=', limit)
      .execute();
  }

  async clearFailedSignIns(id: string): Promise<void> {
    await this.db
      .updateTable('administrators')
      .set({ failed_sign_ins: 0, locked_until: null })
      .where('id', '=', id)
      .execute();
  }

  async listTokens(administratorId: string): Promise<ApiTokenRecord[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('administrator_id', '=', administratorId)
      .orderBy('created_at')
      .execute();
    return rows.map(toToken);
  }

  async createToken(input: {
    administratorId: string;
    name: string;
    tokenHash: string;
    prefix: string;
    expiresAt: string | null;
    scope?: { accountId: string; role: Role } | null;
  }): Promise<ApiTokenRecord> {
    const row: ApiTokensTable = {
      id: newId(),
      administrator_id: input.administratorId,
      name: input.name,
      token_hash: input.tokenHash,
      prefix: input.prefix,
      created_at: nowIso(),
      last_used_at: null,
      expires_at: input.expiresAt,
      revoked_at: null,
      scope_account_id: input.scope?.accountId ?? null,
      scope_role: input.scope?.role ?? null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    return toToken(row);
  }

  /** The live (not revoked, not expired) token with this hash, and its administrator. */
  async findLiveToken(
    tokenHash: string,
  ): Promise<{ token: ApiTokenRecord; administrator: Administrator } | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || (row.expires_at !== null && row.expires_at <= nowIso())) return undefined;
    const administrator = await this.findById(row.administrator_id);
    return administrator && { token: toToken(row), administrator };
  }

  async touchToken(id: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: nowIso() }).where('id', '=', id).execute();
  }

  async revokeToken(administratorId: string, id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: nowIso() })
      .where('id', '=', id)
      .where('administrator_id', '=', administratorId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

function toAdministrator(row: Selectable<AdministratorsTable>): Administrator {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    failedSignIns: row.failed_sign_ins,
    lockedUntil: row.locked_until,
    platformOperator: row.platform_operator === 1,
    mustChangePassword: row.must_change_password === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toToken(row: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: row.id,
    administratorId: row.administrator_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    scope:
      row.scope_account_id && row.scope_role
        ? { accountId: row.scope_account_id, role: row.scope_role as Role }
        : null,
  };
}
