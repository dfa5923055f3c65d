import { serializeMessage } from '../message/message.serializer.js';
import { randomToken, type SipRequest, type SipResponse } from '../message/sip-message.js';
import { SipError } from '../sip.error.js';
import { InviteServerTransaction } from '../transaction/invite-server.transaction.js';
import { inviteTimers } from '../transaction/invite-timers.js';
import type { SipSource } from '../transport/transport.types.js';
import type { CallEndpoint } from './call.endpoint.js';
import { tagOf, uasDialog, type Dialog } from './dialog.js';
import type { OutgoingCall } from './outgoing-call.js';
import { MIN_SE_FLOOR, uasSessionTimer, type SessionTimerTerms } from './session-timer.js';

/** How an incoming INVITE is answered. */
export interface AnswerOptions {
  body?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** A To-tag other than the call's: a forking proxy (the Teams emulator) answers from several devices. */
  toTag?: string;
}

/**
 * An INVITE we received (a new call or, with a To-tag, a re-INVITE). 100 Trying is already sent. The transaction
 * user rings (18x, each creating or updating our early dialog), accepts (2xx resent until the ACK) or rejects.
 * A CANCEL before the final answer gets 487 here and `onCancel` tells the user.
 *
 * @example endpoint.options.onInvite = (call) => { call.ring(180); call.accept({ body: sdp }).then(talk); };
 */
export class IncomingCall {
  readonly transaction: InviteServerTransaction;
  /** Our To-tag: the existing one for a re-INVITE, a new one for a call. */
  readonly localTag: string;
  dialog: Dialog | undefined;
  /** Called once when the caller cancels before the final answer. */
  onCancel: (() => void) | undefined;
  /** Session timer agreed in the 2xx, if any. */
  sessionTerms: SessionTimerTerms | undefined;
  /**
   * The dialog this call replaces (INVITE with Replaces, RFC 3891): the user accepts the new call, then ends the
   * replaced one (BYE, or CANCEL of `replacesEarly` when it was a call of ours still ringing) and swaps legs.
   */
  replaces: Dialog | undefined;
  replacesEarly: OutgoingCall | undefined;
  /**
   * The ACK that confirmed our 2xx. After an INVITE without SDP (late offer) our 2xx carried the offer and this
   * ACK carries the caller's answer (RFC 3261 section 13.2.1).
   */
  ack: SipRequest | undefined;
  private answered = false;

  constructor(
    private readonly endpoint: CallEndpoint,
    readonly request: SipRequest,
    readonly source: SipSource,
    key: string,
  ) {
    this.localTag = tagOf(request.headers.get('To')) ?? randomToken(12);
    const reliable = source.protocol !== 'udp';
    this.transaction = new InviteServerTransaction(
      request,
      reliable,
      inviteTimers(endpoint.timers, reliable, endpoint.options.timerCMs),
      {
        send: (bytes) => endpoint.replyBytes(source, bytes),
        terminated: () => endpoint.forgetInvite('server', key),
      },
    );
  }

  /** Send a provisional response (180 Ringing, 183 Session Progress with early media). */
  ring(status = 180, answer: AnswerOptions = {}): void {
    if (this.answered) return;
    this.transaction.respond(this.build(status, answer));
  }

  /**
   * Accept with a 2xx (our SDP in `body`); resolves with the confirmed dialog once the ACK arrives, rejects when it
   * never comes (64*T1: the caller then gets a BYE) or when the session interval asked for is below our Min-SE
   * (the call gets 422 with Min-SE, RFC 4028).
   */
  accept(answer: AnswerOptions = {}): Promise<Dialog> {
    if (this.answered)
      return Promise.reject(new SipError('sip_parse_failed', 'The call was already answered.'));
    const timer = uasSessionTimer(this.request, this.endpoint.options.minSessionExpires ?? MIN_SE_FLOOR);
    if (timer.kind === 'too-small') {
      this.reject(422, { 'Min-SE': String(timer.minSe) });
      return Promise.reject(
        new SipError('sip_parse_failed', 'Session interval below our Min-SE: answered 422.'),
      );
    }
    const headers = { ...(timer.kind === 'use' ? timer.headers : {}), ...answer.headers };
    if (timer.kind === 'use') this.sessionTerms = timer.terms;
    const response = this.build(200, { ...answer, headers });
    this.answered = true;
    this.transaction.respond(response);
    const dialog = this.dialog!;
    return this.endpoint.dialogs.awaitAck(this, dialog, serializeMessage(response), answer.body);
  }

  /** Answer with a final error (486 Busy Here, 603 Decline, 503 with Retry-After ...). */
  reject(status: number, headers: Record<string, string> = {}): void {
    if (this.answered) return;
    this.answered = true;
    this.transaction.respond(this.endpoint.respond(this.request, status, headers, this.localTag));
    if (this.dialog) this.endpoint.dialogs.forgetEarly(this.dialog);
  }

  /** The caller sent CANCEL (already answered 200): 487 to the INVITE unless a final answer went out. */
  cancelled(): void {
    if (this.answered) return;
    this.reject(487);
    this.onCancel?.();
  }

  /** Stop at once (endpoint shutdown). */
  abort(): void {
    this.answered = true;
    this.transaction.abort();
  }

  /** A response to this INVITE with our To-tag, Contact and (for 18x/2xx) the early dialog created. */
  private build(status: number, answer: AnswerOptions): SipResponse {
    const headers: Record<string, string> = {
      Contact: this.endpoint.contactHeader(this.source.protocol, this.request),
      Allow: this.endpoint.allow,
      ...answer.headers,
    };
    const tag = answer.toTag ?? this.localTag;
    const response = this.endpoint.respond(this.request, status, headers, tag);
    if (answer.body && answer.body.length > 0) {
      response.headers.set('Content-Type', answer.contentType ?? 'application/sdp');
      response.body = answer.body;
    }
    const isNew = tagOf(this.request.headers.get('To')) === undefined;
    if (isNew && (!this.dialog || this.dialog.localTag !== tag)) {
      this.dialog = uasDialog(this.request, tag, this.source.flow ? this.source : undefined);
    }
    return response;
  }
}
