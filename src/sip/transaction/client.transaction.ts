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
 */
export class ClientTransaction {
  state: ClientTransactionState = 'trying';
  private interval: number;
  private timerE: NodeJS.Timeout | undefined;
  private timerF: NodeJS.Timeout | undefined;

  constructor(
    private readonly reliable: boolean,
    private readonly timers: TimerSettings,
    private readonly hooks: ClientTransactionHooks,
  ) {
    this.interval = timers.t1;
  }

  /** Send the request and arm the timers. */
  start(): void {
    this.timerF = setTimeout(() => this.fail(timeoutError(this.timers)), transactionTimeout(this.timers));
    if (!this.reliable) this.armE();
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

  private armE(): void {
    this.timerE = setTimeout(() => {
      if (this.state !== 'trying' && this.state !== 'proceeding') return;
      // In Proceeding, retransmit every T2 (section 17.1.2.2).
      this.interval =
        this.state === 'proceeding' ? this.timers.t2 : nextRetransmitInterval(this.interval, this.timers);
      this.hooks.transmit().catch((error: unknown) => this.fail(asTransportError(error)));
      this.armE();
    }, this.interval);
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
    if (this.timerE) clearTimeout(this.timerE);
    if (this.timerF) clearTimeout(this.timerF);
    this.timerE = undefined;
    this.timerF = undefined;
  }
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
