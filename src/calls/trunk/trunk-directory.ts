import type { Kysely } from 'kysely';
import type { User } from '../../domain/records.js';
import type { Database } from '../../store/schema.js';

/** Who holds a number that came in on a trunk. */
export type TrunkNumberHolder =
  | { kind: 'user'; userId: string; number: string }
  | { kind: 'unassigned'; range: string }
  | { kind: 'outside' };

/** What an outbound call of a trunk user shows: their number and caller ID (their own or a service number). */
export interface TrunkCaller {
  number: string | null;
  callerId: string | null;
}

/**
 * The store reads of trunk calls: the user holding a number within the trunk's ranges (inbound), and a trunk
 * user's caller ID (outbound). Every read is scoped to the trunk's account and service, so a carrier of one
 * customer never reaches another customer's users, whatever number it sends.
 *
 * @example const holder = await trunkDirectory(db).holderOf(accountId, serviceId, '+441235123465');
 */
export function trunkDirectory(db: Kysely<Database>) {
  return {
    async holderOf(accountId: string, serviceId: string, e164: string): Promise<TrunkNumberHolder> {
      const range = await db
        .selectFrom('number_ranges')
        .select(['start_number', 'end_number'])
        .where('account_id', '=', accountId)
        .where('service_id', '=', serviceId)
        .where('start_number', '<=', e164)
        .where('end_number', '>=', e164)
        .executeTakeFirst();
      // Text order is number order only between numbers of one length (both ends of a range have the same).
      if (!range || range.start_number.length !== e164.length) return { kind: 'outside' };
      const user = await db
        .selectFrom('users')
        .select(['id'])
        .where('account_id', '=', accountId)
        .where('service_id', '=', serviceId)
        .where('phone_number', '=', e164)
        .executeTakeFirst();
      if (!user) return { kind: 'unassigned', range: `${range.start_number}-${range.end_number}` };
      // Whether the holder's calls are refused (licence, tenant state, suspension) is the sip role's one rule.
      return { kind: 'user', userId: user.id, number: e164 };
    },

    async callerOf(accountId: string, serviceId: string, userId: string): Promise<TrunkCaller | undefined> {
      const row = await db
        .selectFrom('users')
        .select(['phone_number', 'caller_id'])
        .where('account_id', '=', accountId)
        .where('service_id', '=', serviceId)
        .where('id', '=', userId)
        .executeTakeFirst();
      return row && { number: row.phone_number, callerId: row.caller_id };
    },
  };
}

export type TrunkDirectory = ReturnType<typeof trunkDirectory>;

/** A trunk service's user holding a trunk number, as the sip role's refusal rule judges them. */
export interface TrunkUserRow {
  id: string;
  accountId: string;
  kind: User['kind'];
  createdAt: string;
  tenantState: User['tenantState'];
}

/**
 * Every user of a trunk service who holds a number: the trunk users that consume a trunk user licence (the
 * condition of `users.countConfigured`), for the refusal rule the sip role applies at each reload.
 */
export async function trunkUsersForSystem(db: Kysely<Database>): Promise<TrunkUserRow[]> {
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('services as s', 's.id', 'u.service_id')
    .select(['u.id', 'u.account_id', 'u.kind', 'u.created_at', 'u.tenant_state'])
    .where('s.kind', '=', 'trunk')
    .where('u.phone_number', 'is not', null)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    kind: r.kind,
    createdAt: r.created_at,
    tenantState: r.tenant_state,
  }));
}
