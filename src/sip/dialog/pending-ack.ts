import type { SipRequest } from '../message/sip-message.js';
import type { SipSource } from '../transport/transport.types.js';
import type { TimerSettings } from '../transaction/timer-settings.js';

/**
 * A 2xx to an INVITE waiting for its ACK (RFC 3261 section 13.3.1.4): on UDP the UAS core resends it, T1
 * doubling to T2; on any transport it gives up after 64*T1 and reports it, so that the dialog can be ended with
 * a BYE (the answer was never confirmed).
 */
export class PendingAck {
  private timers: NodeJS.Timeout[] = [];
  private done = false;
  private ack: SipRequest | undefined;

  constructor(
    private readonly bytes: Buffer,
    private readonly source: SipSource,
    timers: TimerSettings,
    private readonly actions: {
      send: (source: SipSource, bytes: Buffer) => void;
      /** The ACK came (its body is the caller's answer when our 2xx carried the offer: late offer). */
      acked: (ack: SipRequest | undefined) => void;
      timedOut: () => void;
    },
  ) {
    if (source.protocol === 'udp') this.resend(timers.t1, timers.t2);
    this.timers.push(setTimeout(() => this.finish(false), 64 * timers.t1));
  }

  /** The ACK arrived. */
  acknowledged(ack?: SipRequest): void {
    this.ack = ack;
    this.finish(true);
  }

  /** The dialog went away first. */
  cancel(): void {
    this.done = true;
    this.clear();
  }

  private resend(interval: number, max: number): void {
    this.timers.push(
      setTimeout(() => {
        if (this.done) return;
        this.actions.send(this.source, this.bytes);
        this.resend(Math.min(interval * 2, max), max);
      }, interval),
    );
  }

  private finish(acked: boolean): void {
    if (this.done) return;
    this.done = true;
    this.clear();
    if (acked) this.actions.acked(this.ack);
    else this.actions.timedOut();
  }

  private clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}
