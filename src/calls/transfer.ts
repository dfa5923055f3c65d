import type { FoundRoute } from '../edge/teams-edge.js';
import type { Dialog } from '../sip/dialog/dialog.js';
import { randomToken, type SipRequest, type SipResponse } from '../sip/message/sip-message.js';
import { parseNameAddr } from '../sip/message/sip-uri.js';
import type { CallContext } from './call-context.js';
import type { MidCallLegs, Side } from './mid-call.js';

/** The Teams leg that replaces the transferor's: its dialog, and the relay call bridging it to the PBX leg. */
export interface NewTeamsLeg {
  dialog: Dialog;
  sipCallId: string;
  peer: string;
  media: { callId: string; tags: Record<Side, string> };
}

/** What a transfer needs of a bridged call. */
export interface TransferableCall {
  readonly ctx: CallContext;
  readonly midCall: MidCallLegs;
  /** Answered and not ending: only then is there a call to transfer. */
  isUp(): boolean;
  /** The PBX party (the From of the new call toward Teams) and the customer's subdomain. */
  remoteParty(): string;
  customerFqdn(): string | undefined;
  route(): FoundRoute | undefined;
  /**
   * Swap the Teams leg: the old dialog is no longer the call's (its BYE ends nothing), the old media goes; the old
   * dialog gets our BYE after `byeOldAfterMs` unless Microsoft ended it first.
   */
  replaceTeamsLeg(next: NewTeamsLeg, byeOldAfterMs?: number): Promise<void>;
}

const SIPFRAG = 'message/sipfrag;version=2.0';

/**
 * A REFER from Teams on the Teams leg (CALLS.md "Transfer", RFC 3515): checked, answered 202 at once, and the
 * transfer run behind it (`runTransfer`). Teams sends REFER only when our Allow lists it (`B2buaOptions.teamsRefer`).
 * Refused: a call not answered yet (403), a REFER without exactly one Refer-To (400), one while another transfer
 * of the call runs (491).
 */
export function answerRefer(
  call: TransferableCall,
  busy: { transferring: boolean },
  dialog: Dialog,
  request: SipRequest,
): SipResponse {
  const endpoint = call.ctx.endpointOf('teams');
  const referTo = request.headers.getAll('Refer-To');
  if (referTo.length !== 1 || referToUri(referTo[0]!) === undefined)
    return endpoint.respond(request, 400, {}, undefined, 'Exactly one Refer-To with a SIP URI, please');
  if (!call.isUp()) return endpoint.respond(request, 403, {}, undefined, 'The call is not answered');
  if (busy.transferring) return endpoint.respond(request, 491);
  busy.transferring = true;
  void runTransfer(call, dialog, request)
    .catch((error: unknown) => call.ctx.onError(error, 'transfer from Teams'))
    .finally(() => (busy.transferring = false));
  return endpoint.respond(request, 202);
}

/**
 * The documented dance: NOTIFY `100 Trying`; the PBX leg's SDP offered through the relay (a relay call of its
 * own, so the old Teams leg's media stays until the swap); a new INVITE **back to Microsoft** with the Refer-To as
 * Request-URI and the Referred-By copied byte for byte; each step reported by NOTIFY sipfrag (`180`, then the
 * final status). Answered: the PBX leg is re-INVITEd toward the new relay call, the legs are swapped, and Microsoft
 * ends the transferor's leg on our final `200` NOTIFY. Any failure leaves the original call as it was.
 */
export async function runTransfer(call: TransferableCall, dialog: Dialog, refer: SipRequest): Promise<void> {
  const { ctx } = call;
  const teams = ctx.endpointOf('teams');
  const notify = (status: string, final: boolean) =>
    teams.dialogs
      .request(
        dialog,
        'NOTIFY',
        {
          Event: 'refer',
          'Subscription-State': final ? 'terminated;reason=noresource' : 'active;expires=60',
          'Content-Type': SIPFRAG,
        },
        Buffer.from(`SIP/2.0 ${status}\r\n`),
      )
      .catch((error: unknown) => ctx.onError(error, 'transfer NOTIFY'));
  await notify('100 Trying', false);
  const pbxSdp = call.midCall.sdpFrom.pbx;
  const pbxDialog = call.midCall.dialogOf('pbx');
  const customerFqdn = call.customerFqdn();
  if (!pbxSdp || !pbxDialog || !customerFqdn) return void (await notify('503 Service Unavailable', true));
  const media = { callId: `xfer-${randomToken(20)}`, tags: { pbx: randomToken(10), teams: randomToken(10) } };
  const offer = await ctx.relay
    .offer({ callId: media.callId, fromTag: media.tags.pbx, sdp: pbxSdp, toward: 'teams' })
    .catch((error: unknown) => ctx.onError(error, 'transfer: relay offer'));
  if (offer === undefined) return void (await notify('503 Service Unavailable', true));
  let rang = false;
  const route = call.route();
  const result = await ctx.teams
    .callTeams({
      customerFqdn,
      from: call.remoteParty(),
      to: '',
      sdp: Buffer.from(offer),
      referTo: referToUri(refer.headers.get('Refer-To') ?? ''),
      headers: { 'Referred-By': refer.headers.get('Referred-By') ?? '' },
      ...(route && { route }),
      onProvisional: (response) => {
        if (response.status <= 100 || rang) return;
        rang = true;
        void notify('180 Ringing', false);
      },
    })
    .catch((error: unknown) => ctx.onError(error, 'transfer: INVITE to Microsoft'));
  const outcome = result?.outcome;
  if (!result || outcome?.kind !== 'answered') {
    await ctx.relay.delete(media.callId).catch(() => undefined);
    const status = outcome?.kind === 'rejected' ? outcome.response : undefined;
    return void (await notify(
      status ? `${status.status} ${status.reason}` : '503 Service Unavailable',
      true,
    ));
  }
  const giveUp = async (why: string) => {
    await teams.dialogs.bye(outcome.dialog);
    await ctx.relay.delete(media.callId).catch(() => undefined);
    await notify(why, true);
  };
  if (!call.isUp()) return giveUp('487 Request Terminated');
  const towardPbx = await ctx.relay
    .answer({
      callId: media.callId,
      fromTag: media.tags.pbx,
      toTag: media.tags.teams,
      sdp: outcome.response.body.toString(),
      toward: 'pbx',
    })
    .catch((error: unknown) => ctx.onError(error, 'transfer: relay answer'));
  if (towardPbx === undefined) return giveUp('503 Service Unavailable');
  const pbxAnswer = await ctx
    .endpointOf('pbx')
    .dialogs.reinvite(pbxDialog, Buffer.from(towardPbx))
    .catch(() => undefined);
  if (!pbxAnswer || pbxAnswer.status >= 300 || !call.isUp()) return giveUp('503 Service Unavailable');
  call.midCall.sdpFrom.pbx = pbxAnswer.body.length > 0 ? pbxAnswer.body.toString() : pbxSdp;
  call.midCall.sdpFrom.teams = outcome.response.body.toString();
  await call.replaceTeamsLeg({
    dialog: outcome.dialog,
    sipCallId: outcome.dialog.callId,
    peer: result.proxy,
    media,
  });
  await notify('200 OK', true);
}

/** The URI of a Refer-To value, without embedded headers (`?Replaces=...`: never sent toward Teams). */
export function referToUri(value: string): string | undefined {
  try {
    const uri = parseNameAddr(value).uri;
    if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return undefined;
    const lt = value.indexOf('<');
    const text = lt >= 0 ? value.slice(lt + 1, value.indexOf('>', lt)) : value.split(';')[0]!;
    return text.split('?')[0]!.trim();
  } catch {
    return undefined;
  }
}
