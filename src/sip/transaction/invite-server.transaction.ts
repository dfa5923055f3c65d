import { serializeMessage } from '../message/message.serializer.js';
import { createResponse } from '../message/response.factory.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import type { InviteTimers } from './invite-timers.js';

/** States of an INVITE server transaction (RFC 3261 figure 7 as amended by RFC 6026 figure 5). */
const EMPTY = Buffer.alloc(0);

export type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

/** What an INVITE server transaction needs from below and reports above. */
export interface InviteServerHooks {
  /** Put a response on the wire, back where the INVITE came from. */
  send: (bytes: Buffer) => void;
  /** Timer H fired: the ACK of our non-2xx final never came (RFC 3261 17.2.1). */
  ackTimeout?: () => void;
  /** The transaction is over; the owner forgets it. */
  terminated: () => void;
}

/**
 * An INVITE server transaction (RFC 3261 section 17.2.1 with RFC 6026). It sends 100 Trying at once (so that
 * Microsoft and PBXs never fail over while the transaction user works), answers retransmitted INVITEs with the
 * latest response, retransmits a non-2xx final on UDP (Timer G) until the ACK or Timer H, absorbs ACK copies for
 * Timer I, and after a 2xx stays Accepted for Timer L. Retransmitting the 2xx itself is the dialog's job.
 *
 * @example const tx = new InviteServerTransaction(invite, true, timers, hooks); tx.respond(ringing);
 */
export class InviteServerTransaction {
  state: InviteServerState = 'proceeding';
  private last: Buffer;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    readonly invite: SipRequest,
    private readonly reliable: boolean,
    private readonly timing: InviteTimers,
    private readonly hooks: InviteServerHooks,
  ) {
    this.last = serializeMessage(createResponse(invite, 100));
    hooks.send(this.last);
  }

  /** The transaction user's response (1xx, 2xx or final). Ignored once a final was sent. */
  respond(response: SipResponse): void {
    if (this.state !== 'proceeding') {
      // In Accepted the TU retransmits its 2xx through here (RFC 6026 section 8.5).
      if (this.state === 'accepted' && response.status >= 200 && response.status < 300)
        this.hooks.send(serializeMessage(response));
      return;
    }
    this.last = serializeMessage(response);
    this.hooks.send(this.last);
    if (response.status < 200) return;
    if (response.status < 300) {
      // The 2xx is resent by the dialog's PendingAck, never from here: drop it, a held call keeps no copy.
      this.last = EMPTY;
      this.state = 'accepted';
      this.timers.push(setTimeout(() => this.terminate(), this.timing.l));
      return;
    }
    this.state = 'completed';
    if (!this.reliable) this.retransmit(this.timing.g);
    this.timers.push(
      setTimeout(() => {
        this.hooks.ackTimeout?.();
        this.terminate();
      }, this.timing.h),
    );
  }

  /** A retransmission of the INVITE arrived: answer with the latest response (absorbed in Accepted). */
  retransmitted(): void {
    if (this.state === 'proceeding' || this.state === 'completed') this.hooks.send(this.last);
  }

  /** The ACK of our non-2xx final (same branch). */
  acknowledged(): void {
    if (this.state !== 'completed') return;
    this.state = 'confirmed';
    this.clear();
    if (this.timing.i <= 0) return this.terminate();
    this.timers.push(setTimeout(() => this.terminate(), this.timing.i));
  }

  /** Stop at once (stack shutdown). */
  abort(): void {
    this.terminate();
  }

  /** Timer G: resend the final, T1 doubling to T2, while Completed. */
  private retransmit(interval: number): void {
    this.timers.push(
      setTimeout(() => {
        if (this.state !== 'completed') return;
        this.hooks.send(this.last);
        this.retransmit(Math.min(interval * 2, this.timing.gMax));
      }, interval),
    );
  }

  private terminate(): void {
    this.clear();
    this.last = EMPTY;
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.hooks.terminated();
  }

  private clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}
