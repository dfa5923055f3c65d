import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { CallEndpoint } from '../sip/dialog/call.endpoint.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import { serializeMessage } from '../sip/message/message.serializer.js';
import { SipHeaders } from '../sip/message/sip-headers.js';
import { randomToken, type SipRequest } from '../sip/message/sip-message.js';
import { parseNameAddr, parseSipUri } from '../sip/message/sip-uri.js';
import type { TimerSettings } from '../sip/transaction/timer-settings.js';
import { TlsTransport } from '../sip/transport/tls.transport.js';
import type { InboundMessage, SipTarget } from '../sip/transport/transport.types.js';
import type { EdgeSettings, TeamsProxy } from './edge.config.js';
import { CustomerOptions } from './customer-options.js';
import { ProxyHealthBook } from './proxy-health.js';
import { ownerNumbers } from './call-owner.lookup.js';
import { callTeamsWithFailover, type TeamsCallRequest, type TeamsCallResult } from './teams-failover.js';
import { callTeamsFederated, type FederatedCallRequest } from './teams-federation.js';

/** Who a call from Teams is for: found by the Request-URI host (account, service) and number (user). */
export type EdgeRouteLookup =
  | { kind: 'found'; accountId: string; serviceId: string; userId: string }
  | { kind: 'unknown-host' }
  | { kind: 'unknown-number' };

/** A call's account, service and user, as the carrier model found them. */
export type FoundRoute = Extract<EdgeRouteLookup, { kind: 'found' }>;

/** A change of one proxy's health. */
export interface ProxyHealthEvent {
  proxy: string;
  healthy: boolean;
  lastStatus: number | undefined;
  lastError: string | undefined;
  at: string;
}

/** Options of the Teams edge. */
export interface TeamsEdgeOptions {
  settings: EdgeSettings;
  /** The carrier model's lookup: customer subdomain and +E.164 number to Callbridge's account, service and user. */
  route: (host: string, number: string) => Promise<EdgeRouteLookup>;
  /**
   * A call from Teams by a known user (the caller); without a B2BUA the default answers 480. An INVITE with
   * Replaces (RFC 3891) arrives here too, with `call.replaces` set to the dialog it replaces and the route of the
   * replaced call: accept it, end the old dialog, swap the legs.
   */
  onCall?: (call: IncomingCall, route: Extract<EdgeRouteLookup, { kind: 'found' }>) => void;
  /** A request refused (source outside Microsoft's ranges, unknown host or number), for the audit and alerts. */
  onRefused?: (event: {
    reason: 'source' | 'unknown-host' | 'unknown-number';
    address: string;
    detail: string;
  }) => void;
  /**
   * A proxy turned healthy or unhealthy (after an OPTIONS or a failed call): the event the alerts of "Calls 3"
   * use. Called once per change, not per OPTIONS.
   */
  onHealthChanged?: (event: ProxyHealthEvent) => void;
  /** Where a proxy is; default DNS (tests map the proxies to emulators on loopback). */
  resolveProxy?: (proxy: TeamsProxy) => Promise<SipTarget>;
  /** SIP timer base values (tests shrink them; defaults RFC 3261's). */
  timers?: Partial<TimerSettings>;
  /**
   * The customers' subdomains Microsoft knows (verified in their tenants), for per-customer OPTIONS when
   * `settings.customerOptions` is on (CALLS.md: the carrier model's derived trunks, each FQDN pinging itself).
   */
  customerFqdns?: () => Promise<string[]>;
}

/**
 * The Direct Routing edge (issue 16): mutual TLS toward Microsoft's proxies, OPTIONS every minute from the base
 * FQDN to each with Contact and X-MS-SBC, Microsoft's OPTIONS answered 200, per-proxy health, the carrier model on
 * the wire (Contact and From of the customer's subdomain), calls from Teams routed by Request-URI host and number
 * (404 when unknown), requests from outside Microsoft's signalling ranges refused (403), failover on 503 / timeout.
 *
 * @example const edge = await TeamsEdge.start({ settings, route }); await edge.callTeams({ customerFqdn, from, to, sdp });
 */
export class TeamsEdge {
  readonly health: ProxyHealthBook;
  /** Per-customer OPTIONS (off unless `settings.customerOptions`): each subdomain's own health per proxy. */
  readonly customers: CustomerOptions;
  readonly endpoint: CallEndpoint;
  readonly counters = {
    refusedSource: 0,
    unknownHost: 0,
    unknownNumber: 0,
    optionsAnswered: 0,
    failovers: 0,
  };
  private pinger: NodeJS.Timeout | undefined;
  /** Routes of calls up (by Call-ID), so an INVITE with Replaces from Teams finds the replaced call's user. */
  private readonly routed = new Map<string, FoundRoute>();

  private constructor(
    readonly options: TeamsEdgeOptions,
    readonly transport: TlsTransport,
    box: { edge?: TeamsEdge },
  ) {
    const settings = options.settings;
    this.health = new ProxyHealthBook(settings.proxies.map((p) => p.host));
    this.customers = new CustomerOptions(this);
    this.endpoint = new CallEndpoint({
      transport,
      userAgent: settings.sbcHeader,
      timers: options.timers,
      extraHeaders: { 'X-MS-SBC': settings.sbcHeader },
      contact: (_protocol, request) => `sip:${this.fqdnFor(request)}:${this.port};transport=tls`,
      acceptReplaces: true, // Teams replaces calls (call queues): CALLS.md "Accept INVITE with Replaces"
      onInvite: (call) => void this.receiveInvite(call),
      onDialogEnded: (dialog) => this.routed.delete(dialog.callId),
      onRequest: (request) => {
        if (request.method === 'OPTIONS') this.counters.optionsAnswered++;
        return undefined; // OPTIONS: the endpoint's 200 with Allow (and X-MS-SBC)
      },
    });
    box.edge = this;
  }

  /** Listen on the signalling port and start the OPTIONS keep-alive. */
  static async start(options: TeamsEdgeOptions): Promise<TeamsEdge> {
    const box: { edge?: TeamsEdge } = {};
    const s = options.settings;
    const transport = await TlsTransport.open({
      host: s.host,
      listenPort: s.signallingPort,
      advertisedHost: s.baseDomain,
      certFile: s.certFile,
      keyFile: s.keyFile,
      caFile: s.caFile,
      onMessage: (inbound) => box.edge?.receive(inbound),
    });
    const edge = new TeamsEdge(options, transport, box);
    if (s.optionsIntervalMs > 0) {
      void edge.pingAll();
      edge.pinger = setInterval(() => void edge.pingAll(), s.optionsIntervalMs);
      edge.pinger.unref();
    }
    return edge;
  }

  /** The signalling port we listen on (the configured one, or the one picked for 0). */
  get port(): number {
    return this.transport.local().port;
  }

  /** Our certificate, with days left. */
  get certificate() {
    return this.transport.certificate;
  }

  /** Send OPTIONS from the base FQDN to every proxy (then, when on, from each customer's subdomain). */
  async pingAll(): Promise<void> {
    await Promise.all(this.options.settings.proxies.map((proxy) => this.ping(proxy)));
    await this.customers.pingAll();
  }

  /** Call a Teams user for a customer, failing over sip -> sip2 -> sip3 on 503 or silence; 603 is final. */
  callTeams(request: TeamsCallRequest): Promise<TeamsCallResult> {
    return callTeamsWithFailover(this, request);
  }

  /** Call a Teams user's SIP address through external access, from the Phone App domain (issue 20). */
  callFederated(request: FederatedCallRequest): Promise<TeamsCallResult> {
    return callTeamsFederated(this, request);
  }

  /** Where a proxy is (DNS unless overridden), with its name for SNI and the certificate check. */
  async targetOf(proxy: TeamsProxy): Promise<SipTarget> {
    if (this.options.resolveProxy) return this.options.resolveProxy(proxy);
    const { address } = await lookup(proxy.host);
    return { protocol: 'tls', address, port: proxy.port, serverName: proxy.host };
  }

  /** Stop the keep-alive, the transactions and the listener. */
  async stop(): Promise<void> {
    if (this.pinger) clearInterval(this.pinger);
    this.endpoint.stop();
    await this.transport.close();
  }

  private async ping(proxy: TeamsProxy): Promise<void> {
    const wasHealthy = this.health.isHealthy(proxy.host);
    await this.pingFrom(proxy, this.options.settings.baseDomain, this.health);
    this.notifyIfChanged(proxy.host, wasHealthy);
  }

  /** One OPTIONS from `fqdn` (From and Contact without user part) to a proxy, its answer kept in `book`. */
  async pingFrom(proxy: TeamsProxy, fqdn: string, book: ProxyHealthBook): Promise<void> {
    const uri = `sip:${proxy.host}:${proxy.port};transport=tls`;
    const headers = new SipHeaders()
      .append('From', `<sip:${fqdn}:${this.port};transport=tls>;tag=${randomToken(12)}`)
      .append('To', `<sip:${proxy.host}>`)
      .append('Call-ID', randomToken(24))
      .append('CSeq', '1 OPTIONS')
      .append('Contact', `<sip:${fqdn}:${this.port};transport=tls>`);
    const request: SipRequest = { kind: 'request', method: 'OPTIONS', uri, headers, body: Buffer.alloc(0) };
    const started = performance.now();
    try {
      const response = await this.endpoint.request(request, { target: await this.targetOf(proxy) });
      const warning = response.headers.get('Warning');
      book.answered(proxy.host, response.status, performance.now() - started, warning ?? response.reason);
    } catch (error) {
      book.failed(proxy.host, 0, error instanceof Error ? error.message : String(error));
    }
  }

  /** Tell `onHealthChanged` when a proxy's health flipped since `wasHealthy`. */
  notifyIfChanged(proxy: string, wasHealthy: boolean): void {
    const healthy = this.health.isHealthy(proxy);
    if (healthy === wasHealthy || !this.options.onHealthChanged) return;
    const state = this.health.list().find((p) => p.proxy === proxy);
    this.options.onHealthChanged({
      proxy,
      healthy,
      lastStatus: state?.lastStatus,
      lastError: state?.lastError,
      at: new Date().toISOString(),
    });
  }

  /** The FQDN we present for a request: the customer's subdomain it concerns, else the base domain. */
  private fqdnFor(request: SipRequest | undefined): string {
    const base = this.options.settings.baseDomain;
    if (!request) return base;
    const federation = this.options.settings.federation?.domain;
    // P-Asserted-Identity: a hidden caller's From is anonymous@anonymous.invalid, the customer's name is there.
    const hosts = [request.headers.get('From'), request.headers.first('P-Asserted-Identity')].map(
      nameAddrHost,
    );
    for (const host of [uriHost(request.uri), ...hosts]) {
      if (host && (host === base || host.endsWith(`.${base}`) || host === federation)) return host;
    }
    return base;
  }

  private receive(inbound: InboundMessage): void {
    const { message, source } = inbound;
    if (message.kind === 'request' && !this.options.settings.ranges.allows(source.address)) {
      if (message.method === 'ACK') return; // the ACK of our own 403
      this.counters.refusedSource++;
      this.options.onRefused?.({
        reason: 'source',
        address: source.address,
        detail: `${message.method} ${message.uri}`,
      });
      const refusal = this.endpoint.respond(
        message,
        403,
        {},
        undefined,
        'Forbidden: not a Microsoft signalling address',
      );
      this.endpoint.replyBytes(source, serializeMessage(refusal));
      return;
    }
    this.endpoint.receive(inbound);
  }

  /**
   * Remember who a call is for (calls from Teams are remembered as they are routed; a call toward Teams when its
   * request names its route), for an INVITE with Replaces that names it. Bounded: the oldest go past 10,000.
   */
  rememberRoute(callId: string, route: FoundRoute): void {
    this.routed.delete(callId);
    this.routed.set(callId, route);
    if (this.routed.size > 10_000) this.routed.delete(this.routed.keys().next().value!);
  }

  private async receiveInvite(call: IncomingCall): Promise<void> {
    const host = uriHost(call.request.uri) ?? '';
    // The Callbridge user of a call from Teams is the caller (CALLS.md), or on a forwarded or simultaneously rung
    // call the Teams user whose rule fired (`ownerNumbers`). The Request-URI's number is what was dialled (an
    // extension or an outside number), for the PBX to route.
    const numbers = ownerNumbers(call.request);
    // Teams replacing a call (call queues, RFC 3891) sends to our Contact: the replaced call's route says whose it is.
    const replaced = call.replaces ? this.routed.get(call.replaces.callId) : undefined;
    const route = replaced ?? (await this.firstRoute(host, numbers));
    if (route.kind !== 'found') {
      if (route.kind === 'unknown-host') this.counters.unknownHost++;
      else this.counters.unknownNumber++;
      this.options.onRefused?.({
        reason: route.kind,
        address: call.source.address,
        detail: `${numbers.join(',')}@${host}`,
      });
      return call.reject(404);
    }
    this.rememberRoute(call.request.headers.get('Call-ID') ?? '', route);
    if (this.options.onCall) this.options.onCall(call, route);
    else call.reject(480, { 'Retry-After': '300' });
  }

  /** The route of the first number a user of the host's service has; an unknown host ends the search. */
  private async firstRoute(host: string, numbers: string[]): Promise<EdgeRouteLookup> {
    for (const number of numbers) {
      const route = await this.options.route(host, number);
      if (route.kind !== 'unknown-number') return route;
    }
    return { kind: 'unknown-number' };
  }
}

function uriHost(uri: string): string | undefined {
  try {
    return parseSipUri(uri).host;
  } catch {
    return undefined;
  }
}

function nameAddrHost(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNameAddr(value).uri.host;
  } catch {
    return undefined;
  }
}
