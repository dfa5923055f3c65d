import type { EmFederation } from './telephony.state.js';
import type { TenantState } from './tenant.state.js';

/** Why a call from an external domain does not reach a user. */
export type ExternalCallRefusal =
  'no_such_user' | 'federation_off' | 'domain_not_allowed' | 'domain_blocked' | 'not_teams_only';

/** The answer Teams gives a federated call to one of the tenant's users. */
export type ExternalCallDecision =
  | { allowed: true; sipStatus: null; reason: null; message: string }
  | { allowed: false; sipStatus: number; reason: ExternalCallRefusal; message: string };

const refused = (sipStatus: number, reason: ExternalCallRefusal, message: string): ExternalCallDecision => ({
  allowed: false,
  sipStatus,
  reason,
  message,
});

/** Whether `domain` is `parent` or beneath it. */
function within(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}

/**
 * The tenant's external access (Get-CsTenantFederationConfiguration) applied to one calling domain:
 * AllowFederatedUsers off blocks everyone; an allow-list admits only its domains; with all known domains
 * allowed, the block list (and, with BlockAllSubdomains, its subdomains) is refused.
 */
function federationRefusal(federation: EmFederation, domain: string): ExternalCallDecision | undefined {
  if (!federation.allowFederatedUsers)
    return refused(
      603,
      'federation_off',
      'External access is off: the tenant does not take calls from other organisations.',
    );
  if (federation.allowedDomains !== 'allKnown') {
    if (!federation.allowedDomains.some((d) => d.toLowerCase() === domain))
      return refused(
        603,
        'domain_not_allowed',
        `External access allows only listed domains, and ${domain} is not one of them.`,
      );
    return undefined;
  }
  const blocked = federation.blockedDomains.some((d) =>
    federation.blockAllSubdomains ? within(domain, d.toLowerCase()) : d.toLowerCase() === domain,
  );
  return blocked ? refused(603, 'domain_blocked', `External access blocks ${domain}.`) : undefined;
}

/**
 * What happens to a call from `fromDomain` (the Phone App's domain) to a user, the way the Phone App's
 * documentation describes it: a tenant that blocks external access, or keeps an allow-list without the domain,
 * declines with 603; a user not in Teams Only mode cannot take it (their federated calls go to Skype for
 * Business, the "S" by their name): the emulator answers 480, its model of "not reachable in Teams".
 */
export function externalCallDecision(
  tenant: TenantState,
  userIdOrUpn: string,
  fromDomain: string,
): ExternalCallDecision {
  const user = tenant.findUser(userIdOrUpn);
  if (!user || !user.accountEnabled) return refused(404, 'no_such_user', `No enabled user '${userIdOrUpn}'.`);
  const federation = federationRefusal(tenant.telephony.federation, fromDomain.toLowerCase());
  if (federation) return federation;
  const mode = tenant.effectiveMode(user);
  if (mode !== 'TeamsOnly')
    return refused(
      480,
      'not_teams_only',
      `${user.userPrincipalName} is in ${mode} mode, not Teams Only: calls from other organisations go to Skype for Business.`,
    );
  return {
    allowed: true,
    sipStatus: null,
    reason: null,
    message: `${user.userPrincipalName} can take calls from ${fromDomain}.`,
  };
}
