/**
 * What the B2BUA needs to know about the Callbridge user of a call: their Teams number and customer subdomain (for
 * the Teams leg), their SIP identity and credentials at the PBX (for the PBX leg, "like their desk phone"), the
 * service's call settings, and why their calls are refused when they are (licence, tenant state, suspension).
 */
import type { SipTransport } from '../domain/records.js';

/** How a 183 that follows a 180 reaches the PBX (CALLS.md "Answers from Teams"): some PBXs stop ringback on it. */
export type RingbackProfile = 'pass-through' | 'first-18x-only' | '183-as-180';

/** Per-service call settings. */
export interface CallSettings {
  /** How long a call may ring before Callbridge gives up (CANCEL toward the callee, 480 toward the caller). */
  ringTimeoutMs: number;
  ringback: RingbackProfile;
  /** How the PBX's hold reaches Teams: `a=inactive`, or the Teams leg kept open for the PBX's music. */
  holdMode: 'inactive' | 'music-from-pbx';
}

export const DEFAULT_CALL_SETTINGS: CallSettings = {
  ringTimeoutMs: 60_000,
  ringback: 'pass-through',
  holdMode: 'inactive',
};

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
  | 'teams_unreachable';

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
  pbx: PbxIdentity;
  settings: CallSettings;
  /** Set when the user's calls are refused (unlicensed, disabled, removed, account suspended), with why. */
  refusal?: CallRefusal;
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
};
