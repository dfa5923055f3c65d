import { ownText } from '../message/message.parser.js';
import { serializeMessage } from '../message/message.serializer.js';
import { SipHeaders } from '../message/sip-headers.js';
import { parseCSeq, type SipRequest, type SipResponse } from '../message/sip-message.js';
import type { SipError } from '../sip.error.js';
import { InviteClientTransaction } from '../transaction/invite-client.transaction.js';
import { inviteTimers } from '../transaction/invite-timers.js';
import { flowKey, type SipSource } from '../transport/transport.types.js';
import type { CallEndpoint } from './call.endpoint.js';
import { contactUri, inDialogRequest, tagOf, uacDialog, type Dialog } from './dialog.js';
import type { CallOutcome, Hop } from './endpoint.types.js';
import { uacSessionTerms } from './session-timer.js';

/**
 * An INVITE we send, outside a dialog (a call) or inside one (a re-INVITE: `existing`). Every 18x with a new
 * To-tag opens an early dialog of its own (forking: Teams rings each device, RFC 3261 section 12.1.2); the first
 * 2xx confirms its dialog and is ACKed end to end (a new transaction, resent for every 2xx retransmission); a 2xx
 * from another fork is ACKed and then ended with BYE (section 13.2.2.4). `cancel()` sends CANCEL once a
 * provisional has arrived (section 9.1), at once if one already has.
 *
 * @example const call = endpoint.invite(invite, hop); call.onProvisional = (r, d) => relay(r); await call.outcome;
 */
export class OutgoingCall {
  /** Early dialogs by remote To-tag. */
  readonly earlyDialogs = new Map<string, Dialog>();
  /** The dialog confirmed by the first 2xx. */
  dialog: Dialog | undefined;
  /** Every 1xx, with the early dialog it belongs to (none for 100 or a 1xx without To-tag). */
  onProvisional: ((response: SipResponse, dialog: Dialog | undefined) => void) | undefined;
  readonly outcome: Promise<CallOutcome>;
  private settle!: (outcome: CallOutcome) => void;
  private transaction!: InviteClientTransaction;
  private hop: Hop;
  private readonly flow: SipSource | undefined;
  private branch = '';
  private cancelWanted = false;
  private cancelSent = false;
  private settled = false;

  constructor(
    private readonly endpoint: CallEndpoint,
    readonly request: SipRequest,
    hop: Hop,
    private readonly existing?: Dialog,
  ) {
    this.hop = hop;
    // On TCP/TLS the dialog keeps the connection the INVITE went out on (the transports key it this way).
    const t = hop.target;
    this.flow =
      hop.flow ?? (t.protocol === 'udp' ? undefined : { ...t, flow: flowKey(t.protocol, t.address, t.port) });
    this.outcome = new Promise((resolve) => (this.settle = resolve));
  }

  /** Send the INVITE. */
  start(): void {
    if (!this.request.headers.has('Contact'))
      this.request.headers.append(
        'Contact',
        this.endpoint.contactHeader(this.hop.target.protocol, this.request),
      );
    if (!this.request.headers.has('Allow')) this.request.headers.append('Allow', this.endpoint.allow);
    const prepared = this.endpoint.prepare(this.request, this.hop);
    this.branch = prepared.branch;
    this.hop = prepared.hop;
    const reliable = (prepared.hop.flow?.protocol ?? prepared.hop.target.protocol) !== 'udp';
    // Kept for Timer A's retransmissions only: a response ends them, and the call then keeps no copy.
    let inviteBytes: Buffer | undefined = prepared.bytes;
    this.transaction = new InviteClientTransaction(
      this.request,
      reliable,
      inviteTimers(this.endpoint.timers, reliable, this.endpoint.options.timerCMs),
      {
        // The INVITE as prepared, or the ACK of a non-2xx final (it carries the INVITE's Via already).
        transmit: (request) =>
          this.endpoint.transmit(
            this.hop,
            request === this.request ? (inviteBytes ?? serializeMessage(request)) : serializeMessage(request),
          ),
        response: (response) => {
          inviteBytes = undefined;
          this.onResponse(response);
        },
        failed: (error) => this.fail(error),
        expired: () => this.cancel(),
        terminated: () => this.endpoint.forgetInvite('client', this.branch),
      },
    );
    this.endpoint.trackInvite(this.branch, this);
    this.transaction.start();
  }

  /** A response matched our branch. */
  receive(response: SipResponse): void {
    this.transaction.receive(response);
  }

  /** Give up ringing: CANCEL now if a provisional came, else as soon as one comes. */
  cancel(): void {
    this.cancelWanted = true;
    if (this.cancelSent || this.transaction.state !== 'proceeding') return;
    this.cancelSent = true;
    this.endpoint.request(this.buildCancel(), this.hop, this.branch).catch(() => undefined);
  }

  /** Stop at once (endpoint shutdown). */
  abort(): void {
    this.transaction.abort();
  }

  private onResponse(response: SipResponse): void {
    if (response.status < 200) return this.provisional(response);
    if (response.status < 300) return this.answered(response);
    for (const early of this.earlyDialogs.values()) early.state = 'terminated';
    this.finish({ kind: 'rejected', response });
  }

  private provisional(response: SipResponse): void {
    let dialog: Dialog | undefined = this.existing;
    const tag = tagOf(response.headers.get('To'));
    if (!this.existing && tag !== undefined) {
      dialog = this.earlyDialogs.get(tag);
      if (!dialog) {
        dialog = uacDialog(this.request, response, this.flow);
        if (dialog) this.earlyDialogs.set(tag, dialog);
      }
    }
    if (this.cancelWanted) this.cancel();
    this.onProvisional?.(response, dialog);
  }

  private answered(response: SipResponse): void {
    const tag = tagOf(response.headers.get('To')) ?? '';
    const dialogs = this.endpoint.dialogs;
    if (this.dialog && this.dialog.remoteTag === tag) {
      dialogs.resendAck(this.dialog.id); // a retransmitted 2xx: its ACK was lost
      return;
    }
    const dialog =
      this.existing ?? this.earlyDialogs.get(tag) ?? uacDialog(this.request, response, this.flow);
    if (!dialog) return; // a 2xx without To-tag cannot be acknowledged in a dialog
    dialog.state = 'confirmed';
    this.earlyDialogs.delete(tag);
    const seq = parseCSeq(this.request.headers.get('CSeq'))?.seq ?? 1;
    const ack = inDialogRequest(dialog, 'ACK', seq);
    const contact = contactUri(response);
    if (contact) dialog.remoteTarget = ownText(contact);
    const second = this.dialog !== undefined;
    void dialogs.sendAck(
      dialog,
      ack,
      this.existing === undefined && !second,
      uacSessionTerms(response),
      this.request.body,
    );
    if (second) {
      void dialogs.bye(dialog); // another fork answered too: only one call may stand
      return;
    }
    this.dialog = dialog;
    for (const early of this.earlyDialogs.values()) early.state = 'terminated';
    this.finish({ kind: 'answered', response, dialog });
  }

  private fail(error: SipError): void {
    this.finish({ kind: 'failed', error });
  }

  private finish(outcome: CallOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(outcome);
  }

  /** CANCEL (RFC 3261 section 9.1): Request-URI, Call-ID, From, To, Route and CSeq number of the INVITE. */
  private buildCancel(): SipRequest {
    const invite = this.request;
    const headers = new SipHeaders()
      .append('From', invite.headers.get('From') ?? '')
      .append('To', invite.headers.get('To') ?? '')
      .append('Call-ID', invite.headers.get('Call-ID') ?? '')
      .append('CSeq', `${parseCSeq(invite.headers.get('CSeq'))?.seq ?? 1} CANCEL`);
    for (const route of invite.headers.getAll('Route')) headers.append('Route', route);
    return { kind: 'request', method: 'CANCEL', uri: invite.uri, headers, body: Buffer.alloc(0) };
  }
}
