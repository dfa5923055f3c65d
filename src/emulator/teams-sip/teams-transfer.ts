import { inDialogRequest, type Dialog } from '../../sip/dialog/dialog.js';
import type { SipRequest, SipResponse } from '../../sip/message/sip-message.js';
import { randomToken } from '../../sip/message/sip-message.js';
import type { ReinviteAnswer } from '../../sip/dialog/endpoint.types.js';
import { sdpRefusal, teamsOffer } from './microsoft-wire.js';

/** Teams' hold: the same offer with `a=inactive` (Microsoft understands only that, CALLS.md "Hold"). */
export function holdOffer(media: { address: string; port: number }): Buffer {
  return Buffer.concat([teamsOffer(media.address, media.port), Buffer.from('a=inactive\r\n')]);
}

/** True when the SBC listed REFER in Allow: only then does Teams send REFER instead of transferring itself. */
export function allowsRefer(message: SipRequest | SipResponse | undefined): boolean {
  return (message?.headers.getList('Allow') ?? []).some((m) => m.toUpperCase() === 'REFER');
}

/**
 * A REFER in the shape of the published capture: Refer-To without a user part carrying the transfer target's
 * `x-m` (its Teams org id), Referred-By with `x-m`, `x-t`, `x-ti`, `x-tt` (the SBC must copy it byte for byte into
 * its new INVITE), Contact on `api-…pstnhub.microsoft.com:443`.
 */
export function buildRefer(dialog: Dialog, targetOrgId: string, transferorOrgId: string): SipRequest {
  const refer = inDialogRequest(dialog, 'REFER');
  // An MRI given whole (`4:+4930999`, a phone number) stays as it is; an object id is a Teams user's `8:orgid:`.
  const mri = /^\d+:/.test(targetOrgId) ? targetOrgId : `8:orgid:${targetOrgId}`;
  refer.headers
    .append('Refer-To', `<sip:sip.pstnhub.microsoft.com:5061;transport=tls;x-m=${mri}>`)
    .append(
      'Referred-By',
      `<sip:sip.pstnhub.microsoft.com:5061;x-m=8:orgid:${transferorOrgId};x-t=${randomToken(8)}-${randomToken(4)};` +
        `x-ti=${randomToken(8)}-${randomToken(4)};x-tt=${Buffer.from(`https://api-${randomToken(6)}`).toString('base64url')}%3D>`,
    )
    .append(
      'Contact',
      `<sip:api-du-a-usea.pstnhub.microsoft.com:443;x-i=${randomToken(8)};x-c=${randomToken(12)}/s/1/${randomToken(8)}>`,
    );
  return refer;
}

/** A REFER Teams sent and the INVITE it expects back (Request-URI = Refer-To, Referred-By unchanged). */
export interface Referral {
  callId: string;
  referTo: string;
  referredBy: string;
  /** The transferring Teams user's number and the SBC of the call (a number target is called through it). */
  teamsUser: string;
  sbcFqdn: string;
}

/** The `x-m` parameter of a URI (`8:orgid:<id>` names a Teams user); undefined when absent. */
export function xmOf(uri: string): string | undefined {
  return /;x-m=([^;>?]+)/.exec(uri)?.[1];
}

/** True when a NOTIFY's sipfrag reports the transfer's final success (`SIP/2.0 2xx`) and ends the subscription. */
export function transferSucceeded(request: SipRequest): boolean {
  const terminated = /^terminated/i.test(request.headers.get('Subscription-State') ?? '');
  return terminated && /^SIP\/2\.0 2\d\d/.test(request.body.toString());
}

/**
 * A transfer completing (CALLS.md "Transfer"): the SBC's INVITE carries the Refer-To back as Request-URI and the
 * Referred-By unchanged. The REFER it matches (then used up), else Microsoft's refusal.
 */
export function takeReferral(
  referrals: Map<string, Referral>,
  xm: string,
  referredBy: string | undefined,
): Referral | { status: number; why: string } {
  const referral = referrals.get(xm);
  if (!referral) return { status: 404, why: `no transfer to ${xm} in progress` };
  if (referredBy !== referral.referredBy) return { status: 400, why: 'Referred-By differs from the REFER' };
  referrals.delete(xm);
  return referral;
}

/**
 * Teams' answer to a re-INVITE from the SBC: refused as a first INVITE would be (488 for sendonly: Microsoft
 * knows only `a=inactive`), else the media processor's SDP, with `a=inactive` when the offer is a hold.
 */
export function answerReinvite(request: SipRequest, sdp: () => Buffer): ReinviteAnswer {
  if (request.body.length === 0) return { status: 200 };
  const refusal = sdpRefusal(request.body, request.headers.get('Content-Type'));
  if (refusal) return { status: 488, headers: { Warning: `399 sip.pstnhub.microsoft.com "${refusal}"` } };
  const hold = /^a=inactive\s*$/m.test(request.body.toString());
  return { status: 200, body: hold ? Buffer.concat([sdp(), Buffer.from('a=inactive\r\n')]) : sdp() };
}
