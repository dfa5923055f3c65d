/**
 * What the B2BUA needs to know about the Callbridge user of a call: their Teams number and customer subdomain (for
 * the Teams leg), their SIP identity and credentials at the PBX (for the PBX leg, "like their desk phone"), the
 * service's call settings, and why their calls are refused when they are (licence, tenant state, suspension).
 */
import {
  defaultServiceCallSettings,
  type HoldMode,
  type RingbackProfile,
  type ServiceCallSettings,
} from '../domain/call-settings.js';
import type { SipTransport } from '../domain/records.js';

export type { HoldMode, RingbackProfile } from '../domain/call-settings.js';

/** Per-service call settings as the B2BUA uses them (times in milliseconds; from `ServiceCallSettings`). */
export interface CallSettings {
  /** How long a call may ring before Callbridge gives up (CANCEL toward the callee, 480 toward the caller). */
  ringTimeoutMs: number;
  ringback: RingbackProfile;
  /** `inactive`: the PBX's hold goes to Teams as `a=inactive`; `music-from-pbx`: answered locally, music flows. */
  holdMode: HoldMode;
  /** Wait before ringing Teams on a call from the PBX (the voicemail race); 0: at once. */
  teamsRingDelayMs: number;
  /** A call the PBX forwards on no answer goes to Teams voicemail (true) or is refused to the PBX (false). */
  pbxNoAnswerToTeamsVoicemail: boolean;
  /** Calls at once per user and per service; null: no limit. */
  maxCallsPerUser: number | null;
  maxCallsPerService: number | null;
  /** Longest an answered call may last; null: no limit. */
  maxCallDurationMs: number | null;
}

/** The B2BUA's settings from a service's stored ones. */
export function callSettingsOf(stored: ServiceCallSettings): CallSettings {
  return {
    ringTimeoutMs: stored.ringTimeoutSeconds * 1000,
    ringback: stored.ringback,
    holdMode: stored.holdMode,
    teamsRingDelayMs: stored.teamsRingDelaySeconds * 1000,
    pbxNoAnswerToTeamsVoicemail: stored.pbxNoAnswerToTeamsVoicemail,
    maxCallsPerUser: stored.maxCallsPerUser,
    maxCallsPerService: stored.maxCallsPerService,
    maxCallDurationMs: stored.maxCallMinutes === null ? null : stored.maxCallMinutes * 60_000,
  };
}

export const DEFAULT_CALL_SETTINGS: CallSettings = callSettingsOf(defaultServiceCallSettings);

/** Why Callbridge refuses or fails a call, with the SIP status sent and words for the call record. */
export interface CallRefusal {
  code: CallRefusalCode;
  message: string;
  status: number;
}

export type CallRefusalCode =
  | 'unknown_contact'
  | 'user_not_callable'
  | 'no_teams_number'
  | 'media_unavailable'
  | 'media_refused'
  | 'no_offer'
  | 'pbx_unreachable'
  | 'teams_unreachable'
  | 'user_call_limit'
  | 'service_call_limit'
  | 'pbx_voicemail_preferred'
  | 'trunk_number_unassigned'
  | 'trunk_number_outside_ranges'
  | 'trunk_channels_full'
  | 'trunk_unreachable';

/** The PBX side of a user: where their PBX is and the credentials their desk phone would use. */
export interface PbxIdentity {
  sipDomain: string;
  proxyHost?: string;
  proxyPort?: number;
  transport: SipTransport;
  sipUsername: string;
  authUsername: string;
  password: string;
}

/** A Callbridge user as a call sees them. */
export interface CallUser {
  userId: string;
  accountId: string;
  serviceId: string;
  /** The user's Teams number (+E.164), null when none is set. */
  number: string | null;
  /** The customer's subdomain of the SBC domain (carrier model): Microsoft finds the tenant from it. */
  customerFqdn: string;
  /** The service's country (ISO 3166, `GB`): national caller numbers from the PBX are read in it. */
  country?: string | null;
  pbx: PbxIdentity;
  settings: CallSettings;
  /** Set when the user's calls are refused (unlicensed, disabled, removed, account suspended), with why. */
  refusal?: CallRefusal;
  /**
   * A Phone App user (issue 20): no Teams Phone, so Teams is reached through external access at their SIP
   * address (UPN) from the Phone App domain, never by Direct Routing to a number.
   */
  phoneApp?: { address: string };
}

/** Finds the user of a call; the sip role implements it over the store and the registration state. */
export interface CallUserDirectory {
  find(userId: string): Promise<CallUser | undefined>;
}

/** A refusal with the SIP status that fits its code. */
export function refusal(code: CallRefusalCode, message: string): CallRefusal {
  return { code, message, status: REFUSAL_STATUS[code] };
}

const REFUSAL_STATUS: Record<CallRefusalCode, number> = {
  unknown_contact: 404,
  user_not_callable: 403,
  no_teams_number: 404,
  media_unavailable: 503,
  media_refused: 488,
  no_offer: 488,
  pbx_unreachable: 503,
  teams_unreachable: 503,
  // A user's limit is "busy" to the PBX (it may forward on busy); Teams is always answered 503 (see call-limits.ts).
  user_call_limit: 486,
  service_call_limit: 503,
  pbx_voicemail_preferred: 480,
  trunk_number_unassigned: 404,
  trunk_number_outside_ranges: 404,
  trunk_channels_full: 503,
  trunk_unreachable: 503,
};
