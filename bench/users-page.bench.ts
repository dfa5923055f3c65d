/**
 * Issue 21 "The users page at 100k users": loads 100,000 users into one account (SQLite file and a throwaway
 * PostgreSQL) and times the users page as the API reads it (`UsersRepository.list`: page and count): the default
 * page, searches, filters, sorts and a deep page (position 90,000: by `offset` on code without cursors, by the
 * cursor of that position otherwise). Target: p95 <= 20 ms for the default page, search and deep pages on SQLite.
 *
 *   node --import tsx bench/users-page.bench.ts [--users 100000] [--runs 60] [--db sqlite,postgres]
 *
 * Prints a table per database and one JSON line: {"bench":"users-page", ...}. Seeding is not timed.
 */
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import type { UserQuery, UserWrite } from '../src/store/repositories/users.repository.js';
import { Store } from '../src/store/store.js';
import { benchPbxService } from './support/bench-tenant.fixture.js';
import { onEachDatabase, timeRuns } from './support/bench-timing.js';

const arg = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const USERS = Number(arg('users', '100000'));
const RUNS = Number(arg('runs', '60'));
const DATABASES = arg('db', 'sqlite,postgres').split(',');
const TARGET_P95_MS = 20;

const FIRST = [
  'Alice',
  'Bruno',
  'Chen',
  'Dana',
  'Emeka',
  'Fatima',
  'Gustav',
  'Hana',
  'Ivan',
  'Joanna',
  'Kofi',
  'Lena',
];
const LAST = [
  'Smith',
  'Jones',
  'Okafor',
  'Müller',
  'Tanaka',
  'Garcia',
  'Novak',
  'Larsen',
  'Rossi',
  'Dubois',
  'Kaur',
];
const STATES = ['registered', 'registered', 'registered', 'disabled', 'pending', 'failed'] as const;

function userOf(accountId: string, serviceId: string, i: number): UserWrite & { syncedLine: string | null } {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  const numbered = i % 10 !== 9;
  return {
    accountId,
    serviceId,
    objectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    upn: `${first}.${last}${i}@contoso.com`.toLowerCase(),
    email: `${first}.${last}${i}@contoso.com`.toLowerCase(),
    displayName: `${first} ${last} ${i}`,
    kind: i % 10 === 3 ? 'phone_app' : 'standard',
    tenantState: 'active',
    usageLocation: 'GB',
    coexistenceMode: 'TeamsOnly',
    licences: ['MCOEV'],
    phoneNumber: numbered ? `+44207${String(1_000_000 + i).padStart(7, '0')}` : null,
    extension: null,
    numberType: numbered ? 'ddi' : null,
    sipUsername: numbered ? String(100_000 + i) : null,
    authUsername: null,
    sipPasswordEnc: null,
    registrationEnabled: true,
    registrationState: STATES[i % 50 === 0 ? 5 : i % 5]!,
    registrationDetail: {},
    externalId: null,
    syncedLine: null,
  };
}

async function seeded(url: string) {
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  const store = new Store(handle);
  const { client, service } = await benchPbxService(store);
  for (let start = 0; start < USERS; start += 500) {
    const chunk = Array.from({ length: Math.min(500, USERS - start) }, (_, k) =>
      userOf(client.id, service.id, start + k),
    );
    await store.transaction((tx) => tx.users.createMany(chunk));
  }
  return { handle, store, accountId: client.id };
}

/** The cursor at `position` of a sort (walked once, not timed), or undefined on code without cursors. */
async function cursorAt(list: ListFn, query: Omit<UserQuery, 'limit' | 'offset'>, position: number) {
  let cursor: string | undefined;
  for (let walked = 0; walked < position; walked += 500) {
    const page = await list({
      ...query,
      limit: Math.min(500, position - walked),
      offset: 0,
      cursor,
    });
    cursor = (page as { nextCursor?: string | null }).nextCursor ?? undefined;
    if (!cursor) return undefined;
  }
  return cursor;
}

type ListFn = (query: UserQuery) => Promise<{ items: unknown[]; total: number }>;

async function run(dbName: string, url: string) {
  const { handle, store, accountId } = await seeded(url);
  if (handle.dialect === 'postgres') await (await import('kysely')).sql`analyze`.execute(handle.db);
  const list: ListFn = (query) => store.repos.users.list(accountId, query);
  const deepCursor = await cursorAt(list, { sort: 'displayName', order: 'asc' }, 90_000);
  const cases: Record<string, UserQuery> = {
    default: { sort: 'displayName', order: 'asc', limit: 50, offset: 0 },
    searchName: { search: 'okafor', sort: 'displayName', order: 'asc', limit: 50, offset: 0 },
    searchRare: { search: 'hana.rossi1', sort: 'displayName', order: 'asc', limit: 50, offset: 0 },
    searchNumber: { search: '2071042', sort: 'displayName', order: 'asc', limit: 50, offset: 0 },
    filterFailed: { registrationState: 'failed', sort: 'displayName', order: 'asc', limit: 50, offset: 0 },
    filterPhoneApp: { kind: 'phone_app', sort: 'displayName', order: 'asc', limit: 50, offset: 0 },
    sortEmail: { sort: 'email', order: 'asc', limit: 50, offset: 0 },
    sortNumberDesc: { sort: 'phoneNumber', order: 'desc', limit: 50, offset: 0 },
    sortCreatedDesc: { sort: 'createdAt', order: 'desc', limit: 50, offset: 0 },
    deepPage: deepCursor
      ? { sort: 'displayName', order: 'asc', limit: 50, offset: 0, cursor: deepCursor }
      : { sort: 'displayName', order: 'asc', limit: 50, offset: 90_000 },
  };
  const results: Record<string, { p50: number; p95: number; items: number; total: number }> = {};
  for (const [name, query] of Object.entries(cases)) {
    const { p50, p95, last } = await timeRuns(RUNS, () => list(query));
    results[name] = { p50, p95, items: last.items.length, total: last.total };
  }
  await handle.close();
  console.log(
    `\n${dbName}: ${USERS} users, ${RUNS} runs each, deep page by ${deepCursor ? 'cursor' : 'offset'}`,
  );
  console.table(results);
  return { deepPageBy: deepCursor ? 'cursor' : 'offset', results };
}

const out = await onEachDatabase(DATABASES, run);
console.log(
  JSON.stringify({ bench: 'users-page', users: USERS, runs: RUNS, targetP95Ms: TARGET_P95_MS, ...out }),
);
