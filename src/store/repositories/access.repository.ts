import type { Kysely, Selectable } from 'kysely';
import type { Role, RoleAssignment } from '../../domain/access.js';
import type { Database, InvitationsTable } from '../schema.js';
import { newId, nowIso, uniqueOr } from './row-helpers.js';

/** One administrator's role on one account, as listed to account owners. */
export interface RoleAssignmentRecord extends RoleAssignment {
  id: string;
  administratorId: string;
  email: string;
  displayName: string;
  createdAt: string;
}

export interface InvitationRecord {
  id: string;
  accountId: string;
  email: string;
  role: Role;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
}

/** Role assignments and invitations (token hashes only). */
export class AccessRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async assignmentsOf(administratorId: string): Promise<RoleAssignment[]> {
    const rows = await this.db
      .selectFrom('role_assignments')
      .select(['account_id', 'role'])
      .where('administrator_id', '=', administratorId)
      .execute();
    return rows.map((r) => ({ accountId: r.account_id, role: r.role as Role }));
  }

  /** Everyone holding a role on the account itself (not inherited ones), by email. */
  async listForAccount(accountId: string): Promise<RoleAssignmentRecord[]> {
    const rows = await this.db
      .selectFrom('role_assignments as r')
      .innerJoin('administrators as a', 'a.id', 'r.administrator_id')
      .select([
        'r.id',
        'r.administrator_id',
        'r.account_id',
        'r.role',
        'r.created_at',
        'a.email',
        'a.display_name',
      ])
      .where('r.account_id', '=', accountId)
      .orderBy('a.email')
      .orderBy('r.role')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      administratorId: r.administrator_id,
      accountId: r.account_id,
      role: r.role as Role,
      email: r.email,
      displayName: r.display_name,
      createdAt: r.created_at,
    }));
  }

  /** Grants a role; granting one already held is a no-op that returns false. */
  async grant(administratorId: string, accountId: string, role: Role): Promise<boolean> {
    const result = await this.db
      .insertInto('role_assignments')
      .values({
        id: newId(),
        administrator_id: administratorId,
        account_id: accountId,
        role,
        created_at: nowIso(),
      })
      .onConflict((oc) => oc.columns(['administrator_id', 'account_id', 'role']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async revoke(administratorId: string, accountId: string, role: Role): Promise<boolean> {
    const result = await this.db
      .deleteFrom('role_assignments')
      .where('administrator_id', '=', administratorId)
      .where('account_id', '=', accountId)
      .where('role', '=', role)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async createInvitation(input: {
    accountId: string;
    email: string;
    role: Role;
    tokenHash: string;
    invitedBy: string;
    expiresAt: string;
  }): Promise<InvitationRecord> {
    const row: InvitationsTable = {
      id: newId(),
      account_id: input.accountId,
      email: input.email.toLowerCase(),
      role: input.role,
      token_hash: input.tokenHash,
      invited_by: input.invitedBy,
      created_at: nowIso(),
      expires_at: input.expiresAt,
      accepted_at: null,
      revoked_at: null,
    };
    await uniqueOr(
      () => this.db.insertInto('invitations').values(row).execute(),
      'The invitation already exists.',
    );
    return toInvitation(row);
  }

  async listInvitations(accountId: string): Promise<InvitationRecord[]> {
    const rows = await this.db
      .selectFrom('invitations')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toInvitation);
  }

  async findInvitationByHash(tokenHash: string): Promise<InvitationRecord | undefined> {
    const row = await this.db
      .selectFrom('invitations')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toInvitation(row);
  }

  async findInvitation(accountId: string, id: string): Promise<InvitationRecord | undefined> {
    const row = await this.db
      .selectFrom('invitations')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toInvitation(row);
  }

  /** Marks an open invitation used; false when it was already used or revoked (single use, race-safe). */
  async closeInvitation(id: string, field: 'accepted_at' | 'revoked_at'): Promise<boolean> {
    const result = await this.db
      .updateTable('invitations')
      .set({ [field]: nowIso() })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

function toInvitation(row: Selectable<InvitationsTable>): InvitationRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    role: row.role as Role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    acceptedAt: row.accepted_at,
    revokedAt: row.revoked_at,
  };
}
