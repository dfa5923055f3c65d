import { SipHeaders } from '../message/sip-headers.js';
import { parseCSeq, type SipRequest, type SipResponse } from '../message/sip-message.js';
import { SipError } from '../sip.error.js';
import type { InviteTimers } from './invite-timers.js';

/** States of an INVITE client transaction (RFC 3261 figure 5 as amended by RFC 6026 figure 3). */
export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

/** What an INVITE client transaction needs from below and reports above. */
export interface InviteClientHooks {
  /** Put bytes on the wire: the INVITE (first send, Timer A) or the ACK of a non-2xx final. */
  transmit: (request: SipRequest) => Promise<void>;
  /**
   * A response for the transaction user: every provisional, every 2xx (retransmissions and other forks' 2xx
   * included, RFC 6026 section 7.2: the TU ACKs each) and the first non-2xx final (later copies are absorbed).
   */
  response: (response: SipResponse) => void;
  /** No final response: Timer B (nothing at all), Timer C (ringing too long) or a transport error. Once. */
  failed: (error: SipError) => void;
  /** Timer C fired while proceeding: the owner sends a CANCEL (RFC 3261 section 16.8). */
  expired: () => void;
  /** The transaction is over; the owner forgets it. */
  terminated: () => void;
}

/**
 * An INVITE client transaction (RFC 3261 section 17.1.1 with RFC 6026): Timer A retransmits on UDP, Timer B gives
 * up when nothing answers, Timer C bounds ringing (a CANCEL, then 64*T1 more before it gives up), a non-2xx final is
 * ACKed here (same branch, hop by hop) and absorbed for Timer D, a 2xx moves to Accepted for Timer M so that 2xx
 * retransmissions and forked 2xx reach the TU, which ACKs them end to end.
 *
 * @example new InviteClientTransaction(invite, false, inviteTimers(DEFAULT_TIMERS, false), hooks).start()
 */
export class InviteClientTransaction {
  state: InviteClientState = 'calling';
  private timerA: NodeJS.Timeout | undefined;
  private timerB: NodeJS.Timeout | undefined;
  private timerC: NodeJS.Timeout | undefined;
  private interval: number;
  private ack: SipRequest | undefined;

  constructor(
    readonly invite: SipRequest,
    private readonly reliable: boolean,
    private readonly timers: InviteTimers,
    private readonly hooks: InviteClientHooks,
  ) {
    this.interval = timers.a;
  }

  /** Send the INVITE and arm Timers A, B and C. */
  start(): void {
    this.timerB = setTimeout(() => this.fail(timeout('B', this.timers.b)), this.timers.b);
    this.armC();
    if (!this.reliable) this.armA();
    this.send(this.invite);
  }

  /** A response matched this transaction (by branch). */
  receive(response: SipResponse): void {
    if (this.state === 'terminated') return;
    if (response.status < 200) return this.provisional(response);
    if (response.status < 300) return this.accepted(response);
    if (this.state === 'completed') {
      this.send(this.ack!); // a retransmitted final: its ACK was lost
      return;
    }
    if (this.state === 'accepted') return; // a non-2xx after a 2xx from another fork: nothing to do
    this.clear();
    this.state = 'completed';
    this.ack = buildNon2xxAck(this.invite, response);
    this.send(this.ack);
    this.hooks.response(response);
    this.after(this.timers.d);
  }

  /** Stop at once (stack shutdown). */
  abort(): void {
    if (this.state === 'calling' || this.state === 'proceeding') {
      this.fail(new SipError('sip_stack_stopped', 'The SIP stack stopped before the call was answered.'));
    } else this.terminate();
  }

  private provisional(response: SipResponse): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.state = 'proceeding';
    if (this.timerA) clearTimeout(this.timerA);
    if (this.timerB) clearTimeout(this.timerB);
    this.timerA = this.timerB = undefined;
    this.armC(); // each provisional restarts Timer C
    this.hooks.response(response);
  }

  private accepted(response: SipResponse): void {
    if (this.state === 'completed') return;
    if (this.state !== 'accepted') {
      this.clear();
      this.state = 'accepted';
      this.after(this.timers.m);
    }
    this.hooks.response(response);
  }

  private armA(): void {
    this.timerA = setTimeout(() => {
      if (this.state !== 'calling') return;
      this.send(this.invite);
      this.interval *= 2; // Timer A doubles without the T2 cap (RFC 3261 17.1.1.2)
      this.armA();
    }, this.interval);
  }

  private armC(): void {
    if (this.timerC) clearTimeout(this.timerC);
    this.timerC = setTimeout(() => {
      if (this.state === 'calling') return this.fail(timeout('C', this.timers.c));
      if (this.state !== 'proceeding') return;
      this.hooks.expired();
      // The CANCEL should bring a 487; if the far end stays silent, give up after 64*T1 (the Timer B span).
      this.timerC = setTimeout(() => this.fail(timeout('C', this.timers.c)), this.timers.b);
    }, this.timers.c);
  }

  private send(request: SipRequest): void {
    this.hooks.transmit(request).catch((error: unknown) => this.fail(asTransportError(error)));
  }

  private fail(error: SipError): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.clear();
    this.state = 'terminated';
    this.hooks.failed(error);
    this.hooks.terminated();
  }

  private after(ms: number): void {
    if (ms <= 0) return this.terminate();
    this.timerB = setTimeout(() => this.terminate(), ms);
  }

  private terminate(): void {
    this.clear();
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.hooks.terminated();
  }

  private clear(): void {
    for (const timer of [this.timerA, this.timerB, this.timerC]) if (timer) clearTimeout(timer);
    this.timerA = this.timerB = this.timerC = undefined;
  }
}

/**
 * The ACK of a non-2xx final (RFC 3261 section 17.1.1.3): the INVITE's Request-URI, top Via (same branch), From,
 * Call-ID and Route, the response's To (with its tag), CSeq number with method ACK.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.first('Via');
  if (topVia !== undefined) headers.append('Via', topVia);
  headers.append('Max-Forwards', '70');
  headers.append('From', invite.headers.get('From') ?? '');
  headers.append('To', response.headers.get('To') ?? invite.headers.get('To') ?? '');
  headers.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  headers.append('CSeq', `${parseCSeq(invite.headers.get('CSeq'))?.seq ?? 1} ACK`);
  for (const route of invite.headers.getAll('Route')) headers.append('Route', route);
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: Buffer.alloc(0) };
}

function timeout(timer: 'B' | 'C', ms: number): SipError {
  const what = timer === 'B' ? 'did not answer the INVITE' : 'rang without a final answer';
  return new SipError(
    'sip_transaction_timeout',
    `The far end ${what} within ${ms / 1000} s (Timer ${timer}).`,
    {
      status: 408,
      timer,
    },
  );
}

function asTransportError(error: unknown): SipError {
  if (error instanceof SipError) return error;
  return new SipError(
    'sip_transport_failed',
    `Sending failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}
