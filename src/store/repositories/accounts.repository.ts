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
      brand: null,
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

  /** The account and its ancestors, the account first and the root last; empty when the account is unknown. */
  async lineage(id: string): Promise<string[]> {
    const chain: string[] = [];
    let current: string | null = id;
    // Accounts nest a few levels (partner -> client); a loop of point reads is cheaper to read than a CTE.
    while (current !== null && chain.length < 32 && !chain.includes(current)) {
      const row = await this.db
        .selectFrom('accounts')
        .select(['id', 'parent_id'])
        .where('id', '=', current)
        .executeTakeFirst();
      if (!row) break;
      chain.push(row.id);
      current = row.parent_id;
    }
    return chain;
  }

  /** The accounts beneath any of `roots` (not the roots themselves), at any depth. */
  async descendantsOf(roots: readonly string[]): Promise<Account[]> {
    const found: Account[] = [];
    const seen = new Set(roots);
    let frontier = [...roots];
    while (frontier.length > 0) {
      const rows = await this.db
        .selectFrom('accounts')
        .selectAll()
        .where('parent_id', 'in', frontier)
        .execute();
      frontier = [];
      for (const row of rows) {
        if (seen.has(row.id)) continue;
        seen.add(row.id);
        found.push(toAccount(row));
        frontier.push(row.id);
      }
    }
    return found;
  }

  /**
   * The suspended account nearest the root among `lineage` (the account first, the root last), or undefined when
   * none is: a client beneath a suspended partner is suspended in effect, and only lifting the partner helps.
   */
  async suspendedOnLineage(lineage: readonly string[]): Promise<Account | undefined> {
    if (lineage.length === 0) return undefined;
    const rows = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', 'in', lineage)
      .where('status', '=', 'suspended')
      .execute();
    const depth = (id: string) => lineage.indexOf(id);
    const top = rows.sort((a, b) => depth(b.id) - depth(a.id))[0];
    return top && toAccount(top);
  }

  /** Ids of every account suspended in effect: suspended itself, or beneath a suspended partner. */
  async suspendedIds(): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('accounts')
      .select('id')
      .where('status', '=', 'suspended')
      .execute();
    const roots = rows.map((r) => r.id);
    if (roots.length === 0) return new Set();
    return new Set([...roots, ...(await this.descendantsOf(roots)).map((a) => a.id)]);
  }

  async findManyById(ids: readonly string[]): Promise<Account[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('accounts').selectAll().where('id', 'in', ids).execute();
    return rows.map(toAccount);
  }

  async getBrand(id: string): Promise<Record<string, unknown> | null> {
    const row = await this.db.selectFrom('accounts').select('brand').where('id', '=', id).executeTakeFirst();
    return row?.brand ? (JSON.parse(row.brand) as Record<string, unknown>) : null;
  }

  async setBrand(id: string, brand: Record<string, unknown>): Promise<void> {
    await this.db
      .updateTable('accounts')
      .set({ brand: JSON.stringify(brand), updated_at: nowIso() })
      .where('id', '=', id)
      .execute();
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
