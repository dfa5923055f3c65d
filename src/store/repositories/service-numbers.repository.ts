import type { Kysely, Selectable } from 'kysely';
import type { ServiceNumber } from '../../domain/records.js';
import type { Database, ServiceNumbersTable } from '../schema.js';
import { newId, nowIso, uniqueOr } from './row-helpers.js';

export type NewServiceNumber = Omit<ServiceNumber, 'id' | 'createdAt'>;

/** A user showing a service number as their caller ID. */
export interface CallerIdUser {
  id: string;
  displayName: string;
  email: string;
}

/** Service numbers (shared outbound caller IDs) of trunk services; unique within the account. */
export class ServiceNumbersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewServiceNumber): Promise<ServiceNumber> {
    const row: ServiceNumbersTable = {
      id: newId(),
      account_id: input.accountId,
      service_id: input.serviceId,
      number: input.number,
      label: input.label,
      created_at: nowIso(),
    };
    await uniqueOr(
      () => this.db.insertInto('service_numbers').values(row).execute(),
      `${input.number} is already a service number of this account. A service number is added once; ` +
        'delete it first to move it to another trunk service.',
      { field: 'number' },
    );
    return toServiceNumber(row);
  }

  async findById(accountId: string, id: string): Promise<ServiceNumber | undefined> {
    const row = await this.db
      .selectFrom('service_numbers')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toServiceNumber(row);
  }

  async findByNumber(accountId: string, number: string): Promise<ServiceNumber | undefined> {
    const row = await this.db
      .selectFrom('service_numbers')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('number', '=', number)
      .executeTakeFirst();
    return row && toServiceNumber(row);
  }

  /** The service numbers of a trunk service, by number. */
  async listByService(accountId: string, serviceId: string): Promise<ServiceNumber[]> {
    const rows = await this.db
      .selectFrom('service_numbers')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .orderBy('number')
      .execute();
    return rows.map(toServiceNumber);
  }

  async delete(accountId: string, id: string): Promise<void> {
    await this.db
      .deleteFrom('service_numbers')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .execute();
  }

  /** Users of the service showing this number as their caller ID. */
  async listCallerIdUsers(accountId: string, serviceId: string, number: string): Promise<CallerIdUser[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'display_name', 'email'])
      .where('account_id', '=', accountId)
      .where('service_id', '=', serviceId)
      .where('caller_id', '=', number)
      .orderBy('email')
      .execute();
    return rows.map((row) => ({ id: row.id, displayName: row.display_name, email: row.email }));
  }
}

function toServiceNumber(row: Selectable<ServiceNumbersTable>): ServiceNumber {
  return {
    id: row.id,
    accountId: row.account_id,
    serviceId: row.service_id,
    number: row.number,
    label: row.label,
    createdAt: row.created_at,
  };
}
