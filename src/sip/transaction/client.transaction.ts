import type { SipResponse } from '../message/sip-message.js';
import { SipError } from '../sip.error.js';
import { nextRetransmitInterval, transactionTimeout, type TimerSettings } from './timer-settings.js';

/** States of a non-INVITE client transaction (RFC 3261 figure 6). */
export type ClientTransactionState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** What a client transaction needs from below and reports above. */
export interface ClientTransactionHooks {
  /** Put the request on the wire (first send and retransmissions). */
  transmit: () => Promise<void>;
  /** The final response, or a timeout / transport error. Called exactly once. */
  settle: (outcome: { response: SipResponse } | { error: SipError }) => void;
  /**
   * The transaction is over and its object can be forgotten. `absorbForMs` is Timer K: for that long the owner
   * keeps absorbing retransmissions of the final response by branch (T4 on UDP, 0 on reliable transports).
   * The owner runs Timer K with one shared sweep instead of one timer and one live object per transaction.
   */
  terminated: (absorbForMs: number) => void;
}

/**
 * A non-INVITE client transaction (RFC 3261 section 17.1.2): Timer E retransmits on unreliable transports
 * (T1 doubling to T2, T2 once a provisional arrived), Timer F gives up after 64*T1; after the final response
 * the owner absorbs retransmitted finals for Timer K (T4 on UDP, 0 on TCP/TLS), see `terminated`.
 *
 * Timers E and F share one Node timer, armed for whichever is due first, with no closure of its own: every
 * REGISTER is a transaction, and two timers with a closure each per transaction showed in the registration
 * profile (issue 21) although nearly every one is answered within milliseconds.
 */
export class ClientTransaction {
  state: ClientTransactionState = 'trying';
  private interval: number;
  private timer: NodeJS.Timeout | undefined;
  /** When Timer F fires (Date.now() time). */
  private deadline = 0;
  /** The timer is armed for Timer F (not for a retransmission). */
  private armedForF = false;

  constructor(
    private readonly reliable: boolean,
    private readonly timers: TimerSettings,
    private readonly hooks: ClientTransactionHooks,
  ) {
    this.interval = timers.t1;
  }

  /** Send the request and arm the timers. */
  start(): void {
    const timeout = transactionTimeout(this.timers);
    this.deadline = Date.now() + timeout;
    this.arm(this.reliable ? timeout : this.interval, timeout);
    this.hooks.transmit().catch((error: unknown) => this.fail(asTransportError(error)));
  }

  /** A response matched this transaction. */
  receive(response: SipResponse): void {
    if (this.state === 'completed' || this.state === 'terminated') return; // retransmitted final: absorbed
    if (response.status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    this.clear();
    this.hooks.settle({ response });
    this.terminate(this.reliable ? 0 : this.timers.t4);
  }

  /** Stop at once (stack shutdown): settles with `sip_stack_stopped` if still waiting. */
  abort(): void {
    if (this.state === 'trying' || this.state === 'proceeding') {
      this.fail(new SipError('sip_stack_stopped', 'The SIP stack stopped before the PBX answered.'));
    } else this.terminate(0);
  }

  /** The one timer fired (called by the timer only): Timer F when its time has come, else Timer E. */
  timerFired(): void {
    this.timer = undefined;
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    // Also when a late retransmission timer fires past Timer F (a busy loop): no retransmission after F.
    if (this.armedForF || Date.now() >= this.deadline) return this.fail(timeoutError(this.timers));
    // In Proceeding, retransmit every T2 (section 17.1.2.2).
    this.interval =
      this.state === 'proceeding' ? this.timers.t2 : nextRetransmitInterval(this.interval, this.timers);
    this.hooks.transmit().catch((error: unknown) => this.fail(asTransportError(error)));
    if (this.state === 'trying' || this.state === 'proceeding')
      this.arm(this.interval, Math.max(0, this.deadline - Date.now()));
  }

  /** Arm the one timer for the next retransmission (`retransmitIn`) or for Timer F, whichever comes first. */
  private arm(retransmitIn: number, timeoutIn: number): void {
    this.armedForF = timeoutIn <= retransmitIn;
    this.timer = setTimeout(onTimer, this.armedForF ? timeoutIn : retransmitIn, this);
  }

  private fail(error: SipError): void {
    if (this.state === 'completed' || this.state === 'terminated') return;
    this.clear();
    this.state = 'terminated';
    this.hooks.settle({ error });
    this.hooks.terminated(0);
  }

  private terminate(absorbForMs: number): void {
    this.clear();
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.hooks.terminated(absorbForMs);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The timer callback of every transaction (the transaction is its argument: no closure per transaction). */
function onTimer(transaction: ClientTransaction): void {
  transaction.timerFired();
}

function timeoutError(timers: TimerSettings): SipError {
  const seconds = transactionTimeout(timers) / 1000;
  return new SipError('sip_transaction_timeout', `The PBX did not answer within ${seconds} s (Timer F).`, {
    status: 408,
  });
}

function asTransportError(error: unknown): SipError {
  if (error instanceof SipError) return error;
  return new SipError(
    'sip_transport_failed',
    `Sending failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}
