import { phoneAppChecks, type PhoneAppCheckUser, type PhoneAppFinding } from '../../domain/phone-app.js';
import type { SyncRun } from '../../domain/records.js';
import type { TenantUserSnapshot } from '../../domain/sync/sync-plan.js';
import type { MicrosoftTenantClient } from '../../microsoft/index.js';
import type { Store } from '../../store/store.js';
import type { DegradedSteps } from './degraded-steps.js';
import type { SyncSay } from './sync-changes.applier.js';

/** What the checks need of this run's read: the users it read, and the Teams Phone SKUs (for stored users). */
export interface PhoneAppCheckRead {
  users: TenantUserSnapshot[];
  teamsPhoneParts: ReadonlySet<string>;
}

/**
 * The Phone App readiness checks (Teams Only, external access, licences) over the service's users as this run
 * leaves them: the tenant's coexistence mode and external access are read once; each user's flags come from this
 * run's read, or for users a delta read did not touch, from what is stored. No per-user calls.
 *
 * @example const findings = await checkPhoneApp(store, run, client, read, 'phone.example.com', say, degraded)
 */
export async function checkPhoneApp(
  store: Store,
  run: SyncRun,
  client: MicrosoftTenantClient,
  read: PhoneAppCheckRead,
  phoneAppDomain: string,
  say: SyncSay,
  degraded: DegradedSteps,
): Promise<PhoneAppFinding[]> {
  const unknown = 'The Phone App checks show it as unknown.';
  const tenantMode = await degraded.attempt(
    "reading the tenant's coexistence mode for the Phone App checks",
    () => client.getTenantCoexistenceMode(),
    null,
    unknown,
  );
  const federation = await degraded.attempt(
    "reading the tenant's external access settings for the Phone App checks",
    () => client.getFederationSettings(),
    null,
    unknown,
  );
  const stored = await store.repos.users.listSyncStates(run.accountId, run.serviceId);
  const snapshots = new Map(read.users.map((u) => [u.objectId, u]));
  const byEmail = new Map<string, string>();
  const users: PhoneAppCheckUser[] = [];
  const seen = new Set<string>();
  for (const user of stored) {
    if (!user.objectId || user.tenantState !== 'active') continue;
    byEmail.set(user.email.toLowerCase(), user.id);
    const t = snapshots.get(user.objectId);
    seen.add(user.objectId);
    if (t && !t.enabled) continue;
    const kind = t ? t.kind : user.kind;
    if (kind === 'resource_account') continue;
    users.push({
      email: user.email,
      kind,
      coexistenceMode: t ? t.coexistenceMode : user.coexistenceMode,
      hasTeamsPhone: t ? t.hasTeamsPhone : user.licences.some((p) => read.teamsPhoneParts.has(p)),
      hasCallingPlan: t ? t.hasCallingPlan : false,
      licensed: (t ? t.licences : user.licences).length > 0,
    });
  }
  // Users this run read but does not store: new in a dry run, or Phone App users excluded by a Calling Plan.
  for (const t of read.users) {
    if (seen.has(t.objectId) || !t.enabled || t.kind === 'resource_account') continue;
    if (t.hasCallingPlan && t.kind !== 'phone_app') continue;
    users.push({
      email: t.email,
      kind: t.kind,
      coexistenceMode: t.coexistenceMode,
      hasTeamsPhone: t.hasTeamsPhone,
      hasCallingPlan: t.hasCallingPlan,
      licensed: t.licences.length > 0,
    });
  }
  const findings = phoneAppChecks({
    users,
    tenantCoexistenceMode: tenantMode,
    externalAccess: federation,
    phoneAppDomain,
  });
  for (const finding of findings) {
    const steps = finding.fix.map((line, i) => `${i + 1}. ${line}`).join(' ');
    const userId = finding.user ? byEmail.get(finding.user.toLowerCase()) : undefined;
    say(`Phone App check (${finding.check}): ${finding.message} To fix: ${steps}`, 'warn', userId);
  }
  if (findings.length === 0) say('Phone App checks: Teams Only, external access and licences are in order.');
  return findings;
}
