import type { Dialog } from '../../sip/dialog/dialog.js';
import type { CallEndpoint } from '../../sip/dialog/call.endpoint.js';
import type { ReinviteAnswer } from '../../sip/dialog/endpoint.types.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import { randomToken, type SipRequest, type SipResponse } from '../../sip/message/sip-message.js';
import type { SipTarget } from '../../sip/transport/transport.types.js';
import type { EmulatedCall } from './teams-sip.types.js';
import {
  allowsRefer,
  answerReinvite,
  buildRefer,
  takeReferral,
  transferSucceeded,
  xmOf,
  type Referral,
} from './teams-transfer.js';

/** What the mid-call part of the emulator uses of the emulator. */
export interface MidCallHost {
  readonly endpoint: CallEndpoint;
  readonly calls: EmulatedCall[];
  find(callId: string): EmulatedCall;
  /** The media processor's SDP (its port moved by `portOffset`: another client's media). */
  sdp(portOffset?: number): Buffer;
  sbcTarget(fqdn: string): SipTarget | undefined;
  callFromTeams(from: string, to: string, sbcFqdn: string): EmulatedCall;
  hangUp(callId: string): Promise<void>;
}

/**
 * Teams' side of calls in progress (CALLS.md "Hold", "Transfer"): hold and resume by re-INVITE with `a=inactive`,
 * the SBC's re-INVITEs answered as Microsoft would, transfers by REFER in the published shape (or internally, by
 * re-INVITE, when the SBC does not list REFER), the SBC's INVITE back checked against the REFER, and its NOTIFYs
 * (a final 2xx ends the transferor's leg, as Microsoft does).
 */
export class TeamsMidCall {
  /** REFERs sent, by the `x-m` of their Refer-To, until the SBC's INVITE for them comes. */
  private readonly referrals = new Map<string, Referral>();

  constructor(private readonly host: MidCallHost) {}

  /** Hold (re-INVITE with `a=inactive`); resolves with the SBC's answer status. */
  async hold(callId: string): Promise<number> {
    const offer = Buffer.concat([this.host.sdp(), Buffer.from('a=inactive\r\n')]);
    return this.reinvite(callId, offer, true);
  }

  /** Resume a held call (re-INVITE with the ordinary sendrecv offer). */
  resume(callId: string): Promise<number> {
    return this.reinvite(callId, this.host.sdp(), false);
  }

  /**
   * The Teams user transfers the call to another Teams user (org id) or to a number (`4:<number>`, Teams' MRI of
   * a phone number; the Refer-To shape is unverified). When the SBC listed REFER in Allow, a REFER goes to the
   * SBC on a connection Microsoft opens itself; otherwise Teams transfers internally ('internal'): the SBC sees
   * only a re-INVITE moving the media (and may see NOTIFYs).
   */
  async transfer(callId: string, targetOrgId: string): Promise<number | 'internal'> {
    const call = this.host.find(callId);
    if (!call.dialog) throw new Error(`Call ${callId} is not established`);
    if (!allowsRefer(call.peerAllow)) {
      call.reinviteAnswer = await this.host.endpoint.dialogs.reinvite(call.dialog, this.host.sdp(2));
      return 'internal';
    }
    const refer = buildRefer(call.dialog, targetOrgId, randomToken(8));
    const referTo = refer.headers.get('Refer-To') ?? '';
    this.referrals.set(xmOf(referTo) ?? '', {
      callId,
      referTo,
      referredBy: refer.headers.get('Referred-By') ?? '',
      teamsUser: (call.direction === 'to-teams' ? call.to : call.from) ?? '',
      sbcFqdn: call.sbcFqdn ?? '',
    });
    const sbc = this.host.sbcTarget(call.sbcFqdn ?? '');
    if (!sbc) throw new Error(`No SBC address known for ${call.sbcFqdn ?? 'this call'}`);
    const target = { ...sbc, serverName: call.sbcFqdn };
    return (await this.host.endpoint.request(refer, { target })).status;
  }

  /** A re-INVITE from the SBC (hold and resume from the PBX side): kept for tests and answered as Microsoft would. */
  receiveReinvite(dialog: Dialog, request: SipRequest): ReinviteAnswer {
    const call = this.host.calls.find((c) => c.callId === dialog.callId);
    if (call) (call.reinvites ??= []).push(request);
    return answerReinvite(request, () => this.host.sdp());
  }

  /** NOTIFY about a transfer: kept for tests; a final 2xx ends the transferor's leg. Others: the default. */
  receiveInDialog(dialog: Dialog, request: SipRequest): SipResponse | undefined {
    if (request.method !== 'NOTIFY') return undefined;
    const call = this.host.calls.find((c) => c.callId === dialog.callId);
    if (call) (call.notifies ??= []).push(request.body.toString());
    if (transferSucceeded(request)) setTimeout(() => void this.host.endpoint.dialogs.bye(dialog), 50).unref();
    return undefined;
  }

  /**
   * The SBC's INVITE completing a transfer (Request-URI with `x-m`): a refusal, 'handled' (a number: called on
   * through the SBC), or the org id of the Teams user to ring.
   */
  referred(
    incoming: IncomingCall,
    call: EmulatedCall,
    xm: string,
  ): { status: number; why: string } | 'handled' | { orgId: string } {
    call.referredBy = incoming.request.headers.get('Referred-By');
    const referral = takeReferral(this.referrals, xm, call.referredBy);
    if ('why' in referral) return referral;
    if (!xm.startsWith('4:')) return { orgId: xm.replace(/^8:orgid:/, '') };
    this.transferToNumber(incoming, call, xm.slice(2), referral);
    return 'handled';
  }

  /**
   * A transfer to a phone number: Microsoft routes it like the transferring user's own call to that number
   * (Online Voice Routing: for a Direct Routing user, back through the SBC) and answers the SBC's INVITE once that
   * call is answered, bridging the two itself. `call.onward` is the call toward the SBC.
   */
  private transferToNumber(
    incoming: IncomingCall,
    call: EmulatedCall,
    number: string,
    referral: Referral,
  ): void {
    call.to = number;
    incoming.ring(180);
    const onward = this.host.callFromTeams(referral.teamsUser, number, referral.sbcFqdn);
    call.onward = onward.callId;
    incoming.onCancel = () => void this.host.hangUp(onward.callId);
    void onward.outgoing!.outcome.then((outcome) => {
      if (outcome.kind !== 'answered') {
        call.status = outcome.kind === 'rejected' ? outcome.response.status : 408;
        return incoming.reject(call.status);
      }
      incoming.accept({ body: this.host.sdp() }).then(
        (dialog) => {
          call.status = 200;
          call.dialog = dialog;
        },
        () => undefined,
      );
    });
  }

  private async reinvite(callId: string, offer: Buffer, held: boolean): Promise<number> {
    const call = this.host.find(callId);
    if (!call.dialog) throw new Error(`Call ${callId} is not established`);
    call.reinviteAnswer = await this.host.endpoint.dialogs.reinvite(call.dialog, offer);
    const status = call.reinviteAnswer.status;
    if (status >= 200 && status < 300) call.held = held;
    return status;
  }
}
