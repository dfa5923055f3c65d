import { parseNameAddr } from '../sip/message/sip-uri.js';
import type { SipRequest } from '../sip/message/sip-message.js';

/** Diversion reasons (RFC 5806) that mean "the user did not take it": the call is for their voicemail. */
const TO_VOICEMAIL = new Set(['no-answer', 'user-busy', 'unavailable', 'unconditional', 'deflection']);

/**
 * True when the PBX forwarded a call meant for the user's own extension to their Teams Contact (its newest
 * Diversion names the user's SIP username with a no-answer, busy, unavailable, unconditional or deflection
 * reason): the PBX wants the Teams voicemail, so the INVITE toward Microsoft asks for it
 * (`;opaque=app:voicemail`, CALLS.md "Our INVITE toward Teams") instead of ringing the Teams clients again.
 *
 * @example forwardedToVoicemail(invite, 'alice') // Diversion: <sip:alice@pbx>;reason=no-answer -> true
 */
export function forwardedToVoicemail(request: SipRequest, sipUsername: string): boolean {
  const newest = request.headers.getList('Diversion')[0];
  if (newest === undefined) return false;
  try {
    const diversion = parseNameAddr(newest);
    const reason = diversion.params.get('reason')?.replace(/"/g, '').toLowerCase();
    return diversion.uri.user === sipUsername && reason !== undefined && TO_VOICEMAIL.has(reason);
  } catch {
    return false;
  }
}
