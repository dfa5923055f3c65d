import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService } from '../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../test/support/test-database.js';
import type { User } from '../domain/records.js';
import type { DatabaseHandle } from './database.js';
import type { UserQuery, UserWrite } from './repositories/users.repository.js';
import { Store } from './store.js';

/** The users page at 100k users (issue 21): cursor paging, indexed search and bounded counts, on both databases. */
describe.each(DIALECTS)('users page on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
  });
  afterAll(() => handle.drop());

  async function account(name: string) {
    const { client, service } = await clientWithPbxService(store, name);
    const user = (n: number, extra: Partial<UserWrite> = {}): UserWrite & { syncedLine: null } => ({
      accountId: client.id,
      serviceId: service.id,
      objectId: null,
      upn: null,
      email: `person${n}@${name.toLowerCase()}.example`,
      displayName: `Person ${n % 7}`,
      kind: 'standard',
      tenantState: 'not_synced',
      usageLocation: 'GB',
      coexistenceMode: null,
      licences: [],
      phoneNumber: n % 3 === 0 ? null : `+4420${String(7_000_000 + n)}`,
      extension: null,
      numberType: null,
      sipUsername: null,
      authUsername: null,
      sipPasswordEnc: null,
      registrationEnabled: true,
      registrationState: 'pending',
      registrationDetail: {},
      externalId: null,
      syncedLine: null,
      ...extra,
    });
    return { accountId: client.id, user };
  }

  /** Every page of a query, following nextCursor. */
  async function walk(accountId: string, query: Omit<UserQuery, 'offset' | 'cursor'>): Promise<User[]> {
    const seen: User[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.repos.users.list(accountId, { ...query, offset: 0, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return seen;
  }

  it('pages by cursor through every user exactly once in each sort, ties and users without a number included', async () => {
    const { accountId, user } = await account('Walk');
    await store.repos.users.createMany(Array.from({ length: 23 }, (_, n) => user(n)));
    for (const sort of ['displayName', 'email', 'phoneNumber', 'createdAt'] as const)
      for (const order of ['asc', 'desc'] as const) {
        const walked = await walk(accountId, { sort, order, limit: 5 });
        const everyone = await store.repos.users.list(accountId, { sort, order, limit: 100, offset: 0 });
        expect(walked.map((u) => u.id)).toEqual(everyone.items.map((u) => u.id));
        expect(new Set(walked.map((u) => u.id)).size).toBe(23);
      }
  });

  it('searches the same whether the matches are few or many: all of them, in order, counted, other accounts never', async () => {
    const { accountId, user } = await account('Many');
    const other = await account('Elsewhere');
    // More matches than WALK_SORT_INDEX_ABOVE (the page then walks the name index), and a rare term (read by rowid).
    const many = Array.from({ length: 2_100 }, (_, n) =>
      user(n, {
        displayName: `Okafor ${String(n).padStart(4, '0')}`,
        kind: n % 10 === 3 ? 'phone_app' : 'standard',
      }),
    );
    for (let i = 0; i < many.length; i += 500) await store.repos.users.createMany(many.slice(i, i + 500));
    await store.repos.users.createMany([user(9_001, { displayName: 'Rare Hana' })]);
    await store.repos.users.createMany([
      other.user(1, { displayName: 'Okafor Elsewhere' }),
      other.user(2, { displayName: 'Rare Hana' }),
    ]);
    const common = await walk(accountId, {
      search: 'okafor',
      sort: 'displayName',
      order: 'desc',
      limit: 500,
    });
    expect(common).toHaveLength(2_100);
    expect(common[0]!.displayName).toBe('Okafor 2099');
    expect(common.every((u) => u.accountId === accountId)).toBe(true);
    const first = await store.repos.users.list(accountId, { search: 'okafor', limit: 10, offset: 0 });
    expect(first).toMatchObject({ total: 2_100, totalIs: 'exact' });
    expect(first.items.map((u) => u.displayName)).toEqual(
      common
        .slice(-10)
        .reverse()
        .map((u) => u.displayName),
    );
    const phoneApp = await store.repos.users.list(accountId, {
      search: 'okafor',
      kind: 'phone_app',
      limit: 5,
      offset: 0,
    });
    expect(phoneApp.total).toBe(210);
    expect(phoneApp.items.map((u) => u.displayName)).toEqual([
      'Okafor 0003',
      'Okafor 0013',
      'Okafor 0023',
      'Okafor 0033',
      'Okafor 0043',
    ]);
    const rare = await store.repos.users.list(accountId, { search: 'HANA', limit: 10, offset: 0 });
    expect(rare.items.map((u) => u.displayName)).toEqual(['Rare Hana']);
    expect(rare).toMatchObject({ total: 1, totalIs: 'exact' });
  });

  it('filters Phone App users by their own index: every one, in name order, counted', async () => {
    const { accountId, user } = await account('Kinds');
    await store.repos.users.createMany(
      Array.from({ length: 40 }, (_, n) =>
        user(n, {
          displayName: `K ${String(n).padStart(2, '0')}`,
          kind: n % 4 === 0 ? 'phone_app' : 'standard',
        }),
      ),
    );
    const page = await store.repos.users.list(accountId, { kind: 'phone_app', limit: 3, offset: 0 });
    expect(page).toMatchObject({ total: 10, totalIs: 'exact' });
    expect(page.items.map((u) => u.displayName)).toEqual(['K 00', 'K 04', 'K 08']);
    const walked = await walk(accountId, { kind: 'phone_app', sort: 'displayName', order: 'asc', limit: 3 });
    expect(walked.map((u) => u.kind)).toEqual(Array(10).fill('phone_app'));
  });

  it('continues after the cursor when users are added before it, without repeating or skipping', async () => {
    const { accountId, user } = await account('Moving');
    await store.repos.users.createMany(
      Array.from({ length: 10 }, (_, n) => user(n, { displayName: `M ${n}` })),
    );
    const first = await store.repos.users.list(accountId, { sort: 'displayName', limit: 4, offset: 0 });
    await store.repos.users.createMany([user(100, { displayName: 'A newcomer' })]);
    const next = await store.repos.users.list(accountId, {
      sort: 'displayName',
      limit: 4,
      offset: 0,
      cursor: first.nextCursor ?? undefined,
    });
    expect(next.items.map((u) => u.displayName)).toEqual(['M 4', 'M 5', 'M 6', 'M 7']);
    expect(next.total).toBe(11);
  });

  it('refuses a cursor of another sort order or one it never gave out, saying what to do', async () => {
    const { accountId, user } = await account('Cursor');
    await store.repos.users.createMany(Array.from({ length: 3 }, (_, n) => user(n)));
    const page = await store.repos.users.list(accountId, { sort: 'email', limit: 1, offset: 0 });
    await expect(
      store.repos.users.list(accountId, {
        sort: 'displayName',
        limit: 1,
        offset: 0,
        cursor: page.nextCursor!,
      }),
    ).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringContaining('start again') });
    await expect(
      store.repos.users.list(accountId, { limit: 1, offset: 0, cursor: 'bm90LWEtY3Vyc29y' }),
    ).rejects.toMatchObject({ code: 'validation_failed', details: { field: 'cursor' } });
  });

  it('searches name, email, number and SIP username by substring through the index, kept current on change', async () => {
    const { accountId, user } = await account('Search');
    const [anna, , bob] = await store.repos.users.createMany([
      user(1, { displayName: 'Anna Kowalczyk', sipUsername: 'ext4711' }),
      user(2, { displayName: 'Anna Smith' }),
      user(3, { displayName: 'Bob Okafor' }),
    ]);
    const names = async (search: string) =>
      (await store.repos.users.list(accountId, { search, limit: 10, offset: 0 })).items.map(
        (u) => u.displayName,
      );
    expect(await names('KOWAL')).toEqual(['Anna Kowalczyk']);
    expect(await names('an')).toEqual(['Anna Kowalczyk', 'Anna Smith']);
    expect(await names('T4711')).toEqual(['Anna Kowalczyk']);
    expect(await names('7000002')).toEqual(['Anna Smith']);
    expect(await names('person2@search')).toEqual(['Anna Smith']);
    expect(await names('50%_')).toEqual([]);
    await store.repos.users.update(accountId, bob!.id, { displayName: 'Robert Okafor' });
    expect(await names('bob')).toEqual([]);
    expect(await names('robert')).toEqual(['Robert Okafor']);
    await store.repos.users.delete(accountId, anna!.id);
    expect(await names('kowal')).toEqual([]);
    // Another account's users never match, whatever is searched.
    const other = await account('Other');
    await store.repos.users.createMany([other.user(9, { displayName: 'Anna Elsewhere' })]);
    expect(await names('anna')).toEqual(['Anna Smith']);
  });

  it('counts exactly up to 10,000 users; past that about how many (PostgreSQL) or more than 10,000 (SQLite)', async () => {
    const { accountId, user } = await account('Large');
    for (let start = 0; start < 10_050; start += 500)
      await store.repos.users.createMany(
        Array.from({ length: Math.min(500, 10_050 - start) }, (_, k) =>
          user(start + k, { phoneNumber: null, kind: (start + k) % 100 === 0 ? 'phone_app' : 'standard' }),
        ),
      );
    if (dialect === 'postgres') await sql`analyze users`.execute(handle.db);
    const all = await store.repos.users.list(accountId, { limit: 50, offset: 0 });
    const few = await store.repos.users.list(accountId, { kind: 'phone_app', limit: 50, offset: 0 });
    expect(few).toMatchObject({ total: 101, totalIs: 'exact' });
    if (dialect === 'sqlite') expect(all).toMatchObject({ total: 10_000, totalIs: 'more_than' });
    else {
      expect(all.totalIs).toBe('about');
      expect(all.total).toBeGreaterThan(10_000);
      expect(all.total).toBeLessThan(20_000);
    }
  }, 60_000);
});
