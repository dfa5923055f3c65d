/**
 * The users page query at 100,000 users (issue 21): keyset (cursor) paging, the indexed substring search and a
 * count that stays cheap. Kept apart from `UsersRepository` so the repository stays readable; indexes are those
 * of migration 0012.
 */
import {
  CompiledQuery,
  sql,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type SelectQueryBuilder,
} from 'kysely';
import { AppError } from '../../domain/errors.js';
import type { User } from '../../domain/records.js';
import type { Dialect } from '../database.js';
import { searchText } from '../migrations/0012-users-page.js';
import type { Database } from '../schema.js';

export type UserSort = 'displayName' | 'email' | 'phoneNumber' | 'createdAt';
type Order = 'asc' | 'desc';
type UsersQuery = SelectQueryBuilder<Database, 'users', object>;

/** Counted exactly up to here; past it the page says "about N" where an exact count would scan the account. */
export const EXACT_COUNT_LIMIT = 10_000;

/** The sort key of each order, as indexed by migration 0012 (no number sorts as '' on both databases). */
export const sortKeys: Record<UserSort, RawBuilder<string>> = {
  displayName: sql<string>`display_name`,
  email: sql<string>`email`,
  phoneNumber: sql<string>`coalesce(phone_number, '')`,
  createdAt: sql<string>`created_at`,
};

/** A user's value of the sort key (what the next page continues after). */
export function sortValueOf(user: User, sort: UserSort): string {
  if (sort === 'displayName') return user.displayName;
  if (sort === 'email') return user.email;
  if (sort === 'phoneNumber') return user.phoneNumber ?? '';
  return user.createdAt;
}

/**
 * An opaque cursor: the position after `user` in a sort order (base64url JSON). It names its sort so that a cursor
 * of another order is refused rather than silently skipping or repeating users.
 */
export function encodeCursor(user: User, sort: UserSort, order: Order): string {
  return Buffer.from(JSON.stringify([sort, order, sortValueOf(user, sort), user.id])).toString('base64url');
}

/** The position a cursor names, checked against the page's sort; a clear error when it is not ours or stale. */
export function decodeCursor(cursor: string, sort: UserSort, order: Order): { value: string; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    !parsed.every((part): part is string => typeof part === 'string') ||
    !Object.hasOwn(sortKeys, parsed[0] as string)
  )
    throw new AppError(
      'validation_failed',
      'The cursor is not one this API gave out; pass the nextCursor of the previous page as it was, or leave it out to start at the first page.',
      { field: 'cursor' },
    );
  const [cursorSort, cursorOrder, value, id] = parsed;
  if (cursorSort !== sort || cursorOrder !== order)
    throw new AppError(
      'validation_failed',
      `The cursor belongs to the order ${cursorSort} ${cursorOrder}, not ${sort} ${order}; start again without a cursor after changing the sort.`,
      { field: 'cursor' },
    );
  return { value: value!, id: id! };
}

/** Only the rows after the cursor's position, in the page's order (a range read of the sort index). */
export function afterCursor(query: UsersQuery, sort: UserSort, order: Order, cursor: string): UsersQuery {
  const { value, id } = decodeCursor(cursor, sort, order);
  const key = sortKeys[sort];
  return query.where(
    order === 'asc'
      ? sql<boolean>`(${key}, id) > (${value}, ${id})`
      : sql<boolean>`(${key}, id) < (${value}, ${id})`,
  );
}

/**
 * Users whose name, email, number or SIP username contains `term` (case-insensitive). PostgreSQL reads the pg_trgm
 * index of the searched text; SQLite narrows to the FTS5 trigram matches (3+ characters; shorter terms scan the
 * account) and re-checks the user's own columns, so a stale index row can never show a user who does not match.
 */
export function searchFilter(dialect: Dialect, term: string) {
  const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  return (eb: ExpressionBuilder<Database, 'users'>) => {
    if (dialect === 'postgres') return eb(searchText, 'like', sql`${pattern} escape '\\'`);
    const columns = eb.or(
      (['display_name', 'email', 'phone_number', 'sip_username'] as const).map((column) =>
        eb(sql`lower(${sql.ref(column)})`, 'like', sql`${pattern} escape '\\'`),
      ),
    );
    if ([...term].length < 3) return columns;
    const phrase = `"${term.replace(/"/g, '""')}"`;
    // By rowid (the FTS row's, set by the triggers): SQLite then reads the matches by primary key rather than
    // walking the account's sort index and testing each user against the match set.
    return eb.and([
      sql<boolean>`users.rowid in (select rowid from users_search where users_search match ${phrase})`,
      columns,
    ]);
  };
}

/** The users page's filters (a subset of `UserQuery`). */
export interface UserFilters {
  serviceId?: string;
  kind?: User['kind'];
  numberType?: NonNullable<User['numberType']>;
  registrationState?: User['registrationState'];
  search?: string;
}

/**
 * Above this many search matches, a SQLite page walks the sort index and tests each user against the matches
 * (about limit x account / matches rows read); at or below, it reads the matches by rowid and sorts them.
 */
export const WALK_SORT_INDEX_ABOVE = 2_000;

/** True when a search is served from the SQLite trigram index's matches (3+ characters); see `filteredUsers`. */
export function searchesByMatches(dialect: Dialect, search: string | undefined): boolean {
  return dialect === 'sqlite' && search !== undefined && [...search].length >= 3;
}

/**
 * The account's users matching the page's filters. `matches_first` (SQLite search) keeps SQLite's planner off
 * the account's indexes (`+column` is not indexable), so it reads the search index's matches by rowid and tests
 * the filters on those: without statistics SQLite otherwise walks every user of the account and tests each
 * against the matches, 15 ms for a search with 85 matches in an account of 100,000.
 */
export function filteredUsers(
  db: Kysely<Database>,
  dialect: Dialect,
  accountId: string,
  filters: UserFilters,
  plan: 'indexed' | 'matches_first',
): UsersQuery {
  const column = (name: 'account_id' | 'service_id' | 'kind' | 'number_type' | 'registration_state') =>
    plan === 'indexed' ? sql.ref(name) : sql`+${sql.ref(name)}`;
  let base = db.selectFrom('users').where(column('account_id'), '=', accountId);
  if (filters.serviceId) base = base.where(column('service_id'), '=', filters.serviceId);
  if (filters.kind) base = base.where(column('kind'), '=', filters.kind);
  if (filters.numberType) base = base.where(column('number_type'), '=', filters.numberType);
  if (filters.registrationState)
    base = base.where(column('registration_state'), '=', filters.registrationState);
  if (filters.search) base = base.where(searchFilter(dialect, filters.search));
  return base;
}

/** How a total was counted: exactly, PostgreSQL's planner estimate ("about N"), or a bound ("more than N"). */
export type TotalIs = 'exact' | 'about' | 'more_than';

/**
 * How many users the filters match, without reading the whole account on every page: exact up to
 * {@link EXACT_COUNT_LIMIT} (a bounded read). Past it PostgreSQL gives its planner's estimate ("about N"); SQLite
 * has no row estimates, so it says "more than 10,000".
 */
export async function countMatching(
  db: Kysely<Database>,
  dialect: Dialect,
  base: UsersQuery,
): Promise<{ total: number; totalIs: TotalIs }> {
  const bounded = await db
    .selectFrom(
      base
        .select(sql`1`.as('one'))
        .limit(EXACT_COUNT_LIMIT + 1)
        .as('matching'),
    )
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  const n = Number(bounded.n);
  if (n <= EXACT_COUNT_LIMIT) return { total: n, totalIs: 'exact' };
  if (dialect === 'sqlite') return { total: EXACT_COUNT_LIMIT, totalIs: 'more_than' };
  const compiled = base.select(sql`1`.as('one')).compile();
  const explained = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]),
  );
  const planned = explained.rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0;
  return { total: Math.max(n, Math.round(planned)), totalIs: 'about' };
}
