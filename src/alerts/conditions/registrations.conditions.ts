/**
 * Alert conditions from registrations: a PBX service where at least a share (setting) of the users registering
 * have a failed registration, or whose PBX the sip role found unreachable.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { AlertCondition } from '../alert.types.js';

export async function registrationConditions(
  db: Kysely<Database>,
  failedShare: number,
  accountIds?: readonly string[],
): Promise<AlertCondition[]> {
  if (accountIds?.length === 0) return [];
  // Services first (few rows), then the counts from the covering index `users_service_registration` alone.
  let pbxQuery = db.selectFrom('services').select(['id', 'account_id', 'name']).where('kind', '=', 'pbx');
  if (accountIds) pbxQuery = pbxQuery.where('account_id', 'in', [...accountIds]);
  const pbx = new Map((await pbxQuery.execute()).map((s) => [s.id, s]));
  let counts = db
    .selectFrom('users')
    .select([
      'service_id',
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when registration_state = 'failed' then 1 else 0 end)`.as('failed'),
    ])
    .where('registration_enabled', '=', 1)
    .groupBy('service_id');
  if (accountIds) counts = counts.where('service_id', 'in', pbx.size > 0 ? [...pbx.keys()] : ['']);
  let unreachable = db
    .selectFrom('pbx_reachability as p')
    .innerJoin('services as s', 's.id', 'p.service_id')
    .select(['p.service_id', 's.account_id', 's.name', 'p.reason', 'p.last_confirmed_at', 'p.checked_at'])
    .where('p.reachable', '=', 0);
  if (accountIds) unreachable = unreachable.where('s.account_id', 'in', [...accountIds]);
  const [rows, down] = await Promise.all([counts.execute(), unreachable.execute()]);
  const found = new Map<string, AlertCondition>();
  for (const p of down)
    found.set(p.service_id, {
      accountId: p.account_id,
      kind: 'registrations_lost',
      subject: p.service_id,
      subjectLabel: p.name,
      severity: 'critical',
      message: `The PBX of ${p.name} does not answer (${p.reason ?? 'no answer'}): its users cannot register or take calls. Check the PBX and the network path to it.`,
      details: { reason: 'pbx_unreachable', detail: p.reason, lastConfirmedAt: p.last_confirmed_at },
    });
  for (const r of rows) {
    const service = pbx.get(r.service_id);
    if (!service) continue;
    const total = Number(r.total);
    const failed = Number(r.failed);
    if (found.has(r.service_id) || failed === 0 || failed / total < failedShare) continue;
    found.set(r.service_id, {
      accountId: service.account_id,
      kind: 'registrations_lost',
      subject: r.service_id,
      subjectLabel: service.name,
      severity: failed === total ? 'critical' : 'warning',
      message: `${failed} of ${total} users of ${service.name} failed to register with the PBX. Open the service's users filtered by "failed" for each one's reason (often credentials or the PBX's address).`,
      details: {
        reason: 'registrations_failed',
        failed,
        total,
        share: Math.round((failed / total) * 1000) / 1000,
      },
    });
  }
  return [...found.values()];
}
