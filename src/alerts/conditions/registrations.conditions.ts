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
  let counts = db
    .selectFrom('users as u')
    .innerJoin('services as s', 's.id', 'u.service_id')
    .select([
      'u.service_id',
      'u.account_id',
      's.name',
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when u.registration_state = 'failed' then 1 else 0 end)`.as('failed'),
    ])
    .where('s.kind', '=', 'pbx')
    .where('u.registration_enabled', '=', 1)
    .groupBy(['u.service_id', 'u.account_id', 's.name']);
  if (accountIds) counts = counts.where('u.account_id', 'in', [...accountIds]);
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
    const total = Number(r.total);
    const failed = Number(r.failed);
    if (found.has(r.service_id) || failed === 0 || failed / total < failedShare) continue;
    found.set(r.service_id, {
      accountId: r.account_id,
      kind: 'registrations_lost',
      subject: r.service_id,
      subjectLabel: r.name,
      severity: failed === total ? 'critical' : 'warning',
      message: `${failed} of ${total} users of ${r.name} failed to register with the PBX. Open the service's users filtered by "failed" for each one's reason (often credentials or the PBX's address).`,
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
