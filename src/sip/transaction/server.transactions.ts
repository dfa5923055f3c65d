import { createResponse } from '../message/response.factory.js';
import { serializeMessage } from '../message/message.serializer.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { parseVia } from '../message/via.js';
import type { SipSource } from '../transport/transport.types.js';
import { nextRetransmitInterval, transactionTimeout, type TimerSettings } from './timer-settings.js';

/** The transaction user: decides the final response to a new incoming request (never called for ACK). */
export type RequestHandler = (request: SipRequest, source: SipSource) => SipResponse;

interface ServerTransaction {
  method: string;
  response: Buffer;
  source: SipSource;
  acked: boolean;
  timers: NodeJS.Timeout[];
}

/** Most server transactions kept for retransmission absorption; past this, answers are still sent. */
const MAX_TRANSACTIONS = 20_000;

/**
 * Server transactions for requests the PBX sends us (RFC 3261 section 17.2). Every request is answered at once
 * with a final response from the handler; a retransmitted request gets the same response again (absorbed, not
 * handed up twice). INVITE finals are retransmitted on UDP (Timer G) until the ACK (Timer H bounds it); CANCEL
 * of a known INVITE gets 200, of an unknown one 481.
 */
export class ServerTransactions {
  private readonly table = new Map<string, ServerTransaction>();

  constructor(
    private readonly timers: TimerSettings,
    private readonly send: (source: SipSource, data: Buffer) => void,
    private readonly handler: RequestHandler,
  ) {}

  /** A request arrived. */
  receive(request: SipRequest, source: SipSource): void {
    const key = transactionKey(request, request.method === 'ACK' ? 'INVITE' : request.method);
    const existing = this.table.get(key);
    if (request.method === 'ACK') {
      if (existing) this.acknowledge(key, existing);
      return; // an ACK without a transaction is for a 2xx we never send: drop it
    }
    if (existing) {
      this.send(source, existing.response); // retransmission: absorb, answer again
      return;
    }
    const response = request.method === 'CANCEL' ? this.answerCancel(request) : this.handler(request, source);
    const bytes = serializeMessage(response);
    this.send(source, bytes);
    if (this.table.size < MAX_TRANSACTIONS) this.remember(key, request.method, bytes, source);
  }

  /** Transactions held. */
  get size(): number {
    return this.table.size;
  }

  /** Forget everything and stop the timers. */
  clear(): void {
    for (const entry of this.table.values()) entry.timers.forEach(clearTimeout);
    this.table.clear();
  }

  private answerCancel(request: SipRequest): SipResponse {
    const invite = this.table.get(transactionKey(request, 'INVITE'));
    // The INVITE already has its final response, so CANCEL changes nothing but is acknowledged (section 9.2).
    return createResponse(request, invite ? 200 : 481);
  }

  private remember(key: string, method: string, response: Buffer, source: SipSource): void {
    const entry: ServerTransaction = { method, response, source, acked: false, timers: [] };
    const reliable = source.protocol !== 'udp';
    const lifetime = transactionTimeout(this.timers); // Timer J (non-INVITE) or H (INVITE)
    if (method === 'INVITE') {
      if (!reliable) this.retransmit(entry, this.timers.t1);
      entry.timers.push(setTimeout(() => this.forget(key), lifetime));
    } else {
      entry.timers.push(setTimeout(() => this.forget(key), reliable ? 0 : lifetime));
    }
    this.table.set(key, entry);
  }

  /** Timer G: resend the INVITE's final response, T1 doubling to T2, until the ACK. */
  private retransmit(entry: ServerTransaction, interval: number): void {
    entry.timers.push(
      setTimeout(() => {
        if (entry.acked) return;
        this.send(entry.source, entry.response);
        this.retransmit(entry, nextRetransmitInterval(interval, this.timers));
      }, interval),
    );
  }

  private acknowledge(key: string, entry: ServerTransaction): void {
    if (entry.acked) return;
    entry.acked = true;
    entry.timers.forEach(clearTimeout);
    // Timer I: absorb ACK retransmissions for T4 on UDP.
    entry.timers = [setTimeout(() => this.forget(key), entry.source.protocol === 'udp' ? this.timers.t4 : 0)];
  }

  private forget(key: string): void {
    const entry = this.table.get(key);
    if (!entry) return;
    entry.timers.forEach(clearTimeout);
    this.table.delete(key);
  }
}

/** RFC 3261 section 17.2.3 matching key; RFC 2543 peers without the magic cookie fall back to dialog fields. */
export function transactionKey(request: SipRequest, method: string): string {
  const topVia = request.headers.getList('Via')[0] ?? '';
  const via = parseVia(topVia);
  const branch = via.params.get('branch') ?? '';
  if (branch.startsWith('z9hG4bK')) return `${branch}|${via.host}:${via.port ?? ''}|${method}`;
  const cseq = (request.headers.get('CSeq') ?? '').replace(/\D/g, '');
  return `${request.headers.get('Call-ID') ?? ''}|${cseq}|${request.headers.get('From') ?? ''}|${topVia}|${method}`;
}
