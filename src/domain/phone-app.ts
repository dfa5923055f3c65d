/**
 * The Phone App add-on (seed 004): which step of enabling it is missing, and the readiness checks with fixes an
 * administrator can follow (Teams Only, external access, licences). Pure; the phone-app service and the sync feed it.
 */
import type { TeamsSettings, VoiceService } from './records.js';

export const NOT_PROVISIONED =
  'The Phone App service has not been provisioned to this account. It must be enabled via your licensing provider.';

/** The steps of seed 004, in order: enable, authorize, sync. */
export type PhoneAppStep = 'provision' | 'enable' | 'authorize' | 'sync' | 'ready';

/**
 * The first step still missing before Phone App users can be synced in, with what to do.
 *
 * @example phoneAppStep({ kind: 'pbx', teams }, 5, null).step // 'enable' when teams.phoneAppEnabled is false
 */
export function phoneAppStep(
  service: Pick<VoiceService, 'kind'> & { teams: TeamsSettings },
  phoneAppLicencesHeld: number,
  lastSyncAfterConsentAt: string | null,
): { step: PhoneAppStep; message: string } {
  if (service.kind !== 'pbx')
    return {
      step: 'provision',
      message: 'The Phone App is available for PBX services only; this is a trunk service.',
    };
  if (phoneAppLicencesHeld <= 0) return { step: 'provision', message: NOT_PROVISIONED };
  if (!service.teams.phoneAppEnabled)
    return {
      step: 'enable',
      message: 'Enable the Phone App on the Teams services tab of this service and save.',
    };
  if (service.teams.phoneAppConsent !== 'granted')
    return {
      step: 'authorize',
      message:
        service.teams.phoneAppConsent === 'denied'
          ? 'Consent for the Phone App was refused in Microsoft 365: choose "Authorize Phone App for my Organization" again and accept (a Global Administrator is needed).'
          : 'Choose "Authorize Phone App for my Organization" and accept in Microsoft 365 (a Global Administrator is needed).',
    };
  if (!lastSyncAfterConsentAt)
    return { step: 'sync', message: 'Run Sync Now: Phone App users are synced in from the next sync.' };
  return {
    step: 'ready',
    message: 'Phone App users are synced in; configure their SIP credentials like other users.',
  };
}

export type PhoneAppCheckName = 'teams_only' | 'external_access' | 'licence';

/** One finding of the readiness checks: what is wrong, for whom, and the steps that fix it. */
export interface PhoneAppFinding {
  check: PhoneAppCheckName;
  /** The user's email, or null for a tenant-wide finding. */
  user: string | null;
  message: string;
  fix: string[];
}

/** What the checks need to know of one user. */
export interface PhoneAppCheckUser {
  email: string;
  kind: 'standard' | 'phone_app' | 'resource_account';
  coexistenceMode: string | null;
  hasTeamsPhone: boolean;
  hasCallingPlan: boolean;
  /** Holds any Microsoft 365 licence; users without one are not telephony users at all and are not flagged. */
  licensed?: boolean;
}

/** The tenant's external access (federation) settings, as the Teams admin API returns them. */
export interface ExternalAccess {
  allowFederatedUsers: boolean;
  allowedDomains: { kind: 'allKnown' } | { kind: 'list'; domains: string[] };
  blockedDomains: string[];
}

const TEAMS_ONLY_TENANT_FIX = [
  'In the Teams admin center, go to Teams > Teams upgrade settings.',
  'Under Coexistence mode, select Teams only.',
  'Click Save, then run Sync Now here.',
];

const teamsOnlyUserFix = (email: string) => [
  `In the Teams admin center, go to Users and select ${email}.`,
  'On the Account tab, under Teams upgrade, click Edit.',
  'Set the Coexistence mode to Teams only and click Save, then run Sync Now here.',
];

/**
 * The Phone App readiness checks (seed 004), run by every sync and on demand. Cheap: they need the tenant's
 * coexistence mode, its external access settings and each user's licence flags and mode, all read in bulk.
 */
export function phoneAppChecks(input: {
  users: readonly PhoneAppCheckUser[];
  tenantCoexistenceMode: string | null;
  externalAccess: ExternalAccess | null;
  phoneAppDomain: string;
}): PhoneAppFinding[] {
  const findings: PhoneAppFinding[] = [];
  const phoneAppUsers = input.users.filter((u) => u.kind === 'phone_app');
  const { externalAccess: access, phoneAppDomain: domain } = input;
  if (access && phoneAppUsers.length > 0) {
    const blocked = access.blockedDomains.map((d) => d.toLowerCase()).includes(domain.toLowerCase());
    const listed =
      access.allowedDomains.kind === 'allKnown' ||
      access.allowedDomains.domains.map((d) => d.toLowerCase()).includes(domain.toLowerCase());
    if (!access.allowFederatedUsers) {
      findings.push({
        check: 'external_access',
        user: null,
        message:
          'External access is off: calls from the Phone App cannot reach Teams users (they are declined with 603).',
        fix: [
          'In the Teams admin center, go to Users > External access.',
          'Turn on "Users can communicate with other Skype for Business and Teams users".',
          `If you allow only specific domains, add ${domain} to the Allow list.`,
          'Click Save.',
        ],
      });
    } else if (blocked || !listed) {
      findings.push({
        check: 'external_access',
        user: null,
        message: blocked
          ? `The Phone App domain ${domain} is blocked in external access: its calls are declined with 603.`
          : `External access allows only listed domains, and the Phone App domain ${domain} is not on the list.`,
        fix: [
          'In the Teams admin center, go to Users > External access.',
          blocked
            ? `Remove ${domain} from the Blocked domains.`
            : `Add ${domain} to the list of domains with a status of Allowed.`,
          'Click Save.',
        ],
      });
    }
  }
  const tenantTeamsOnly = input.tenantCoexistenceMode === 'TeamsOnly';
  const notTeamsOnly = phoneAppUsers.filter(
    (u) => (u.coexistenceMode ?? input.tenantCoexistenceMode) !== 'TeamsOnly',
  );
  if (notTeamsOnly.length > 0 && !tenantTeamsOnly) {
    findings.push({
      check: 'teams_only',
      user: null,
      message: `The tenant is in ${input.tenantCoexistenceMode ?? 'an unknown'} mode, not Teams Only: ${notTeamsOnly.length} Phone App user(s) are not in Teams Only mode. Move the whole tenant (below) or each user.`,
      fix: TEAMS_ONLY_TENANT_FIX,
    });
  }
  for (const user of notTeamsOnly) {
    findings.push({
      check: 'teams_only',
      user: user.email,
      message: `${user.email} is in ${user.coexistenceMode ?? input.tenantCoexistenceMode ?? 'an unknown'} mode, not Teams Only: the Phone App will not work for them (others see the Skype "S" by their name).`,
      fix: teamsOnlyUserFix(user.email),
    });
  }
  for (const user of phoneAppUsers) {
    if (user.hasTeamsPhone || user.hasCallingPlan) {
      findings.push({
        check: 'licence',
        user: user.email,
        message: `${user.email} holds ${user.hasCallingPlan ? 'a Calling Plan' : 'a Teams Phone licence'}: a Phone App user must hold neither.`,
        fix: [
          `In the Microsoft 365 admin center, remove the ${user.hasCallingPlan ? 'Calling Plan' : 'Teams Phone'} licence from ${user.email}, or configure them as a standard user instead.`,
          'Run Sync Now here.',
        ],
      });
    }
  }
  for (const user of input.users) {
    if (user.kind === 'standard' && !user.hasTeamsPhone && user.licensed !== false) {
      findings.push({
        check: 'licence',
        user: user.email,
        message: `${user.email} has no Teams Phone licence: a standard user needs one for Direct Routing.`,
        fix: [
          `In the Microsoft 365 admin center, assign a Teams Phone licence to ${user.email}, or make them a Phone App user.`,
          'Run Sync Now here.',
        ],
      });
    }
  }
  return findings;
}

/** Who is a Phone App user in Large Tenant Mode: members of the Phone App group, not of a standard group. */
export function largeTenantKinds(
  standardMembers: ReadonlySet<string>,
  phoneAppMembers: ReadonlySet<string>,
): { phoneApp: Set<string>; inBoth: Set<string> } {
  const inBoth = new Set([...phoneAppMembers].filter((id) => standardMembers.has(id)));
  return { phoneApp: new Set([...phoneAppMembers].filter((id) => !inBoth.has(id))), inBoth };
}
