import { holdings, skusOf, unlicensed } from '../domain/licences.js';
import type { Subscription, User, VoiceService } from '../domain/records.js';
import { registrationReadiness } from '../domain/registration-readiness.js';
import { SUSPENDED_REGISTRATION_REASON } from '../domain/suspension.js';
import type { Store } from '../store/store.js';

/**
 * A configured user the rule judges: a PBX service's user with SIP credentials, or a trunk service's user with a
 * trunk number (the users that consume a licence, as `users.countConfigured` counts them).
 */
export interface CallableUser {
  id: string;
  accountId: string;
  kind: User['kind'];
  createdAt: string;
  tenantState: User['tenantState'];
  serviceKind: VoiceService['kind'];
  /** A PBX user's registration switch; trunk users have none (true). */
  registrationEnabled: boolean;
}

/**
 * Why each of these users may not register nor make or take calls, for those refused: the account (or a partner
 * above it) suspended, no licence free for them (a trial over past its grace, a subscription shrunk: the users
 * configured last lose theirs first), registration turned off, or disabled / removed in the tenant. The one rule of
 * the sip role for PBX users' registrations and calls and for trunk users' calls (issue 19), so the two paths
 * cannot drift apart. Judge every configured user of the installation at once: licences are shared per account.
 *
 * @example const why = await callRefusals(store, [...pbxUsers, ...trunkUsers]); why.get(userId)
 */
export async function callRefusals(
  store: Store,
  users: readonly CallableUser[],
  now = new Date(),
): Promise<Map<string, string>> {
  const withoutLicence = await unlicensedUsers(store, users, now);
  const suspended = await store.repos.accounts.suspendedIds();
  const reasons = new Map<string, string>();
  for (const user of users) {
    const reason = suspended.has(user.accountId)
      ? SUSPENDED_REGISTRATION_REASON
      : (withoutLicence.get(user.id) ?? whyNotCallable(user));
    if (reason !== undefined) reasons.set(user.id, reason);
  }
  return reasons;
}

/** Why a configured user is not callable besides licences and suspension (registration off, gone from the tenant). */
function whyNotCallable(user: Pick<CallableUser, 'registrationEnabled' | 'tenantState'>) {
  if (!user.registrationEnabled) {
    const readiness = registrationReadiness({ ...user, sipUsername: '', hasSipPassword: true });
    return readiness.ready ? undefined : readiness.reason;
  }
  if (user.tenantState === 'removed') return 'The user was removed from the Microsoft 365 tenant.';
  if (user.tenantState === 'disabled') return 'The user is disabled in the Microsoft 365 tenant.';
  return undefined;
}

/** Users that would be served but hold no licence (a trial ran out, a subscription shrank), with why. */
async function unlicensedUsers(
  store: Store,
  users: readonly CallableUser[],
  now: Date,
): Promise<Map<string, string>> {
  const byAccount = new Map<string, Subscription[]>();
  for (const s of await store.repos.subscriptions.listAllActive())
    byAccount.set(s.accountId, [...(byAccount.get(s.accountId) ?? []), s]);
  const held = new Map([...byAccount].map(([accountId, subs]) => [accountId, holdings(subs, now)]));
  const claims = users
    .filter((u) => u.registrationEnabled && u.tenantState !== 'removed' && u.tenantState !== 'disabled')
    .map((u) => ({
      id: u.id,
      accountId: u.accountId,
      createdAt: u.createdAt,
      skus: skusOf(u.serviceKind, u.kind),
    }));
  return unlicensed(claims, held);
}
