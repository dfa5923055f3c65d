import type { Kysely } from 'kysely';
import type { PbxReachability } from '../../domain/records.js';
import type { Database } from '../schema.js';

/**
 * Whether each PBX service's PBX answers, as the sip role last found (OPTIONS probe, REGISTER answers). The sip
 * role writes it (any node; the last verdict wins); the service answer of the API reads it. Reads are by service
 * ids the caller already scoped to an account.
 */
export class PbxReachabilityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Record a verdict for several services of one PBX target at once. */
  async record(serviceIds: readonly string[], verdict: PbxReachability): Promise<void> {
    for (const serviceId of serviceIds) {
      const row = {
        reachable: verdict.reachable ? 1 : 0,
        last_confirmed_at: verdict.lastConfirmedAt,
        checked_at: verdict.checkedAt,
        reason: verdict.reason,
      };
      await this.db
        .insertInto('pbx_reachability')
        .values({ service_id: serviceId, ...row })
        .onConflict((oc) => oc.column('service_id').doUpdateSet(row))
        .execute();
    }
  }

  /** Verdicts of the given services (those never probed are absent). */
  async forServices(serviceIds: readonly string[]): Promise<Map<string, PbxReachability>> {
    if (serviceIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('pbx_reachability')
      .selectAll()
      .where('service_id', 'in', serviceIds)
      .execute();
    return new Map(
      rows.map((r) => [
        r.service_id,
        {
          reachable: r.reachable === 1,
          lastConfirmedAt: r.last_confirmed_at,
          checkedAt: r.checked_at,
          reason: r.reason,
        },
      ]),
    );
  }
}
