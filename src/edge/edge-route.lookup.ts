import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { EdgeRouteLookup } from './teams-edge.js';

/**
 * The carrier model's lookup for calls from Teams, over the store: the Request-URI host is the customer's
 * subdomain that the sync created (`<first 8 characters of the service id>.<base domain>`, see
 * `carrierNamesOf`), which names the service and so the account; the number then names the user of that service.
 * An unknown or ambiguous subdomain is `unknown-host`, a number no user of the service has is `unknown-number`.
 * Reads only: one indexed query per step, no customer can reach another's users (the service's account scopes
 * the user query).
 *
 * @example const route = storeRouteLookup(db, 'sbc.example.com'); await route('3f2a9c1e.sbc.example.com', '+4930111')
 */
export function storeRouteLookup(
  db: Kysely<Database>,
  baseDomain: string,
): (host: string, number: string) => Promise<EdgeRouteLookup> {
  const suffix = `.${baseDomain.toLowerCase()}`;
  return async (host, number) => {
    const name = host.toLowerCase();
    if (!name.endsWith(suffix)) return { kind: 'unknown-host' };
    const short = name.slice(0, -suffix.length);
    if (!/^[0-9a-f-]{8}$/.test(short)) return { kind: 'unknown-host' };
    const services = await db
      .selectFrom('services')
      .select(['id', 'account_id'])
      .where('id', 'like', `${short}%`)
      .limit(2)
      .execute();
    const service = services.length === 1 ? services[0] : undefined;
    if (!service) return { kind: 'unknown-host' };
    const user = await db
      .selectFrom('users')
      .select(['id'])
      .where('account_id', '=', service.account_id)
      .where('service_id', '=', service.id)
      .where('phone_number', '=', number)
      .orderBy('extension')
      .executeTakeFirst();
    if (!user) return { kind: 'unknown-number' };
    return { kind: 'found', accountId: service.account_id, serviceId: service.id, userId: user.id };
  };
}
