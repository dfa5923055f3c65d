/**
 * Alert conditions from the sync: the last finished sync of each service failed or ended with warnings, and
 * tenants whose consent Microsoft revoked (the sync records it when Microsoft refuses the app's token).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { AlertCondition } from '../alert.types.js';

/** The last finished (not dry-run) sync of every service of `accountIds` (all accounts when undefined). */
export async function syncConditions(
  db: Kysely<Database>,
  accountIds?: readonly string[],
): Promise<AlertCondition[]> {
  if (accountIds?.length === 0) return [];
  let latest = db
    .selectFrom('sync_runs')
    // Run ids sort in creation order (`sortableId`), so the greatest id is the latest run, ties impossible.
    .select(['service_id', sql<string>`max(id)`.as('id')])
    .where('dry_run', '=', 0)
    .where('state', 'in', ['succeeded', 'warning', 'failed'])
    .groupBy('service_id');
  if (accountIds) latest = latest.where('account_id', 'in', [...accountIds]);
  const rows = await db
    .selectFrom('sync_runs as r')
    .innerJoin(latest.as('l'), (j) => j.onRef('l.id', '=', 'r.id'))
    .innerJoin('services as s', 's.id', 'r.service_id')
    .select(['r.id', 'r.account_id', 'r.service_id', 'r.state', 'r.error', 'r.finished_at', 's.name'])
    .where('r.state', 'in', ['warning', 'failed'])
    .where('r.dry_run', '=', 0)
    .execute();
  return rows.map((r) => ({
    accountId: r.account_id,
    kind: r.state === 'failed' ? 'sync_failed' : 'sync_warning',
    subject: r.service_id,
    subjectLabel: r.name,
    severity: r.state === 'failed' ? 'critical' : 'warning',
    message:
      r.state === 'failed'
        ? `The last sync of ${r.name} failed: ${r.error ?? 'no reason recorded'}. Fix the cause named in the run's log and sync again.`
        : `The last sync of ${r.name} finished with warnings: open the run's log for the users and steps concerned.`,
    details: { runId: r.id, serviceId: r.service_id, finishedAt: r.finished_at, error: r.error },
  }));
}

/** Tenant connections whose consent Microsoft revoked (it refused the app's token). */
export async function consentConditions(
  db: Kysely<Database>,
  accountIds?: readonly string[],
): Promise<AlertCondition[]> {
  if (accountIds?.length === 0) return [];
  let query = db
    .selectFrom('tenant_connections')
    .select(['id', 'account_id', 'tenant_id', 'consent_error', 'updated_at'])
    .where('consent_state', '=', 'revoked');
  if (accountIds) query = query.where('account_id', 'in', [...accountIds]);
  return (await query.execute()).map((c) => ({
    accountId: c.account_id,
    kind: 'consent_revoked',
    subject: c.id,
    subjectLabel: c.tenant_id ?? 'Microsoft 365 tenant',
    severity: 'critical',
    message: `Microsoft refuses Callbridge's app for tenant ${c.tenant_id ?? '(unknown)'}: ${c.consent_error ?? 'consent was revoked'}. A Global Administrator of the tenant must give consent again (Tenant, Connect).`,
    details: { tenantId: c.tenant_id, reason: c.consent_error, since: c.updated_at },
  }));
}
