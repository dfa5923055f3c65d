import type { Kysely, Selectable } from 'kysely';
import type { Account } from '../../domain/records.js';
import type { AccountsTable, Database } from '../schema.js';
import { newId, nowIso, uniqueOr } from './row-helpers.js';

export interface NewAccount {
  parentId: string | null;
  kind: Account['kind'];
  name: string;
}

/** Accounts: partners and their client sub-accounts. */
export class AccountsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewAccount): Promise<Account> {
    const now = nowIso();
    const row: AccountsTable = {
      id: newId(),
      parent_id: input.parentId,
      kind: input.kind,
      name: input.name,
      status: 'active',
      created_at: now,
      updated_at: now,
    };
    await uniqueOr(
      () => this.db.insertInto('accounts').values(row).execute(),
      `An account named "${input.name}" already exists here.`,
      { field: 'name' },
    );
    return toAccount(row);
  }

  async findById(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccount(row);
  }

  /** Top-level accounts (parentId null) or the direct children of one account, by name. */
  async listChildren(parentId: string | null): Promise<Account[]> {
    const query = this.db.selectFrom('accounts').selectAll().orderBy('name').orderBy('id');
    const rows = await (
      parentId === null ? query.where('parent_id', 'is', null) : query.where('parent_id', '=', parentId)
    ).execute();
    return rows.map(toAccount);
  }

  async listAll(): Promise<Account[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().orderBy('name').orderBy('id').execute();
    return rows.map(toAccount);
  }

  async update(
    id: string,
    patch: { name?: string; status?: Account['status'] },
  ): Promise<Account | undefined> {
    const values = {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.status !== undefined && { status: patch.status }),
      updated_at: nowIso(),
    };
    await uniqueOr(
      () => this.db.updateTable('accounts').set(values).where('id', '=', id).execute(),
      `An account named "${patch.name ?? ''}" already exists here.`,
      { field: 'name' },
    );
    return this.findById(id);
  }
}

function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id,
    parentId: row.parent_id,
    kind: row.kind,
    name: row.name,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
