/**
 * Alert conditions from trunk services (issue 19): a registration trunk whose REGISTER failed, or a trunk whose
 * addresses all fail the sip role's OPTIONS pings (critical: no call in or out), or some of them (warning: calls fail
 * over to the others). Read from what the sip role last wrote to `trunk_settings`.
 */
import type { Kysely } from 'kysely';
import type { TrunkAddressHealth } from '../../domain/trunk.js';
import type { Database } from '../../store/schema.js';
import type { AlertCondition } from '../alert.types.js';

export async function trunkConditions(
  db: Kysely<Database>,
  accountIds?: readonly string[],
): Promise<AlertCondition[]> {
  if (accountIds?.length === 0) return [];
  let query = db
    .selectFrom('trunk_settings as t')
    .innerJoin('services as s', 's.id', 't.service_id')
    .select([
      't.service_id',
      't.account_id',
      't.kind',
      't.registration_state',
      't.registration_detail',
      't.address_health',
      's.name',
    ]);
  if (accountIds) query = query.where('t.account_id', 'in', [...accountIds]);
  const found: AlertCondition[] = [];
  for (const trunk of await query.execute()) {
    const alert = (severity: AlertCondition['severity'], message: string, details: Record<string, unknown>) =>
      found.push({
        accountId: trunk.account_id,
        kind: 'trunk_down',
        subject: trunk.service_id,
        subjectLabel: trunk.name,
        severity,
        message,
        details,
      });
    const health = trunk.address_health ? (JSON.parse(trunk.address_health) as TrunkAddressHealth[]) : [];
    const down = health.filter((address) => !address.healthy);
    if (trunk.kind === 'registration' && trunk.registration_state === 'failed') {
      const detail = trunk.registration_detail
        ? (JSON.parse(trunk.registration_detail) as Record<string, unknown>)
        : {};
      const why = [detail['reason'], detail['code']].find(
        (value): value is string | number => typeof value === 'string' || typeof value === 'number',
      );
      alert(
        'critical',
        `The trunk of ${trunk.name} failed to register with the carrier (${why ?? 'no reason given'}): calls in and out fail. Check the trunk's credentials and domain on the service page.`,
        { reason: 'registration_failed', ...detail },
      );
    } else if (health.length > 0 && down.length === health.length) {
      alert(
        'critical',
        `No address of the trunk of ${trunk.name} answers OPTIONS (${down.map((a) => `${a.address}: ${a.reason ?? 'no answer'}`).join('; ')}): calls in and out fail. Check the carrier and the network path to it.`,
        { reason: 'all_addresses_down', addresses: down },
      );
    } else if (down.length > 0) {
      alert(
        'warning',
        `${down.length} of ${health.length} addresses of the trunk of ${trunk.name} do not answer OPTIONS (${down.map((a) => a.address).join(', ')}): calls go to the others.`,
        { reason: 'addresses_down', addresses: down },
      );
    }
  }
  return found;
}
