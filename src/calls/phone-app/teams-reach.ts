import type { TeamsCallRequest, TeamsCallResult } from '../../edge/teams-failover.js';
import type { OutgoingCall } from '../../sip/dialog/outgoing-call.js';
import type { SipResponse } from '../../sip/message/sip-message.js';
import type { TeamsSide } from '../call-context.js';
import type { CallUser } from '../call-user.js';

/** The parts of a call toward Teams that do not depend on how the user is reached. */
export interface TeamsLegRequest {
  sdp: Buffer;
  /** The caller asked for privacy: From anonymous, the number only in P-Asserted-Identity (Direct Routing). */
  privacy?: boolean;
  /** Remembered by the edge, so that Teams replacing this call (INVITE with Replaces) finds the user. */
  route?: TeamsCallRequest['route'];
  /** A voicemail deposit (Direct Routing): `;opaque=app:voicemail` on the Request-URI. */
  voicemail?: boolean;
  signal?: AbortSignal;
  onAttempt?: (call: OutgoingCall, proxy: string) => void;
  onProvisional?: (response: SipResponse, proxy: string) => void;
}

/**
 * Ring a user's Teams clients the way their kind allows: a Phone App user (no Teams Phone) through external
 * access at their SIP address from the Phone App domain, presenting `caller` (issue 20); anyone else by Direct
 * Routing to their Teams number from the customer's subdomain. Rejects when the way is not available.
 *
 * @example const result = await reachTeams(ctx.teams, user, '+442079460123', { sdp });
 */
export function reachTeams(
  teams: TeamsSide,
  user: CallUser,
  caller: string,
  leg: TeamsLegRequest,
): Promise<TeamsCallResult> {
  if (user.phoneApp) {
    if (!teams.callFederated)
      return Promise.reject(new Error('The Teams edge has no Phone App domain for external access calls.'));
    return teams.callFederated({ address: user.phoneApp.address, caller, ...leg });
  }
  if (!user.number) return Promise.reject(new Error('The user has no Teams number to call.'));
  return teams.callTeams({ customerFqdn: user.customerFqdn, from: caller, to: user.number, ...leg });
}
