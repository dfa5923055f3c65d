import { serializeMessage } from '../message/message.serializer.js';
import { parseCSeq, randomToken, type SipRequest, type SipResponse } from '../message/sip-message.js';
import { BRANCH_COOKIE, parseVia } from '../message/via.js';
import { SipError } from '../sip.error.js';
import { ClientTransaction, type ClientTransactionHooks } from '../transaction/client.transaction.js';
import { ServerTransactions, type RequestHandler } from '../transaction/server.transactions.js';
import { DEFAULT_TIMERS, type TimerSettings } from '../transaction/timer-settings.js';
import { TransportLayer, type TransportLayerOptions } from '../transport/transport.layer.js';
import {
  viaTransport,
  type InboundMessage,
  type LocalEndpoint,
  type SipTarget,
  type TransportProtocol,
} from '../transport/transport.types.js';
import { answerIncoming } from './incoming-request.handler.js';

/** Options of the SIP stack: where to listen, timer values, the User-Agent we send. */
export interface SipStackOptions extends TransportLayerOptions {
  timers?: Partial<TimerSettings>;
  userAgent?: string;
}

/** Counters of the stack, read by the metrics. */
export interface SipStackCounters {
  requestsSent: number;
  retransmissions: number;
  responsesReceived: number;
  strayResponses: number;
  timeouts: number;
  transportErrors: number;
  requestsReceived: number;
  discarded: number;
}

/**
 * The SIP stack: transports, client transactions for requests we send, server transactions for requests we
 * receive. `request()` adds the top Via (new branch, rport) and resolves with the final response.
 *
 * @example
 * const stack = await SipStack.start({ host: '127.0.0.1' });
 * const response = await stack.request(register, { protocol: 'udp', address: '192.0.2.5', port: 5060 });
 */
export class SipStack {
  readonly counters: SipStackCounters = {
    requestsSent: 0,
    retransmissions: 0,
    responsesReceived: 0,
    strayResponses: 0,
    timeouts: 0,
    transportErrors: 0,
    requestsReceived: 0,
    discarded: 0,
  };
  /** Called when a TCP/TLS connection closes (flow key `tcp:address:port`). */
  onFlowClosed: (flow: string) => void = () => undefined;
  /** Called when a TCP/TLS target that did not answer connects again (a probe succeeded). */
  onTargetUp: (flow: string) => void = () => undefined;
  private readonly clients = new Map<string, ClientTransaction>();
  /** Timer K: branches of completed UDP transactions and when to stop absorbing their retransmitted finals. */
  private readonly completed = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly servers: ServerTransactions;
  private transports!: TransportLayer;
  private handler: RequestHandler = (request) => answerIncoming(request, () => false);
  /** The call endpoint (the B2BUA's PBX side), once attached: it takes every request and the other responses. */
  private calls: ((inbound: InboundMessage) => void) | undefined;
  private stopped = false;

  private constructor(
    readonly timers: TimerSettings,
    private readonly userAgent: string,
  ) {
    this.servers = new ServerTransactions(
      timers,
      (source, data) => void this.transports.reply(source, data).catch(() => this.counters.transportErrors++),
      (request, source) => this.handler(request, source),
    );
  }

  /** Open the transports and start. */
  static async start(options: SipStackOptions): Promise<SipStack> {
    const stack = new SipStack({ ...DEFAULT_TIMERS, ...options.timers }, options.userAgent ?? 'Callbridge');
    stack.transports = await TransportLayer.open(options, {
      onMessage: (inbound) => stack.dispatch(inbound),
      onDiscard: () => stack.counters.discarded++,
      onFlowClosed: (flow) => stack.onFlowClosed(flow),
      onTargetUp: (flow) => stack.onTargetUp(flow),
    });
    return stack;
  }

  /** Set who answers incoming requests (default: OPTIONS 200, INVITE 404/480, others 405/481). */
  setRequestHandler(handler: RequestHandler): void {
    this.handler = handler;
  }

  /**
   * Hand calls to a call endpoint sharing our sockets (the B2BUA's PBX side, issue 17): from then on every request
   * goes to `receive` (the endpoint answers OPTIONS and refuses what it does not know), and every response that no
   * transaction of the stack (REGISTER) owns. Returns the transports for the endpoint to send on.
   *
   * @example const endpoint = new CallEndpoint({ transport: stack.attachCalls((m) => endpoint.receive(m)), ... });
   */
  attachCalls(receive: (inbound: InboundMessage) => void): TransportLayer {
    this.calls = receive;
    return this.transports;
  }

  /** Our address on a transport, for Contact. */
  local(protocol: TransportProtocol): LocalEndpoint {
    return this.transports.local(protocol);
  }

  /** Send a non-INVITE request in a new client transaction; resolves with the final response. */
  request(request: SipRequest, target: SipTarget): Promise<SipResponse> {
    if (this.stopped) return Promise.reject(stoppedError());
    const branch = BRANCH_COOKIE + randomToken(16);
    request.headers.append('Via', this.via(target, branch), true);
    if (!request.headers.has('Max-Forwards')) request.headers.append('Max-Forwards', '70');
    if (!request.headers.has('User-Agent')) request.headers.append('User-Agent', this.userAgent);
    return this.begin(branch, serializeMessage(request), target);
  }

  /**
   * `request()` for a request given as text, for the REGISTER path, which sends two requests per registration
   * and builds them from a few cached strings instead of a SipHeaders each: `startLine` without its CRLF,
   * `headerLines` the header lines after the top Via (each ending in CRLF; no Max-Forwards, User-Agent or
   * Content-Length). No body. The bytes sent are those `request()` would send for the same headers.
   *
   * @example stack.requestText('REGISTER sip:pbx.example.com SIP/2.0', 'From: <sip:1001@pbx.example.com>;tag=x\r\n...', target)
   */
  requestText(startLine: string, headerLines: string, target: SipTarget): Promise<SipResponse> {
    if (this.stopped) return Promise.reject(stoppedError());
    const branch = BRANCH_COOKIE + randomToken(16);
    const text =
      `${startLine}\r\nVia: ${this.via(target, branch)}\r\n${headerLines}` +
      `Max-Forwards: 70\r\nUser-Agent: ${this.userAgent}\r\nContent-Length: 0\r\n\r\n`;
    return this.begin(branch, Buffer.from(text, 'utf8'), target);
  }

  private via(target: SipTarget, branch: string): string {
    const local = this.local(target.protocol);
    return `SIP/2.0/${viaTransport(target.protocol)} ${local.host}:${local.port};branch=${branch};rport`;
  }

  private begin(branch: string, bytes: Buffer, target: SipTarget): Promise<SipResponse> {
    return new Promise((resolve, reject) => {
      const exchange = new RequestExchange(this, branch, target, bytes, resolve, reject);
      const transaction = new ClientTransaction(target.protocol !== 'udp', this.timers, exchange);
      this.clients.set(branch, transaction);
      transaction.start();
    });
  }

  /** Puts a request's bytes on the wire (first send or retransmission), counting which. */
  sendRequest(target: SipTarget, bytes: Buffer, first: boolean): Promise<void> {
    if (first) this.counters.requestsSent++;
    else this.counters.retransmissions++;
    return this.transports.send(target, bytes);
  }

  /** A client transaction is over: forget it, and absorb retransmitted finals for `absorbForMs` (Timer K). */
  transactionEnded(branch: string, absorbForMs: number): void {
    this.clients.delete(branch);
    if (absorbForMs > 0) this.absorb(branch, absorbForMs);
  }

  /** Client transactions in flight. */
  get clientTransactionCount(): number {
    return this.clients.size;
  }

  /** The transport layer's connection figures, for metrics (inbound held, targets down, stream counters). */
  get connections(): Pick<TransportLayer, 'inboundConnectionCount' | 'targetsDown' | 'streamStats'> {
    return this.transports;
  }

  /** Connections PBXs opened to us, held now. */
  get inboundConnectionCount(): number {
    return this.transports.inboundConnectionCount;
  }

  /** Completed transactions still absorbing retransmitted finals (Timer K). */
  get absorbingCount(): number {
    return this.completed.size;
  }

  /** Timer K for many transactions with one timer: a sweep every T4/4 drops expired entries (Map order = age). */
  private absorb(branch: string, forMs: number): void {
    this.completed.set(branch, Date.now() + forMs);
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(
      () => {
        const now = Date.now();
        for (const [key, until] of this.completed) {
          if (until > now) break;
          this.completed.delete(key);
        }
        if (this.completed.size === 0) {
          clearInterval(this.sweepTimer);
          this.sweepTimer = undefined;
        }
      },
      Math.max(50, this.timers.t4 / 4),
    );
    this.sweepTimer.unref();
  }

  /** Stop: abort transactions, close sockets. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const transaction of [...this.clients.values()]) transaction.abort();
    this.servers.clear();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.completed.clear();
    await this.transports.close();
  }

  private dispatch({ message, source }: InboundMessage): void {
    if (this.stopped) return;
    if (message.kind === 'request') {
      this.counters.requestsReceived++;
      if (this.calls) this.calls({ message, source });
      else this.servers.receive(message, source);
      return;
    }
    this.counters.responsesReceived++;
    const branch = topBranch(message.headers.first('Via'));
    const transaction = branch === undefined ? undefined : this.clients.get(branch);
    if (!transaction && branch !== undefined && this.completed.has(branch)) return; // Timer K: absorbed
    if (!transaction || parseCSeq(message.headers.get('CSeq'))?.method === 'INVITE') {
      if (this.calls) return this.calls({ message, source });
      this.counters.strayResponses++;
      return;
    }
    transaction.receive(message);
  }
}

/**
 * The hooks of one client transaction, as an object rather than three closures per request: the REGISTER path
 * makes two requests per registration, and closures there showed in its profile (with their names set at run
 * time by the TypeScript loader).
 */
class RequestExchange implements ClientTransactionHooks {
  private first = true;

  constructor(
    private readonly stack: SipStack,
    private readonly branch: string,
    private readonly target: SipTarget,
    private readonly bytes: Buffer,
    private readonly resolve: (response: SipResponse) => void,
    private readonly reject: (error: SipError) => void,
  ) {}

  transmit(): Promise<void> {
    const first = this.first;
    this.first = false;
    return this.stack.sendRequest(this.target, this.bytes, first);
  }

  settle(outcome: { response: SipResponse } | { error: SipError }): void {
    if ('response' in outcome) return this.resolve(outcome.response);
    if (outcome.error.code === 'sip_transaction_timeout') this.stack.counters.timeouts++;
    else if (outcome.error.code === 'sip_transport_failed') this.stack.counters.transportErrors++;
    this.reject(outcome.error);
  }

  terminated(absorbForMs: number): void {
    this.stack.transactionEnded(this.branch, absorbForMs);
  }
}

function stoppedError(): SipError {
  return new SipError('sip_stack_stopped', 'The SIP stack is stopped.');
}

const BRANCH_PARAM = /;\s*branch\s*=\s*([^;\s]+)/i;

/**
 * The branch of the top Via, read straight from its text: matching a response to its transaction is done for
 * every response, and the message parser has already checked that this Via is well formed.
 */
function topBranch(via: string | undefined): string | undefined {
  if (via === undefined) return undefined;
  const fast = BRANCH_PARAM.exec(via)?.[1];
  return fast ?? parseVia(via).params.get('branch');
}
