import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * The customer subdomains Microsoft knows, for per-customer OPTIONS: the carrier-model domains the sync created
 * and saw verified in each tenant (`tenant_objects` of kind `domain`, state `ready`), under the base domain.
 * A subdomain still pending verification is left out: Microsoft would refuse its OPTIONS anyway.
 *
 * @example const fqdns = storeCustomerFqdns(db, 'sbc.example.com'); await fqdns() // ['3f2a9c1e.sbc.example.com']
 */
export function storeCustomerFqdns(db: Kysely<Database>, baseDomain: string): () => Promise<string[]> {
  const suffix = `.${baseDomain.toLowerCase()}`;
  return async () => {
    const rows = await db
      .selectFrom('tenant_objects')
      .select('name')
      .where('kind', '=', 'domain')
      .where('state', '=', 'ready')
      .execute();
    return [...new Set(rows.map((r) => r.name.toLowerCase()).filter((name) => name.endsWith(suffix)))];
  };
}
