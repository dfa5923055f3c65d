import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
  type Updateable,
} from 'kysely';
import { AppError } from '../../domain/errors.js';
import type { User } from '../../domain/records.js';
import type { Database, UsersTable } from '../schema.js';
import { isUniqueViolation, type Dialect } from '../database.js';
import {
  afterCursor,
  countMatching,
  encodeCursor,
  filteredUsers,
  searchesByMatches,
  sortKeys,
  WALK_SORT_INDEX_ABOVE,
  type TotalIs,
} from './users-page.query.js';
import { newId, nowIso, parseJson, uniqueOr } from './row-helpers.js';

/** Fields a caller may set; the password arrives already encrypted (`sipPasswordEnc`); no caller ID: null. */
export type UserWrite = Omit<
  User,
  'id' | 'hasSipPassword' | 'syncError' | 'version' | 'createdAt' | 'updatedAt' | 'callerId'
> & {
  sipPasswordEnc: string | null;
  callerId?: string | null;
};
export type UserPatch = Partial<Omit<UserWrite, 'accountId' | 'serviceId'>>;

/** A user holding a number that users of another account beneath the same partner hold too. */
export interface SharedNumberHolderRow {
  e164: string;
  extension: string | null;
  accountId: string;
  accountName: string;
  userId: string;
  displayName: string;
  email: string;
}

/** The fields a bulk import writes, as they will be (see `writeImported`). */
export type ImportedUserFields = Pick<
  User,
  | 'id'
  | 'sipUsername'
  | 'authUsername'
  | 'phoneNumber'
  | 'extension'
  | 'numberType'
  | 'callerId'
  | 'externalId'
  | 'registrationState'
  | 'registrationDetail'
> & { sipPasswordEnc: string | null };

export interface UserQuery {
  serviceId?: string;
  kind?: User['kind'];
  numberType?: NonNullable<User['numberType']>;
  registrationState?: User['registrationState'];
  /** Matches name, email, number or SIP username (case-insensitive, substring). */
  search?: string;
  sort?: 'displayName' | 'email' | 'phoneNumber' | 'createdAt';
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
  /** The `nextCursor` of the previous page: continue after it (same sort and order). */
  cursor?: string;
}

/** A page of users; `totalIs` says whether `total` is exact, an estimate or a bound (see `countMatching`). */
export interface UserPage {
  items: User[];
  total: number;
  totalIs: TotalIs;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * The portal's number is not (yet) the line agreed with the tenant. Phone App users never count: their number is
 * for the PBX registration only and is never written to the tenant.
 */
function queuedNumberChange(eb: ExpressionBuilder<Database, 'users'>) {
  const line = sql<string>`coalesce(phone_number || case when extension <> '' then ';ext=' || extension else '' end, '')`;
  return eb.and([
    eb('kind', '<>', 'phone_app'),
    eb.or([eb('synced', '=', 0), eb(sql`coalesce(synced_line, '')`, '<>', line)]),
  ]);
}

/** A user whose Phone App Teams app the sync installs or removes. */
export interface PhoneAppInstallTarget {
  id: string;
  objectId: string;
  email: string;
}

/** A user as a sync compares it (see {@link UsersRepository.listSyncStates}). */
export type UserSyncState = Pick<
  User,
  | 'id'
  | 'objectId'
  | 'upn'
  | 'email'
  | 'displayName'
  | 'kind'
  | 'tenantState'
  | 'usageLocation'
  | 'coexistenceMode'
  | 'licences'
  | 'phoneNumber'
  | 'extension'
  | 'createdAt'
  | 'syncError'
> & { syncedLine: string | null | undefined };

/** Users of services. Every method is scoped to the account. */
export class UsersRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async create(input: UserWrite): Promise<User> {
    const now = nowIso();
    const row: UsersTable = {
      id: newId(),
      ...toColumns(input),
      account_id: input.accountId,
      service_id: input.serviceId,
      synced_line: null,
      synced: 0,
      sync_error: null,
      version: 1,
      created_at: now,
      updated_at: now,
    };
    await withClashMessages(() => this.db.insertInto('users').values(row).execute(), input);
    return toUser(row);
  }

  /**
   * Inserts many users at once (a sync's new users), each already agreed with the tenant on `syncedLine`.
   * One multi-row statement per call: callers pass chunks of a few hundred.
   */
  async createMany(inputs: (UserWrite & { syncedLine: string | null })[]): Promise<User[]> {
    if (inputs.length === 0) return [];
    const now = nowIso();
    const rows: UsersTable[] = inputs.map((input) => ({
      id: newId(),
      ...toColumns(input),
      account_id: input.accountId,
      service_id: input.serviceId,
      synced_line: input.syncedLine,
      synced: 1,
      sync_error: null,
      version: 1,
      created_at: now,
      updated_at: now,
    }));
    await this.db.insertInto('users').values(rows).execute();
    return rows.map(toUser);
  }

  async findById(accountId: string, id: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  /**
   * The account's user with this Entra object id (the `oid` of a Teams sign-in). One tenant's user can sit in
   * several services of the account; the Phone App user among them comes first.
   */
  async findByObjectId(accountId: string, objectId: string): Promise<User | undefined> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('object_id', '=', objectId)
      .execute();
    const users = rows.map(toUser);
    return users.find((u) => u.kind === 'phone_app') ?? users[0];
  }

  /** The encrypted SIP password, for the SIP role only. */
  async findPasswordCiphertext(accountId: string, id: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('users')
      .select('sip_password_enc')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.sip_password_enc ?? null;
  }

  /** Every user of an account (for whole-tenant checks such as number uniqueness in a bulk import). */
  async listAllInAccount(accountId: string): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('account_id', '=', accountId).execute();
    return rows.map(toUser);
  }

  /**
   * One page of an account's users in id order, after `afterId`: a bulk import reads a large account page by page,
   * giving the event loop back between pages (one query over 50,000 users held it for over a second).
   */
  async listPageInAccount(accountId: string, afterId: string | null, limit: number): Promise<User[]> {
    let query = this.db.selectFrom('users').selectAll().where('account_id', '=', accountId);
    if (afterId !== null) query = query.where('id', '>', afterId);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map(toUser);
  }

  /** The id `count` users after `afterId` in id order (the end of a slice of that size); undefined past the end. */
  async idAfter(accountId: string, afterId: string | null, count: number): Promise<string | undefined> {
    let query = this.db.selectFrom('users').select('id').where('account_id', '=', accountId);
    if (afterId !== null) query = query.where('id', '>', afterId);
    const row = await query
      .orderBy('id')
      .offset(count - 1)
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }

  /** Who holds a number (with extension) in this account, if anyone. */
  async findByNumber(
    accountId: string,
    phoneNumber: string,
    extension: string | null,
  ): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('phone_number', '=', phoneNumber)
      .where('extension', '=', extension ?? '')
      .executeTakeFirst();
    return row && toUser(row);
  }

  /**
   * A page of the users page: filters, search, sort; after `cursor` (keyset, any depth at the cost of the first
   * page) or at `offset` (kept for existing clients; cost grows with the offset). See users-page.query.ts.
   */
  async list(accountId: string, query: UserQuery): Promise<UserPage> {
    const sort = query.sort ?? 'displayName';
    const direction = query.order ?? 'asc';
    const base = filteredUsers(this.db, this.dialect, accountId, query, 'indexed');
    const pageOf = (from: typeof base) =>
      (query.cursor ? afterCursor(from, sort, direction, query.cursor) : from)
        .selectAll()
        .orderBy(sortKeys[sort], direction)
        .orderBy('id', direction)
        .limit(query.limit)
        .offset(query.offset)
        .execute();
    let rows: Awaited<ReturnType<typeof pageOf>>;
    let count: { total: number; totalIs: TotalIs };
    if (searchesByMatches(this.dialect, query.search)) {
      // SQLite search: count from the search index's matches, then read the page from them when they are few, or
      // by walking the sort index when they are many (the page then fills after a few hundred rows).
      const byMatches = filteredUsers(this.db, this.dialect, accountId, query, 'matches_first');
      count = await countMatching(this.db, this.dialect, byMatches);
      rows = await pageOf(count.total <= WALK_SORT_INDEX_ABOVE ? byMatches : base);
    } else {
      // PostgreSQL runs both at once on two pooled connections.
      [rows, count] = await Promise.all([pageOf(base), countMatching(this.db, this.dialect, base)]);
    }
    const items = rows.map(toUser);
    const last = items.length === query.limit ? items[items.length - 1] : undefined;
    return { items, ...count, nextCursor: last ? encodeCursor(last, sort, direction) : null };
  }

  /**
   * Every user, in the accounts beneath a partner (at any depth), holding an E.164 number that users of more than one
   * of those accounts hold: the provider-wide report of numbers used by several customers. Grouped in the database.
   */
  async listNumbersSharedBeneath(partnerId: string): Promise<SharedNumberHolderRow[]> {
    const rows = await this.db
      .withRecursive('beneath(id)', (db) =>
        db
          .selectFrom('accounts')
          .select('id')
          .where('parent_id', '=', partnerId)
          .union(
            db
              .selectFrom('accounts')
              .innerJoin('beneath', 'beneath.id', 'accounts.parent_id')
              .select('accounts.id'),
          ),
      )
      .with('shared', (db) =>
        db
          .selectFrom('users')
          .select('phone_number')
          .where('account_id', 'in', db.selectFrom('beneath').select('id'))
          .where('phone_number', 'is not', null)
          .groupBy('phone_number')
          .having((eb) => eb.fn.count('account_id').distinct(), '>', 1),
      )
      .selectFrom('users')
      .innerJoin('accounts', 'accounts.id', 'users.account_id')
      .select([
        'users.phone_number',
        'users.extension',
        'users.account_id',
        'accounts.name as account_name',
        'users.id',
        'users.display_name',
        'users.email',
      ])
      .where('users.account_id', 'in', (eb) => eb.selectFrom('beneath').select('id'))
      .where('users.phone_number', 'in', (eb) => eb.selectFrom('shared').select('phone_number'))
      .orderBy('users.phone_number')
      .orderBy('accounts.name')
      .orderBy('users.email')
      .execute();
    return rows.map((row) => ({
      e164: row.phone_number ?? '',
      extension: row.extension === '' ? null : row.extension,
      accountId: row.account_id,
      accountName: row.account_name,
      userId: row.id,
      displayName: row.display_name,
      email: row.email,
    }));
  }

  /** The users of a service with the line each last agreed with the tenant (for the sync plan). */
  /**
   * What a sync compares of each user of a service, and nothing else (no SIP or registration columns): a delta
   * sync of a 100,000-user service loads every user, so this read is kept lean.
   */
  async listSyncStates(
    accountId: string,
    serviceId: string,
    only?: { objectIds: readonly string[] },
  ): Promise<UserSyncState[]> {
    if (only) {
      // A delta sync: the users the tenant changed, those with a portal number not yet agreed with it, and those
      // with a sync error (which the plan clears once both sides agree, e.g. after the number was removed).
      const found = new Map<string, UserSyncState>();
      for (let i = 0; i < only.objectIds.length; i += 500) {
        const ids = only.objectIds.slice(i, i + 500);
        for (const user of await this.selectSyncStates(accountId, serviceId, (eb) =>
          eb('object_id', 'in', ids),
        ))
          found.set(user.id, user);
      }
      for (const user of await this.selectSyncStates(accountId, serviceId, (eb) =>
        eb.and([
          eb('object_id', 'is not', null),
          eb.or([queuedNumberChange(eb), eb('sync_error', 'is not', null)]),
        ]),
      ))
        found.set(user.id, user);
      return [...found.values()];
    }
    return this.selectSyncStates(accountId, serviceId);
  }

  /** Tenant totals of a service's users as stored: count by licences, kind and state (a few groups). */
  async syncTotals(
    accountId: string,
    serviceId: string,
  ): Promise<{ licences: string[]; kind: User['kind']; tenantState: User['tenantState']; count: number }[]> {
    const rows = await this.db
      .selectFrom('users')
      .select((eb) => ['licences', 'kind', 'tenant_state', eb.fn.countAll<string | number>().as('n')])
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .where('object_id', 'is not', null)
      .groupBy(['licences', 'kind', 'tenant_state'])
      .execute();
    return rows.map((r) => ({
      licences: parseJson<string[]>(r.licences, []),
      kind: r.kind,
      tenantState: r.tenant_state,
      count: Number(r.n),
    }));
  }

  /** Portal users without a tenant match created after `since` (they need a full read to be matched). */
  async countUnmatchedSince(accountId: string, serviceId: string, since: string): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .where('object_id', 'is', null)
      .where('tenant_state', '<>', 'removed')
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async selectSyncStates(
    accountId: string,
    serviceId: string,
    filter?: (eb: ExpressionBuilder<Database, 'users'>) => Expression<SqlBool>,
  ): Promise<UserSyncState[]> {
    let query = this.db
      .selectFrom('users')
      .select([
        'id',
        'object_id',
        'upn',
        'email',
        'display_name',
        'kind',
        'tenant_state',
        'usage_location',
        'coexistence_mode',
        'licences',
        'phone_number',
        'extension',
        'synced',
        'synced_line',
        'sync_error',
        'created_at',
      ])
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId);
    if (filter) query = query.where(filter);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      objectId: row.object_id,
      upn: row.upn,
      email: row.email,
      displayName: row.display_name,
      kind: row.kind,
      tenantState: row.tenant_state,
      usageLocation: row.usage_location,
      coexistenceMode: row.coexistence_mode,
      licences: parseJson(row.licences, []),
      phoneNumber: row.phone_number,
      extension: row.extension === '' ? null : row.extension,
      syncedLine: row.synced === 1 ? row.synced_line : undefined,
      syncError: row.sync_error,
      createdAt: row.created_at,
    }));
  }

  async listForSync(
    accountId: string,
    serviceId: string,
  ): Promise<(User & { syncedLine: string | null | undefined })[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .execute();
    return rows.map((row) => ({
      ...toUser(row),
      syncedLine: row.synced === 1 ? row.synced_line : undefined,
    }));
  }

  /**
   * Every user with SIP credentials, across accounts, for the SIP role (never for a request): id, service,
   * credentials (password still encrypted) and whether registration is wanted.
   */
  async listRegistrationsForSystem(): Promise<
    {
      id: string;
      accountId: string;
      serviceId: string;
      sipUsername: string;
      authUsername: string | null;
      passwordEnc: string;
      registrationEnabled: boolean;
      tenantState: User['tenantState'];
      kind: User['kind'];
      createdAt: string;
      /** When an administrator last asked to retry the registration, null when never. */
      retryRequestedAt: string | null;
    }[]
  > {
    const rows = await this.db
      .selectFrom('users')
      .select([
        'id',
        'account_id',
        'service_id',
        'sip_username',
        'auth_username',
        'sip_password_enc',
        'registration_enabled',
        'tenant_state',
        'kind',
        'created_at',
        'registration_retry_at',
      ])
      .where('sip_username', 'is not', null)
      .where('sip_password_enc', 'is not', null)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      serviceId: r.service_id,
      sipUsername: r.sip_username ?? '',
      authUsername: r.auth_username,
      passwordEnc: r.sip_password_enc ?? '',
      registrationEnabled: r.registration_enabled === 1,
      tenantState: r.tenant_state,
      kind: r.kind,
      createdAt: r.created_at,
      retryRequestedAt: r.registration_retry_at,
    }));
  }

  /**
   * An administrator's "Retry now": records when (the SIP role, maybe in another process, retries when it sees a
   * new value) and shows the user pending at once. No version bump: the configuration did not change.
   */
  async requestRegistrationRetry(accountId: string, id: string, at: string): Promise<User | undefined> {
    await this.db
      .updateTable('users')
      .set({ registration_retry_at: at, registration_state: 'pending', registration_detail: '{}' })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
    return this.findById(accountId, id);
  }

  /** Deletes a user of an account; false when there was none. */
  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('users')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Writes one state for many users at once (the SIP role at shutdown), 500 ids per statement. */
  async recordRegistrationStates(
    ids: readonly string[],
    state: User['registrationState'],
    detail: User['registrationDetail'],
  ): Promise<void> {
    for (let start = 0; start < ids.length; start += 500) {
      await this.db
        .updateTable('users')
        .set({ registration_state: state, registration_detail: JSON.stringify(detail) })
        .where('id', 'in', ids.slice(start, start + 500))
        .execute();
    }
  }

  /** Writes a registration state reported by the SIP role (no version bump: it is not an administrator's edit). */
  async recordRegistrationState(
    id: string,
    state: User['registrationState'],
    detail: User['registrationDetail'],
  ): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ registration_state: state, registration_detail: JSON.stringify(detail) })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Synced users whose portal line is not the one last agreed with the tenant: changes the next sync writes.
   * Counted in the database so the Sync Now state stays cheap on large tenants.
   */
  async countQueuedNumberChanges(accountId: string, serviceId: string): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .where('object_id', 'is not', null)
      .where(queuedNumberChange)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The Phone App installs a sync still owes: active Phone App users without the app (`install`), and users the
   * sync installed it for who are no longer Phone App users or left the synced users (`remove`).
   */
  async listPhoneAppInstallWork(
    accountId: string,
    serviceId: string,
  ): Promise<{ install: PhoneAppInstallTarget[]; remove: PhoneAppInstallTarget[] }> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'object_id', 'email', 'kind', 'tenant_state', 'phone_app_installed'])
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .where('object_id', 'is not', null)
      .where((eb) =>
        eb.or([
          eb.and([
            eb('kind', '=', 'phone_app'),
            eb('tenant_state', '=', 'active'),
            eb('phone_app_installed', '=', 0),
          ]),
          eb('phone_app_installed', '=', 1),
        ]),
      )
      .execute();
    const install: PhoneAppInstallTarget[] = [];
    const remove: PhoneAppInstallTarget[] = [];
    for (const row of rows) {
      const target = { id: row.id, objectId: row.object_id!, email: row.email };
      const installed = row.phone_app_installed === 1;
      const wanted = row.kind === 'phone_app' && row.tenant_state !== 'removed';
      if (!installed && wanted) install.push(target);
      else if (installed && !wanted) remove.push(target);
    }
    return { install, remove };
  }

  /** Records that the Phone App Teams app is (or no longer is) installed for these users. */
  async setPhoneAppInstalled(accountId: string, ids: readonly string[], installed: boolean): Promise<void> {
    for (let start = 0; start < ids.length; start += 500) {
      await this.db
        .updateTable('users')
        .set({ phone_app_installed: installed ? 1 : 0 })
        .where('account_id', '=', accountId)
        .where('id', 'in', ids.slice(start, start + 500))
        .execute();
    }
  }

  /** Records the line both sides now agree on, and clears the user's sync error. */
  async recordSynced(accountId: string, id: string, line: string | null): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ synced_line: line, synced: 1, sync_error: null })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
  }

  /** Keeps Microsoft's message for a write that failed for this user (null clears it). */
  async recordSyncError(accountId: string, id: string, message: string | null): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ sync_error: message })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * Writes the fields a bulk import sets, for many users, 500 per statement (`UPDATE ... FROM (VALUES ...)`, which
   * both databases run), bumping each version. A null `sipPasswordEnc` keeps the stored password.
   */
  async writeImported(accountId: string, users: readonly ImportedUserFields[]): Promise<void> {
    // `users.id in (...)` repeats the join's ids so SQLite (which keeps no statistics) looks each user up by id
    // instead of walking the whole account through the (account_id, id) index for every statement.
    const now = nowIso();
    for (let start = 0; start < users.length; start += 500) {
      const slice = users.slice(start, start + 500);
      const rows = slice.map(
        (u) =>
          sql`(${u.id}, ${u.sipUsername}, ${u.authUsername}, ${u.sipPasswordEnc}, ${u.phoneNumber}, ${u.extension ?? ''}, ${u.numberType}, ${u.callerId}, ${u.externalId}, ${u.registrationState}, ${JSON.stringify(u.registrationDetail)})`,
      );
      await uniqueOr(
        () =>
          sql`update users set sip_username = v.column2, auth_username = v.column3,
                sip_password_enc = coalesce(v.column4, sip_password_enc), phone_number = v.column5,
                extension = v.column6, number_type = v.column7, caller_id = v.column8, external_id = v.column9,
                registration_state = v.column10, registration_detail = v.column11, version = version + 1,
                updated_at = ${now}
              from (values ${sql.join(rows)}) as v
              where users.id = v.column1 and users.account_id = ${accountId}
                and users.id in (${sql.join(slice.map((u) => u.id))})`.execute(this.db),
        'A number or SIP username of the file was given to another user while importing; import the file again.',
      );
    }
  }

  /** Sets the same fields on many users, 500 per statement (e.g. freeing numbers before an import moves them). */
  async patchMany(accountId: string, ids: readonly string[], patch: UserPatch): Promise<void> {
    for (let start = 0; start < ids.length; start += 500) {
      await this.db
        .updateTable('users')
        .set({ ...patchColumns(patch), updated_at: nowIso() })
        .where('account_id', '=', accountId)
        .where('id', 'in', ids.slice(start, start + 500))
        .execute();
    }
  }

  /** Writes a patch if the record still has `expectedVersion` (optimistic concurrency); returns the new record. */
  async update(
    accountId: string,
    id: string,
    patch: UserPatch,
    expectedVersion?: number,
  ): Promise<User | undefined> {
    const current = await this.findById(accountId, id);
    if (!current) return undefined;
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new AppError(
        'precondition_failed',
        `User ${id} was changed by someone else (version ${current.version}, you sent ${expectedVersion}); reload and try again.`,
        { currentVersion: current.version },
      );
    }
    const passwordEnc =
      patch.sipPasswordEnc !== undefined
        ? patch.sipPasswordEnc
        : await this.findPasswordCiphertext(accountId, id);
    const next: UserWrite = { ...current, ...patch, sipPasswordEnc: passwordEnc };
    await withClashMessages(
      () =>
        this.db
          .updateTable('users')
          .set({ ...toColumns(next), version: current.version + 1, updated_at: nowIso() })
          .where('account_id', '=', accountId)
          .where('id', '=', id)
          .execute(),
      next,
    );
    return this.findById(accountId, id);
  }

  /** Every stored SIP password ciphertext (key rotation). */
  async listPasswordCiphertexts(): Promise<{ id: string; ciphertext: string }[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'sip_password_enc'])
      .where('sip_password_enc', 'is not', null)
      .execute();
    return rows.map((r) => ({ id: r.id, ciphertext: r.sip_password_enc ?? '' }));
  }

  async replacePasswordCiphertext(id: string, ciphertext: string): Promise<void> {
    await this.db.updateTable('users').set({ sip_password_enc: ciphertext }).where('id', '=', id).execute();
  }

  /**
   * Configured users of an account by service kind and user kind, the basis of licence consumption: PBX users with
   * SIP credentials and registration on, trunk users with a number; users gone or disabled in the tenant do not count.
   * `ids` limits the count to the users whose id is after `after` and up to `through` (either end open when null).
   */
  async countConfigured(
    accountId: string,
    ids: { after: string | null; through: string | null } = { after: null, through: null },
  ): Promise<{ serviceKind: 'pbx' | 'trunk'; userKind: User['kind']; count: number }[]> {
    let query = this.db.selectFrom('users as u');
    if (ids.after !== null) query = query.where('u.id', '>', ids.after);
    if (ids.through !== null) query = query.where('u.id', '<=', ids.through);
    const rows = await query
      .innerJoin('services as s', 's.id', 'u.service_id')
      .select([
        's.kind as service_kind',
        'u.kind as user_kind',
        (eb) => eb.fn.countAll<string | number>().as('n'),
      ])
      .where('u.account_id', '=', accountId)
      .where('u.tenant_state', 'not in', ['removed', 'disabled'])
      .where((eb) =>
        eb.or([
          eb.and([
            eb('s.kind', '=', 'pbx'),
            eb('u.sip_username', 'is not', null),
            eb('u.sip_password_enc', 'is not', null),
            eb('u.registration_enabled', '=', 1),
          ]),
          eb.and([eb('s.kind', '=', 'trunk'), eb('u.phone_number', 'is not', null)]),
        ]),
      )
      .groupBy(['s.kind', 'u.kind'])
      .execute();
    return rows.map((r) => ({ serviceKind: r.service_kind, userKind: r.user_kind, count: Number(r.n) }));
  }
}

async function withClashMessages(
  write: () => Promise<unknown>,
  user: Pick<UserWrite, 'email' | 'phoneNumber' | 'sipUsername'>,
): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // SQLite names the columns in its message, PostgreSQL names the index: match either.
    const text = `${String((error as Error).message)} ${String((error as { constraint?: string }).constraint ?? '')}`;
    if (text.includes('phone_number') || text.includes('users_account_number')) {
      throw new AppError(
        'conflict',
        `The number ${user.phoneNumber ?? ''} is already held by another user or resource account of this tenant.`,
        { field: 'phoneNumber' },
      );
    }
    if (text.includes('sip_username')) {
      throw new AppError(
        'conflict',
        `The SIP username "${user.sipUsername ?? ''}" is already used by another user of this service.`,
        { field: 'sipUsername' },
      );
    }
    if (text.includes('object_id') || text.includes('users_account_object'))
      throw new AppError('conflict', 'This Microsoft 365 user is already in this account.', {
        field: 'objectId',
      });
    throw new AppError('conflict', `A user with email ${user.email} already exists in this service.`, {
      field: 'email',
    });
  }
}

function toColumns(u: UserWrite) {
  return {
    object_id: u.objectId,
    upn: u.upn,
    email: u.email,
    display_name: u.displayName,
    kind: u.kind,
    tenant_state: u.tenantState,
    usage_location: u.usageLocation,
    coexistence_mode: u.coexistenceMode,
    licences: JSON.stringify(u.licences),
    phone_number: u.phoneNumber,
    extension: u.extension ?? '',
    number_type: u.numberType,
    caller_id: u.callerId ?? null,
    sip_username: u.sipUsername,
    auth_username: u.authUsername,
    sip_password_enc: u.sipPasswordEnc,
    registration_enabled: u.registrationEnabled ? 1 : 0,
    registration_state: u.registrationState,
    registration_detail: JSON.stringify(u.registrationDetail),
    external_id: u.externalId,
  };
}

/** The column of each field a caller may patch. */
const patchableColumns: Record<keyof UserPatch, keyof ReturnType<typeof toColumns>> = {
  objectId: 'object_id',
  upn: 'upn',
  email: 'email',
  displayName: 'display_name',
  kind: 'kind',
  tenantState: 'tenant_state',
  usageLocation: 'usage_location',
  coexistenceMode: 'coexistence_mode',
  licences: 'licences',
  phoneNumber: 'phone_number',
  extension: 'extension',
  numberType: 'number_type',
  callerId: 'caller_id',
  sipUsername: 'sip_username',
  authUsername: 'auth_username',
  sipPasswordEnc: 'sip_password_enc',
  registrationEnabled: 'registration_enabled',
  registrationState: 'registration_state',
  registrationDetail: 'registration_detail',
  externalId: 'external_id',
};

/** The columns of the fields present in a patch, converted as `toColumns` converts them. */
function patchColumns(patch: UserPatch): Updateable<UsersTable> {
  // Fields absent from the patch convert to placeholders here; only the patched ones are picked.
  const all = toColumns(patch as UserWrite);
  const columns: Record<string, unknown> = {};
  for (const field of Object.keys(patch) as (keyof UserPatch)[]) {
    if (patch[field] === undefined) continue;
    const column = patchableColumns[field];
    columns[column] = all[column];
  }
  return columns;
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    accountId: row.account_id,
    serviceId: row.service_id,
    objectId: row.object_id,
    upn: row.upn,
    email: row.email,
    displayName: row.display_name,
    kind: row.kind,
    tenantState: row.tenant_state,
    usageLocation: row.usage_location,
    coexistenceMode: row.coexistence_mode,
    licences: parseJson(row.licences, []),
    phoneNumber: row.phone_number,
    extension: row.extension === '' ? null : row.extension,
    numberType: row.number_type,
    callerId: row.caller_id,
    sipUsername: row.sip_username,
    authUsername: row.auth_username,
    hasSipPassword: row.sip_password_enc !== null,
    registrationEnabled: row.registration_enabled === 1,
    registrationState: row.registration_state,
    registrationDetail: parseJson(row.registration_detail, {}),
    externalId: row.external_id,
    syncError: row.sync_error,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
