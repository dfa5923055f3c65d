import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { serializeMessage } from '../message/message.serializer.js';
import { createResponse } from '../message/response.factory.js';
import { parseCSeq, randomToken, type SipRequest, type SipResponse } from '../message/sip-message.js';
import type { SipUri } from '../message/sip-uri.js';
import { BRANCH_COOKIE, parseVia } from '../message/via.js';
import { SipError } from '../sip.error.js';
import { ClientTransaction } from '../transaction/client.transaction.js';
import { ServerTransactions, transactionKey } from '../transaction/server.transactions.js';
import { DEFAULT_TIMERS, type TimerSettings } from '../transaction/timer-settings.js';
import {
  defaultPort,
  viaTransport,
  type InboundMessage,
  type SipSource,
  type SipTarget,
  type TransportProtocol,
} from '../transport/transport.types.js';
import { dialogKey, nextHopUri, tagOf, type Dialog } from './dialog.js';
import { DialogTable } from './dialog.table.js';
import type { CallEndpointOptions, Hop } from './endpoint.types.js';
import { IncomingCall } from './incoming-call.js';
import { OutgoingCall } from './outgoing-call.js';
import { findReplaced } from './replaces.js';

/** Default Allow: what Microsoft's proxy accepts too (CALLS.md). */
export const CALL_METHODS = 'INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY';

/** Requests above this size leave on TCP instead of UDP (RFC 3261 section 18.1.1: MTU minus 200 bytes). */
export const UDP_SIZE_LIMIT = 1300;

/**
 * The user-agent core for calls (RFC 3261 sections 8, 12-15): INVITE client and server transactions, dialogs
 * (early dialogs per forked To-tag, route sets), ACK for 2xx end to end, CANCEL, re-INVITE with 491 glare, BYE,
 * 481 for unknown dialogs, session timers, over any transport that fits `EndpointTransport`.
 *
 * @example
 * const endpoint = new CallEndpoint({ transport: tls, contact: () => 'sip:sbc.example.com:5061;transport=tls' });
 * tls.onMessage = (inbound) => endpoint.receive(inbound);
 * const call = endpoint.invite(invite, { target }); const outcome = await call.outcome;
 */
export class CallEndpoint {
  readonly timers: TimerSettings;
  readonly dialogs: DialogTable;
  readonly counters = { requestsSent: 0, responsesReceived: 0, requestsReceived: 0, strayResponses: 0 };
  private readonly nonInviteClients = new Map<string, ClientTransaction>();
  private readonly inviteClients = new Map<string, OutgoingCall>();
  private readonly inviteServers = new Map<string, IncomingCall>();
  private readonly servers: ServerTransactions;
  private stopped = false;

  constructor(readonly options: CallEndpointOptions) {
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.dialogs = new DialogTable(this);
    this.servers = new ServerTransactions(
      this.timers,
      (source, bytes) => this.replyBytes(source, bytes),
      (request, source) => this.answerNonInvite(request, source),
    );
  }

  /** Feed every message the transport receives. */
  receive({ message, source }: InboundMessage): void {
    if (this.stopped) return;
    this.options.capture?.('in', message);
    if (message.kind === 'response') return this.receiveResponse(message);
    this.counters.requestsReceived++;
    if (message.method === 'INVITE') return this.receiveInvite(message, source);
    if (message.method === 'ACK') return this.receiveAck(message);
    if (message.method === 'CANCEL') return this.receiveCancel(message, source);
    this.servers.receive(message, source);
  }

  /** Send an INVITE outside a dialog; the call reports provisional responses and its outcome. */
  invite(request: SipRequest, hop: Hop): OutgoingCall {
    const call = new OutgoingCall(this, request, hop);
    call.start();
    return call;
  }

  /**
   * Send a non-INVITE request in a new client transaction; resolves with its final response. `branch` is given
   * only for CANCEL, which shares its INVITE's branch (RFC 3261 section 9.1).
   */
  request(request: SipRequest, hop: Hop, branch?: string): Promise<SipResponse> {
    if (this.stopped) return Promise.reject(stoppedError());
    const prepared = this.prepare(request, hop, branch);
    const via = prepared.hop;
    const bytes = prepared.bytes;
    return new Promise((resolve, reject) => {
      const transaction = new ClientTransaction(via.target.protocol !== 'udp', this.timers, {
        transmit: () => this.transmit(via, bytes),
        settle: (outcome) => ('response' in outcome ? resolve(outcome.response) : reject(outcome.error)),
        terminated: () => this.nonInviteClients.delete(prepared.branch),
      });
      this.nonInviteClients.set(prepared.branch, transaction);
      transaction.start();
    });
  }

  /**
   * Add the top Via (new branch, rport), Max-Forwards, User-Agent and the extra headers, and pick the transport:
   * a request over the UDP size limit goes over TCP instead (RFC 3261 section 18.1.1).
   */
  prepare(request: SipRequest, hop: Hop, branch = BRANCH_COOKIE + randomToken(16)): PreparedRequest {
    let chosen = hop;
    if (!request.headers.has('Max-Forwards')) request.headers.append('Max-Forwards', '70');
    if (!request.headers.has('User-Agent') && this.options.userAgent)
      request.headers.append('User-Agent', this.options.userAgent);
    for (const [name, value] of Object.entries(this.options.extraHeaders ?? {}))
      if (!request.headers.has(name)) request.headers.append(name, value);
    let bytes = this.withVia(request, protocolOf(chosen), branch);
    if (protocolOf(chosen) === 'udp' && bytes.length > UDP_SIZE_LIMIT) {
      request.headers.delete('Via');
      chosen = { target: { ...hop.target, protocol: 'tcp' } };
      bytes = this.withVia(request, 'tcp', branch);
    }
    return { branch, bytes, hop: chosen };
  }

  /** Put prepared bytes on the wire: over the hop's flow when it is still open, else to its target. */
  transmit(hop: Hop, bytes: Buffer): Promise<void> {
    this.counters.requestsSent++;
    this.options.capture?.('out', bytes);
    if (hop.flow) return this.options.transport.reply(hop.flow, bytes);
    return this.options.transport.send(hop.target, bytes);
  }

  /**
   * A response of ours with Server and the extra headers; `toTag` keeps one To-tag across every response of a
   * call (createResponse would pick a new one each time).
   */
  respond(
    request: SipRequest,
    status: number,
    headers: Record<string, string> = {},
    toTag?: string,
    reason?: string,
  ): SipResponse {
    const response = createResponse(request, status, {}, reason);
    const to = request.headers.get('To') ?? '';
    if (toTag !== undefined && status !== 100 && tagOf(to) === undefined)
      response.headers.set('To', `${to};tag=${toTag}`);
    // RFC 3261 12.1.1: a response that establishes a dialog copies the request's Record-Route, so proxies that
    // record-routed (a carrier's Kamailio) stay in the dialog's path for both sides.
    if (request.method === 'INVITE' && status > 100 && status < 300)
      for (const value of request.headers.getAll('Record-Route'))
        response.headers.append('Record-Route', value);
    this.decorate(response, headers);
    return response;
  }

  /** Add Server, the extra headers and `headers` to a response we built. */
  decorate(response: SipResponse, headers: Record<string, string> = {}): SipResponse {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    if (this.options.userAgent && !response.headers.has('Server'))
      response.headers.append('Server', this.options.userAgent);
    for (const [name, value] of Object.entries(this.options.extraHeaders ?? {}))
      if (!response.headers.has(name)) response.headers.append(name, value);
    return response;
  }

  /** Send response bytes back to a source (errors are counted by the transport, a lost reply is retried). */
  replyBytes(source: SipSource, bytes: Buffer): void {
    this.options.capture?.('out', bytes);
    this.options.transport.reply(source, bytes).catch(() => undefined);
  }

  /** Where a request with this Request-URI / Route goes, reusing the dialog's flow when there is one. */
  async hopFor(request: SipRequest, dialog?: Dialog): Promise<Hop> {
    // The dialog's connection first: Microsoft's Contact names (api-….pstnhub.microsoft.com:443) are not for
    // opening connections to, and no DNS lookup is needed while the connection lives.
    const flow = dialog?.flow;
    if (flow) return { target: { protocol: flow.protocol, address: flow.address, port: flow.port }, flow };
    return { target: await (this.options.resolve ?? resolveLiteral)(nextHopUri(request)) };
  }

  /** Our Contact header value for a transport. */
  contactHeader(protocol: TransportProtocol, request?: SipRequest): string {
    return `<${this.options.contact(protocol, request)}>`;
  }

  /** Allow header value. */
  get allow(): string {
    return this.options.allow ?? CALL_METHODS;
  }

  /** Forget an INVITE client or server transaction's call. */
  forgetInvite(kind: 'client' | 'server', key: string): void {
    if (kind === 'client') this.inviteClients.delete(key);
    else this.inviteServers.delete(key);
  }

  /** Calls we placed whose INVITE transaction is still running (for Replaces of an early dialog). */
  outgoingCalls(): IterableIterator<OutgoingCall> {
    return this.inviteClients.values();
  }

  /** Remember an INVITE client transaction's call by branch, for response matching. */
  trackInvite(branch: string, call: OutgoingCall): void {
    this.inviteClients.set(branch, call);
  }

  /** Transactions and dialogs held, for tests and metrics. */
  get sizes(): { inviteClients: number; inviteServers: number; nonInvite: number; dialogs: number } {
    return {
      inviteClients: this.inviteClients.size,
      inviteServers: this.inviteServers.size,
      nonInvite: this.nonInviteClients.size + this.servers.size,
      dialogs: this.dialogs.size,
    };
  }

  /** Abort every transaction and forget every dialog (no BYEs: the process is going away). */
  stop(): void {
    this.stopped = true;
    for (const tx of [...this.nonInviteClients.values()]) tx.abort();
    for (const call of [...this.inviteClients.values()]) call.abort();
    for (const call of [...this.inviteServers.values()]) call.abort();
    this.servers.clear();
    this.dialogs.clear();
  }

  private withVia(request: SipRequest, protocol: TransportProtocol, branch: string): Buffer {
    const local = this.options.transport.local(protocol);
    request.headers.delete('Via');
    request.headers.append(
      'Via',
      `SIP/2.0/${viaTransport(protocol)} ${local.host}:${local.port};branch=${branch};rport`,
      true,
    );
    return serializeMessage(request);
  }

  private receiveResponse(response: SipResponse): void {
    this.counters.responsesReceived++;
    const via = response.headers.first('Via');
    let branch: string | undefined;
    try {
      branch = via === undefined ? undefined : parseVia(via).params.get('branch');
    } catch {
      branch = undefined;
    }
    // CANCEL shares its INVITE's branch: the CSeq method tells the two transactions apart.
    const isInvite = parseCSeq(response.headers.get('CSeq'))?.method === 'INVITE';
    const nonInvite = branch === undefined || isInvite ? undefined : this.nonInviteClients.get(branch);
    if (nonInvite) return nonInvite.receive(response);
    const call = branch === undefined || !isInvite ? undefined : this.inviteClients.get(branch);
    if (call) return call.receive(response);
    // A 2xx retransmitted after Timer M: the dialog still answers it with its ACK (RFC 3261 13.2.2.4).
    if (isInvite && response.status < 300) {
      const local = tagOf(response.headers.get('From'));
      const remote = tagOf(response.headers.get('To'));
      const id = dialogKey(response.headers.get('Call-ID') ?? '', local ?? '', remote ?? '');
      if (this.dialogs.resendAck(id)) return;
    }
    this.counters.strayResponses++;
  }

  private receiveInvite(request: SipRequest, source: SipSource): void {
    const key = transactionKey(request, 'INVITE');
    const existing = this.inviteServers.get(key);
    if (existing) return existing.transaction.retransmitted();
    const call = new IncomingCall(this, request, source, key);
    this.inviteServers.set(key, call);
    if (tagOf(request.headers.get('To')) !== undefined) return this.dialogs.receiveReinvite(call);
    if (this.options.acceptReplaces && request.headers.has('Replaces')) {
      // RFC 3891: the new call names a dialog it replaces; none (or one we are still answering) gets 481.
      const match = findReplaced(this, request);
      if (match.kind === 'refused') return call.reject(match.status);
      call.replaces = match.dialog;
      call.replacesEarly = match.early;
    }
    if (this.options.onInvite) this.options.onInvite(call);
    else call.reject(480);
  }

  private receiveAck(request: SipRequest): void {
    const call = this.inviteServers.get(transactionKey(request, 'INVITE'));
    if (call && call.transaction.state === 'completed') return call.transaction.acknowledged();
    this.dialogs.receiveAck(request);
  }

  private receiveCancel(request: SipRequest, source: SipSource): void {
    const call = this.inviteServers.get(transactionKey(request, 'INVITE'));
    this.replyBytes(source, serializeMessage(this.respond(request, call ? 200 : 481)));
    call?.cancelled();
  }

  private answerNonInvite(request: SipRequest, source: SipSource): SipResponse {
    if (tagOf(request.headers.get('To')) !== undefined) return this.dialogs.receiveRequest(request, source);
    const answer = this.options.onRequest?.(request, source);
    if (answer) return this.decorate(answer);
    if (request.method === 'OPTIONS')
      return this.respond(request, 200, { Allow: this.allow, Accept: 'application/sdp' });
    return this.respond(request, 405, { Allow: this.allow });
  }
}

/** A prepared request: its branch, its bytes with Via, and the hop it leaves on. */
export interface PreparedRequest {
  branch: string;
  bytes: Buffer;
  hop: Hop;
}

function protocolOf(hop: Hop): TransportProtocol {
  return hop.flow?.protocol ?? hop.target.protocol;
}

function stoppedError(): SipError {
  return new SipError('sip_stack_stopped', 'The SIP endpoint is stopped.');
}

/** Default resolution: the URI's host (looked up when it is a name), port and transport (RFC 3263 lite). */
export async function resolveLiteral(uri: SipUri): Promise<SipTarget> {
  const param = uri.params.get('transport')?.toLowerCase();
  const protocol: TransportProtocol =
    uri.scheme === 'sips' || param === 'tls' ? 'tls' : param === 'tcp' ? 'tcp' : 'udp';
  const host = uri.host.replace(/^\[|\]$/g, '');
  const address = isIP(host) ? host : (await lookup(host)).address;
  return { protocol, address, port: uri.port ?? defaultPort(protocol), serverName: host };
}
