import { parseCSeq, type SipRequest, type SipResponse } from '../message/sip-message.js';
import { ownBytes } from '../message/message.parser.js';
import { SipError } from '../sip.error.js';
import type { SipSource } from '../transport/transport.types.js';
import type { CallEndpoint } from './call.endpoint.js';
import { contactUri, dialogKey, inDialogRequest, tagOf, type Dialog } from './dialog.js';
import type { DialogEndReason, Hop, ReinviteAnswer } from './endpoint.types.js';
import type { IncomingCall } from './incoming-call.js';
import { OutgoingCall } from './outgoing-call.js';
import { PendingAck } from './pending-ack.js';
import { SessionTimer, uacSessionHeaders, weRefresh, type SessionTimerTerms } from './session-timer.js';

interface DialogEntry {
  dialog: Dialog;
  /** Our current SDP, re-sent on refreshes and default re-INVITE answers. */
  localSdp: Buffer;
  /** The ACK of the 2xx we received (UAC), resent on 2xx retransmissions. */
  ack?: { bytes: Buffer; hop: Hop };
  pendingAck?: PendingAck;
  reinviteOut: boolean;
  reinviteIn: boolean;
  sessionTimer?: SessionTimer;
}

/**
 * The confirmed dialogs of one endpoint and what happens inside them: ACKs both ways, BYE, re-INVITE both ways with
 * RFC 3261 section 14 glare (491 to a re-INVITE crossing ours, 500 + Retry-After to a second incoming one, our
 * retry after the random wait), 481 for unknown dialogs, CSeq order, and RFC 4028 session timers.
 */
export class DialogTable {
  private readonly entries = new Map<string, DialogEntry>();

  constructor(private readonly endpoint: CallEndpoint) {}

  /** Dialogs held. */
  get size(): number {
    return this.entries.size;
  }

  /** A dialog by id, if it is still up. */
  get(id: string): Dialog | undefined {
    return this.entries.get(id)?.dialog;
  }

  /** Our 2xx went out (UAS): hold the dialog and resolve when the ACK confirms it; BYE if it never comes. */
  awaitAck(call: IncomingCall, dialog: Dialog, bytes: Buffer, localSdp: Buffer | undefined): Promise<Dialog> {
    const entry = this.entries.get(dialog.id) ?? this.add(dialog, localSdp ?? Buffer.alloc(0));
    if (localSdp) entry.localSdp = ownBytes(localSdp);
    dialog.state = 'confirmed';
    return new Promise((resolve, reject) => {
      entry.pendingAck = new PendingAck(bytes, call.source, this.endpoint.timers, {
        send: (source, data) => this.endpoint.replyBytes(source, data),
        acked: (ack) => {
          entry.pendingAck = undefined; // done: its copy of our 2xx goes with it
          call.ack = ack;
          entry.reinviteIn = false;
          if (call.sessionTerms) this.startTimer(entry, call.sessionTerms);
          resolve(dialog);
        },
        timedOut: () => {
          entry.pendingAck = undefined;
          void this.bye(dialog, 'no-ack');
          reject(
            new SipError('sip_transaction_timeout', 'The caller never acknowledged our answer (64*T1).'),
          );
        },
      });
    });
  }

  /** Send the ACK of a 2xx we received (UAC) and keep it for 2xx retransmissions. */
  async sendAck(
    dialog: Dialog,
    ack: SipRequest,
    register: boolean,
    terms: SessionTimerTerms | undefined,
    localSdp: Buffer,
  ): Promise<void> {
    // Registered before the first await, so that a BYE or a retransmitted 2xx meanwhile finds the dialog.
    let entry = this.entries.get(dialog.id);
    if (!entry && register) entry = this.add(dialog, localSdp);
    if (entry && terms) this.startTimer(entry, terms);
    const prepared = this.endpoint.prepare(ack, await this.endpoint.hopFor(ack, dialog));
    if (entry) {
      const kept = (entry.ack = { bytes: prepared.bytes, hop: prepared.hop });
      // The far end resends its 2xx for 64*T1 at most (RFC 3261 13.3.1.4): the ACK is not needed past that, and a
      // call held for an hour need not keep it.
      setTimeout(() => {
        if (entry.ack === kept) entry.ack = undefined;
      }, 64 * this.endpoint.timers.t1).unref();
    }
    await this.endpoint.transmit(prepared.hop, prepared.bytes).catch(() => undefined);
  }

  /**
   * A 2xx came again: resend its ACK (absorbed past 64*T1, when the ACK is no longer kept). False when the dialog
   * is unknown.
   */
  resendAck(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    if (entry.ack) this.endpoint.transmit(entry.ack.hop, entry.ack.bytes).catch(() => undefined);
    return true;
  }

  /** End a dialog with BYE (a failed BYE still ends it locally); `headers` e.g. a Reason (RFC 3326). */
  async bye(
    dialog: Dialog,
    reason: DialogEndReason = 'local-bye',
    headers: Record<string, string> = {},
  ): Promise<SipResponse | undefined> {
    if (dialog.state === 'terminated') return undefined;
    this.end(dialog, reason);
    const request = inDialogRequest(dialog, 'BYE');
    for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
    return this.endpoint.request(request, await this.endpoint.hopFor(request, dialog)).catch(() => undefined);
  }

  /** Send a non-INVITE request in the dialog (INFO, NOTIFY ...). */
  async request(
    dialog: Dialog,
    method: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<SipResponse> {
    const request = inDialogRequest(dialog, method);
    for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
    if (body) request.body = body;
    return this.endpoint.request(request, await this.endpoint.hopFor(request, dialog));
  }

  /**
   * Send a re-INVITE (hold, resume, session refresh). A 491 (glare) is retried once after RFC 3261 section
   * 14.1's wait: 2.1-4 s when we own the Call-ID (we were the UAC), else 0-2 s.
   */
  async reinvite(dialog: Dialog, body?: Buffer, headers: Record<string, string> = {}): Promise<SipResponse> {
    const entry = this.entries.get(dialog.id);
    if (!entry) throw new SipError('sip_no_dialog', 'The call has ended.');
    if (entry.reinviteOut || entry.reinviteIn)
      throw new SipError('sip_dialog_busy', 'Another re-INVITE of this call is still in progress.');
    for (let attempt = 0; ; attempt++) {
      const response = await this.sendReinvite(entry, body ?? entry.localSdp, headers);
      if (response.status !== 491 || attempt > 0) return response;
      await new Promise((resolve) => setTimeout(resolve, glareWait(dialog.role)));
      if (!this.entries.has(dialog.id)) return response;
    }
  }

  /** An incoming re-INVITE (the call's To has our tag). */
  receiveReinvite(call: IncomingCall): void {
    const entry = this.find(call.request);
    if (!entry) return call.reject(481);
    if (entry.reinviteOut) return call.reject(491); // glare: both sides re-INVITE at once
    if (entry.reinviteIn) return call.reject(500, { 'Retry-After': String(Math.floor(Math.random() * 10)) });
    if (!this.inOrder(entry, call.request)) return call.reject(500);
    entry.reinviteIn = true;
    call.dialog = entry.dialog;
    const target = contactUri(call.request);
    if (target) entry.dialog.remoteTarget = target;
    const decided = this.endpoint.options.onReinvite?.(entry.dialog, call.request);
    if (!(decided instanceof Promise)) return this.answerReinvite(entry, call, decided ?? { status: 200 });
    decided.then(
      (answer) => this.answerReinvite(entry, call, answer ?? { status: 200 }),
      () => this.answerReinvite(entry, call, { status: 500 }),
    );
  }

  /** Answer an incoming re-INVITE as decided (by default with our last SDP). */
  private answerReinvite(entry: DialogEntry, call: IncomingCall, answer: ReinviteAnswer): void {
    if (this.entries.get(entry.dialog.id) !== entry) return call.reject(481); // ended while the answer was sought
    if (answer.status >= 300) {
      entry.reinviteIn = false;
      return call.reject(answer.status, answer.headers);
    }
    const body = answer.body ?? entry.localSdp;
    call
      .accept({ body, headers: answer.headers })
      .then(() => {
        if (call.sessionTerms) entry.sessionTimer?.refreshed(call.sessionTerms);
      })
      .catch(() => (entry.reinviteIn = false));
  }

  /** An ACK for a 2xx (new branch, in the dialog). */
  receiveAck(request: SipRequest): void {
    this.find(request)?.pendingAck?.acknowledged(request);
  }

  /** A non-INVITE request inside a dialog: 481 when the dialog is unknown, BYE ends it. */
  receiveRequest(request: SipRequest, source: SipSource): SipResponse {
    const entry = this.find(request);
    if (!entry) return this.endpoint.respond(request, 481);
    if (!this.inOrder(entry, request)) return this.endpoint.respond(request, 500);
    // Microsoft opens its own connection for in-dialog requests (REFER, BYE): answer and keep using it.
    if (source.flow) entry.dialog.flow = source;
    if (request.method === 'BYE') {
      this.end(entry.dialog, 'remote-bye');
      return this.endpoint.respond(request, 200);
    }
    const answer = this.endpoint.options.onDialogRequest?.(entry.dialog, request, source);
    if (answer) return this.endpoint.decorate(answer);
    if (request.method === 'NOTIFY' || request.method === 'INFO') return this.endpoint.respond(request, 200);
    return this.endpoint.respond(request, 405, { Allow: this.endpoint.allow });
  }

  /** An early dialog whose INVITE failed. */
  forgetEarly(dialog: Dialog): void {
    dialog.state = 'terminated';
  }

  /** Forget every dialog without BYE (shutdown). */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.end(entry.dialog, 'stopped');
  }

  private add(dialog: Dialog, localSdp: Buffer): DialogEntry {
    const entry: DialogEntry = {
      dialog,
      localSdp: ownBytes(localSdp),
      reinviteOut: false,
      reinviteIn: false,
    };
    this.entries.set(dialog.id, entry);
    return entry;
  }

  private async sendReinvite(
    entry: DialogEntry,
    body: Buffer,
    headers: Record<string, string>,
  ): Promise<SipResponse> {
    const request = inDialogRequest(entry.dialog, 'INVITE');
    for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
    if (body.length > 0) {
      request.headers.set('Content-Type', 'application/sdp');
      request.body = body;
    }
    entry.reinviteOut = true;
    try {
      const call = new OutgoingCall(
        this.endpoint,
        request,
        await this.endpoint.hopFor(request, entry.dialog),
        entry.dialog,
      );
      call.start();
      const outcome = await call.outcome;
      if (outcome.kind === 'failed') throw outcome.error;
      if (outcome.kind === 'answered') entry.localSdp = body;
      // 481 and 408 end the dialog (RFC 3261 section 12.2.1.2).
      if (outcome.response.status === 481 || outcome.response.status === 408)
        this.end(entry.dialog, 'remote-bye');
      return outcome.response;
    } finally {
      entry.reinviteOut = false;
    }
  }

  private startTimer(entry: DialogEntry, terms: SessionTimerTerms): void {
    entry.sessionTimer?.stop();
    entry.sessionTimer = new SessionTimer(terms, weRefresh(terms, entry.dialog.role), {
      refresh: () => {
        this.reinvite(entry.dialog, undefined, uacSessionHeaders(terms.intervalSeconds))
          .then((response) => {
            if (response.status < 300) entry.sessionTimer?.refreshed();
          })
          .catch(() => undefined);
      },
      expire: () => void this.bye(entry.dialog, 'session-expired'),
    });
  }

  private end(dialog: Dialog, reason: DialogEndReason): void {
    const entry = this.entries.get(dialog.id);
    dialog.state = 'terminated';
    if (!entry) return;
    this.entries.delete(dialog.id);
    entry.sessionTimer?.stop();
    entry.pendingAck?.cancel();
    this.endpoint.options.onDialogEnded?.(dialog, reason);
  }

  /** The entry of an incoming in-dialog request: our tag is in To, the peer's in From. */
  private find(request: SipRequest): DialogEntry | undefined {
    const local = tagOf(request.headers.get('To')) ?? '';
    const remote = tagOf(request.headers.get('From')) ?? '';
    return this.entries.get(dialogKey(request.headers.get('Call-ID') ?? '', local, remote));
  }

  /** CSeq must rise inside a dialog (RFC 3261 section 12.2.2); ACK and CANCEL reuse the INVITE's number. */
  private inOrder(entry: DialogEntry, request: SipRequest): boolean {
    const seq = parseCSeq(request.headers.get('CSeq'))?.seq ?? 0;
    const last = entry.dialog.remoteSeq;
    if (last !== undefined && seq <= last) return false;
    entry.dialog.remoteSeq = seq;
    return true;
  }
}

/** RFC 3261 section 14.1: the Call-ID's owner waits 2.1-4 s, the other side 0-2 s, in units of 10 ms. */
export function glareWait(role: 'uac' | 'uas'): number {
  const units = Math.floor(Math.random() * (role === 'uac' ? 191 : 201));
  return (role === 'uac' ? 2100 : 0) + units * 10;
}
