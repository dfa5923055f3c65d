/**
 * Failure advice: from a failed call's final code, Reason and the side that refused, to what to do in plain words,
 * linked to the object to fix (PRODUCT.md "Failure Advice"). Pure: the service feeds it the record and what the
 * portal knows of the user, the service and the tenant's carrier objects, so a 404 can say *which* of number,
 * Teams Phone (Enterprise Voice) or voice routing policy is missing.
 */
import type { CallDirection } from '../call-record.types.js';

/** What the portal should open to fix the problem. */
export interface AdviceTarget {
  kind: 'user' | 'service' | 'teams_settings' | 'tenant_connection' | 'licences' | 'teams_edge' | 'tenant';
  /** Path in the portal, e.g. `/accounts/<a>/users/<u>`. */
  path: string;
}

export interface FailureAdvice {
  /** Stable id of the case, e.g. `teams_404_number_not_assigned`. */
  code: string;
  title: string;
  /** What to do, in order, in plain words. */
  steps: string[];
  fix: AdviceTarget;
}

/** The facts of a call that the advice depends on. */
export interface AdviceCall {
  accountId: string;
  serviceId: string;
  userId: string | null;
  direction: CallDirection;
  result: string;
  finalStatus: number | null;
  refusedBy: 'pbx' | 'teams' | 'callbridge' | null;
  q850Cause: number | null;
  refusal: { code: string; message: string } | null;
  /** Whether another Microsoft proxy was tried after this one refused. */
  proxiesTried: string[];
}

/** The user's state as the last sync left it (undefined when the call names no known user). */
export interface AdviceUser {
  id: string;
  displayName: string;
  kind: 'standard' | 'phone_app' | 'resource_account';
  phoneNumber: string | null;
  /** The number Teams holds for the user after the last sync (null: none assigned). */
  teamsNumber: string | null;
  /** Whether the user has a Teams Phone (Enterprise Voice) licence, from the synced licences. */
  hasTeamsPhone: boolean;
  syncError: string | null;
  coexistenceMode: string | null;
}

export interface AdviceContext {
  call: AdviceCall;
  user?: AdviceUser;
  /** The carrier objects of the service's tenant: ready or not. */
  voiceRoutingPolicyReady: boolean;
  domainReady: boolean;
  /** The service's subdomain presented to Microsoft (the Contact FQDN). */
  subdomain: string;
  phoneAppDomain: string;
}

const PHONE_APP_STEPS = (domain: string): string[] => [
  'In the Teams admin centre, go to Users > External access.',
  'Turn on "Users can communicate with other Skype for Business and Teams users".',
  'If all external organisations may communicate with yours, nothing more is needed; otherwise, when the list allows only specific domains, add the Phone App domain ' +
    `${domain} with the status Allowed, and click Save.`,
  "If the user's own external access policy narrows it, allow communication with external organisations for this user.",
];

/**
 * The advice for a call, or null when it needs none (answered, or ended normally by a person).
 *
 * @example adviceFor(ctx)?.code === 'teams_404_number_not_assigned'
 */
export function adviceFor(ctx: AdviceContext): FailureAdvice | null {
  const { call } = ctx;
  const at = paths(call);
  if (call.result === 'answered' || call.result === 'cancelled') return null;
  if (call.refusal) return refusalAdvice(call.refusal, at);
  const status = call.finalStatus;
  if (call.refusedBy === 'teams') return teamsAdvice(ctx, status, at);
  if (call.refusedBy === 'pbx') return pbxAdvice(call, status, at);
  if (status === 408 || status === 503 || status === 504)
    return unreachable('the other side', status, call.proxiesTried, at.service);
  return null;
}

function paths(call: AdviceCall) {
  const account = `/accounts/${call.accountId}`;
  return {
    user: call.userId ? `${account}/users/${call.userId}` : `${account}/users`,
    service: `${account}/services/${call.serviceId}`,
    teams: `${account}/services/${call.serviceId}/teams`,
    tenant: `${account}/microsoft-365`,
    licences: `${account}/licences`,
  };
}

type Paths = ReturnType<typeof paths>;

function refusalAdvice(refusal: { code: string; message: string }, at: Paths): FailureAdvice {
  if (/licen[cs]e|trial|subscription/i.test(refusal.code + refusal.message))
    return {
      code: 'licence_refused',
      title: 'Callbridge refused the call: no licence covers it',
      steps: [
        refusal.message,
        'Check the licences page: a user needs a PBX user licence (and a Phone App licence for a Phone App user), a user holding a trunk number a trunk user licence, and a trial that ended stops calls.',
        'Ask your licensing provider for more licences, or turn registration off (or take the trunk number from) users who no longer need it.',
      ],
      fix: { kind: 'licences', path: at.licences },
    };
  return {
    code: `callbridge_${refusal.code}`,
    title: 'Callbridge refused or could not place the call',
    steps: [refusal.message],
    fix: { kind: 'service', path: at.service },
  };
}

function teamsAdvice(ctx: AdviceContext, status: number | null, at: Paths): FailureAdvice | null {
  const { user } = ctx;
  switch (status) {
    case 403:
      return {
        code: 'teams_403_tenant_not_found',
        title: 'Microsoft refused the call (403): it did not find your tenant from our address',
        steps: [
          `Microsoft finds the tenant from the Contact FQDN of our INVITE (${ctx.subdomain}). Make sure that subdomain is added and verified in your Microsoft 365 tenant (Settings > Domains)${ctx.domainReady ? '' : ': the sync has not yet been able to add it'}.`,
          `Make sure the voice route of your tenant names ${ctx.subdomain} as its gateway; run Sync Now to set it up again.`,
          'If both are right, the certificate the provider presents must cover the subdomain: tell your provider (the Teams edge page shows the certificate).',
        ],
        fix: { kind: 'tenant_connection', path: at.tenant },
      };
    case 404:
      return teams404(ctx, user, at);
    case 480:
      if (user?.kind === 'phone_app' && user.coexistenceMode !== 'TeamsOnly')
        return phoneAppNotTeamsOnly(user, at);
      return {
        code: 'teams_480_unavailable',
        title: 'Teams answered 480: the user is offline or cannot take calls',
        steps: [
          `${user ? user.displayName : 'The user'} has no Teams client signed in, or is not licensed for calls (Teams Phone).`,
          'Sign in to Teams on a desktop or phone and try again; if it persists, check the user has a Teams Phone licence in Microsoft 365 and run Sync Now.',
        ],
        fix: { kind: 'user', path: at.user },
      };
    case 488:
      return {
        code: 'teams_488_media',
        title: 'Teams refused the media offer (488): codecs or SRTP',
        steps: [
          'Microsoft accepts only SRTP (SDES) with PCMU, PCMA or G722 and telephone-event from us.',
          'On the PBX, allow G.711 (PCMU/PCMA) or G.722 for this extension; if the PBX sends video or duplicate payload types, turn them off.',
          'If every codec is allowed, tell your provider: the media relay may be unavailable.',
        ],
        fix: { kind: 'service', path: at.service },
      };
    case 603:
      if (user?.kind === 'phone_app')
        return {
          code: 'teams_603_phone_app_external_access',
          title: "603 Call Declined: the tenant's external access blocks the Phone App domain",
          steps: PHONE_APP_STEPS(ctx.phoneAppDomain),
          fix: { kind: 'teams_settings', path: at.teams },
        };
      return {
        code: 'teams_603_declined',
        title: 'The person declined the call (603)',
        steps: [
          'Nothing is broken: the call was declined in Teams. If it happens on every call, check the user\'s call answering rules in Teams (e.g. "Do not disturb").',
        ],
        fix: { kind: 'user', path: at.user },
      };
    case 408:
    case 503:
    case 504:
      return unreachable('Microsoft', status, ctx.call.proxiesTried, at.service);
    case null:
    default:
      return null;
  }
}

/**
 * A Phone App user not in Teams Only mode cannot take calls from other organisations (seed 004: the Skype "S" by
 * their name): the steps to move them, or the whole tenant, to Teams Only.
 */
function phoneAppNotTeamsOnly(user: AdviceUser, at: Paths): FailureAdvice {
  return {
    code: 'teams_480_phone_app_not_teams_only',
    title: `Teams answered 480: ${user.displayName} is not in Teams Only mode`,
    steps: [
      `The Phone App reaches Teams through external access, which needs the user in Teams Only mode; ${user.displayName} is in ${user.coexistenceMode ?? 'another'} mode, so the call went to Skype for Business.`,
      'In the Teams admin centre, go to Users, select the user, and under Teams upgrade click Edit; set the Coexistence mode to Teams Only and click Save (or, for everyone: Teams upgrade settings > Coexistence mode > Teams only).',
      'Then run Sync Now, so the portal sees the new mode.',
    ],
    fix: { kind: 'user', path: at.user },
  };
}

function teams404(ctx: AdviceContext, user: AdviceUser | undefined, at: Paths): FailureAdvice {
  const who = user?.displayName ?? 'The called user';
  const missing: { code: string; title: string; step: string; fix: AdviceTarget }[] = [];
  if (!user || !user.teamsNumber)
    missing.push({
      code: 'teams_404_number_not_assigned',
      title: 'the number is not assigned in Teams',
      step: `${who} has no Direct Routing number assigned in Teams${user?.syncError ? ` (the last sync said: ${user.syncError})` : ''}. Give the user a number in the portal and run Sync Now.`,
      fix: { kind: 'user', path: at.user },
    });
  if (user && !user.hasTeamsPhone)
    missing.push({
      code: 'teams_404_no_enterprise_voice',
      title: 'the user lacks Teams Phone (Enterprise Voice)',
      step: `${who} has no Teams Phone licence, so Enterprise Voice cannot be on. Assign a licence that includes Teams Phone in Microsoft 365, then run Sync Now.`,
      fix: { kind: 'user', path: at.user },
    });
  if (!ctx.voiceRoutingPolicyReady)
    missing.push({
      code: 'teams_404_no_voice_routing_policy',
      title: 'the voice routing policy is not set up',
      step: 'The voice routing policy of this service is not ready in your tenant yet, so Teams has no route for the call. Run Sync Now; the sync page says why it is pending.',
      fix: { kind: 'service', path: `${at.service}/sync` },
    });
  const first = missing[0];
  if (!first)
    return {
      code: 'teams_404_not_found',
      title: 'Teams did not find the number (404)',
      steps: [
        `The portal's state of ${who} looks complete (number, Teams Phone, voice routing policy): Microsoft may not have applied the last changes yet (up to a few hours). Run Sync Now, and if it persists check the user in the Teams admin centre.`,
      ],
      fix: { kind: 'user', path: at.user },
    };
  return {
    code: first.code,
    title: `Teams did not find the number (404): ${missing.map((m) => m.title).join('; ')}`,
    steps: missing.map((m) => m.step),
    fix: first.fix,
  };
}

function pbxAdvice(call: AdviceCall, status: number | null, at: Paths): FailureAdvice | null {
  if (status === 401 || status === 407)
    return {
      code: `pbx_${status}_credentials`,
      title: `The PBX refused the user's credentials (${status})`,
      steps: [
        "Callbridge calls the PBX as the user, with the user's own SIP credentials. The PBX did not accept them.",
        "Check the user's SIP username, authentication username and password on the user page against the extension on the PBX, and save.",
      ],
      fix: { kind: 'user', path: at.user },
    };
  if (status === 404)
    return {
      code: 'pbx_404_not_found',
      title: 'The PBX does not know the dialled number (404)',
      steps: [
        'Check the number dialled exists on the PBX, and that the user may call it (dial plan, class of service).',
      ],
      fix: { kind: 'service', path: at.service },
    };
  if (status === 408 || status === 503 || status === 504)
    return unreachable('the PBX', status, call.proxiesTried, at.service);
  if (status === 488)
    return {
      code: 'pbx_488_media',
      title: 'The PBX refused the media offer (488)',
      steps: ['Allow G.711 (PCMU or PCMA) or G.722 for the extension on the PBX, without SRTP.'],
      fix: { kind: 'service', path: at.service },
    };
  return null;
}

function unreachable(
  side: string,
  status: number | null,
  proxiesTried: string[],
  servicePath: string,
): FailureAdvice {
  const microsoft = side === 'Microsoft';
  const tried =
    proxiesTried.length > 1 ? ` Failover was taken: ${proxiesTried.join(', ')} were tried in turn.` : '';
  return {
    code: microsoft ? `teams_${status}_unreachable` : `pbx_${status ?? 'no'}_unreachable`,
    title: `${side.charAt(0).toUpperCase() + side.slice(1)} did not answer in time or was unavailable (${status})`,
    steps: microsoft
      ? [
          `Microsoft's proxy answered ${status}.${tried}`,
          'This is usually brief; if it lasts, check the Teams edge health (OPTIONS keep-alives) with your provider.',
        ]
      : [
          `The PBX answered ${status} or did not answer.${tried}`,
          "Check the PBX is up and reachable from the provider's network on the service's SIP domain, proxy and port.",
        ],
    fix: microsoft ? { kind: 'teams_edge', path: servicePath } : { kind: 'service', path: servicePath },
  };
}
