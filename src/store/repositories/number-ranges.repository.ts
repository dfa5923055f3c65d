import { sql, type Kysely, type Selectable } from 'kysely';
import type { NumberRangeRecord } from '../../domain/records.js';
import type { Dialect } from '../database.js';
import type { Database, NumberRangesTable } from '../schema.js';
import { newId, nowIso } from './row-helpers.js';

export type NewNumberRange = Omit<NumberRangeRecord, 'id' | 'createdAt'>;

/** A number in a range held by a user or resource account, to name the holder when a range cannot be deleted. */
export interface RangeNumberHolder {
  e164: string;
  userId: string;
  displayName: string;
  email: string;
}

/**
 * Number ranges of trunk services, and what is in use inside them. Both ends of a range have the same length, so
 * "between start and end, of the same length" in text order is the same as in number order, and uses the
 * `(account_id, phone_number)` index.
 */
export class NumberRangesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async create(input: NewNumberRange): Promise<NumberRangeRecord> {
    const row: NumberRangesTable = {
      id: newId(),
      account_id: input.accountId,
      service_id: input.serviceId,
      start_number: input.start,
      end_number: input.end,
      size: input.size,
      created_at: nowIso(),
    };
    await this.db.insertInto('number_ranges').values(row).execute();
    return toRange(row);
  }

  async findById(accountId: string, id: string): Promise<NumberRangeRecord | undefined> {
    const row = await this.db
      .selectFrom('number_ranges')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRange(row);
  }

  /** The ranges of one service, or of every service of the account, lowest first. */
  async list(accountId: string, serviceId?: string): Promise<NumberRangeRecord[]> {
    let query = this.db.selectFrom('number_ranges').selectAll().where('account_id', '=', accountId);
    if (serviceId !== undefined) query = query.where('service_id', '=', serviceId);
    const rows = await query
      .orderBy(sql`length(start_number)`)
      .orderBy('start_number')
      .execute();
    return rows.map(toRange);
  }

  async delete(accountId: string, id: string): Promise<void> {
    await this.db
      .deleteFrom('number_ranges')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * Serializes changes to an account's ranges and trunk numbers until the transaction ends (PostgreSQL: a row lock
   * on the account; SQLite: a write transaction is already exclusive), so two overlapping ranges added at once, or
   * a range deleted while a number in it is being assigned, cannot both pass their checks.
   */
  async lockAccount(accountId: string): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await this.db.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().execute();
  }

  /** Users and resource accounts of the account holding a number of the range, by number. */
  async listHolders(accountId: string, range: NumberRangeRecord): Promise<RangeNumberHolder[]> {
    const rows = await this.usersInRange(accountId, range)
      .select(['phone_number', 'id', 'display_name', 'email'])
      .orderBy('phone_number')
      .orderBy('email')
      .execute();
    return rows.map((row) => ({
      e164: row.phone_number ?? '',
      userId: row.id,
      displayName: row.display_name,
      email: row.email,
    }));
  }

  /**
   * Numbers of the range not free for a new user, lowest first: held by a user or resource account of the account,
   * or a service number (a shared caller ID) of the account.
   */
  async listOccupiedNumbers(accountId: string, range: NumberRangeRecord): Promise<string[]> {
    const rows = await this.occupied(accountId, range).orderBy('n').execute();
    return rows.map((row) => row.n);
  }

  /** How many numbers of the range users hold, and how many are held or kept as service numbers. */
  async countUsage(accountId: string, range: NumberRangeRecord): Promise<{ used: number; occupied: number }> {
    const [used, occupied] = await Promise.all([
      this.usersInRange(accountId, range)
        .select((eb) => eb.fn.count<string | number>('phone_number').distinct().as('n'))
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom(this.occupied(accountId, range).as('o'))
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { used: Number(used.n), occupied: Number(occupied.n) };
  }

  private usersInRange(accountId: string, range: NumberRangeRecord) {
    return this.db
      .selectFrom('users')
      .where('account_id', '=', accountId)
      .where('phone_number', '>=', range.start)
      .where('phone_number', '<=', range.end)
      .where(sql`length(phone_number)`, '=', range.start.length);
  }

  private occupied(accountId: string, range: NumberRangeRecord) {
    const serviceNumbers = this.db
      .selectFrom('service_numbers')
      .select('number as n')
      .where('account_id', '=', accountId)
      .where('number', '>=', range.start)
      .where('number', '<=', range.end)
      .where(sql`length(number)`, '=', range.start.length);
    return this.usersInRange(accountId, range)
      .select(sql<string>`phone_number`.as('n'))
      .union(serviceNumbers);
  }
}

function toRange(row: Selectable<NumberRangesTable>): NumberRangeRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    serviceId: row.service_id,
    start: row.start_number,
    end: row.end_number,
    size: row.size,
    createdAt: row.created_at,
  };
}
