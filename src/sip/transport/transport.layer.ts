import { isIPv6 } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { ParseLimits } from '../message/message.parser.js';
import type { SipError } from '../sip.error.js';
import { DEFAULT_INBOUND_LIMITS, type InboundLimits } from './inbound.guard.js';
import { StreamTransport, type StreamStats } from './stream.transport.js';
import { DEFAULT_PROBE, type ProbeOptions } from './target.health.js';
import type {
  InboundMessage,
  LocalEndpoint,
  SipSource,
  SipTarget,
  TransportProtocol,
} from './transport.types.js';
import { UdpTransport } from './udp.transport.js';

/** Where and how the stack listens. The only place in Callbridge that opens SIP sockets. */
export interface TransportLayerOptions {
  /** Local IP to bind, e.g. 127.0.0.1 or 0.0.0.0. */
  host: string;
  /** Host written in Via and Contact when it differs from the bind address (e.g. a public IP or FQDN). */
  advertisedHost?: string;
  /** UDP port; 0 (default) picks a free one. */
  udpPort?: number;
  /** TCP listen port for requests the PBX opens connections for; 0 (default) picks one. */
  tcpPort?: number;
  /** TLS listen port; listening needs `tls.cert` and `tls.key`. */
  tlsPort?: number;
  tls?: SecureContextOptions & { rejectUnauthorized?: boolean };
  /** CRLF keep-alive interval on idle TCP/TLS connections (RFC 5626); default 60 s, 0 = off. */
  keepAliveIntervalMs?: number;
  receiveBufferBytes?: number;
  limits?: ParseLimits;
  /** Caps and idle timeout of TCP/TLS connections PBXs open to us (defaults: DEFAULT_INBOUND_LIMITS). */
  inboundTcp?: Partial<InboundLimits>;
  /** Backoff of connection probes to a TCP/TLS target that does not answer (defaults: DEFAULT_PROBE). */
  probe?: Partial<ProbeOptions>;
}

/** What the transport layer reports upward. */
export interface TransportHandlers {
  onMessage: (inbound: InboundMessage) => void;
  onDiscard?: (error: SipError, address: string) => void;
  onFlowClosed?: (flow: string) => void;
  onTargetUp?: (flow: string) => void;
}

/**
 * UDP, TCP and TLS behind one `send`: messages to a target go over its transport, replies to a request go back
 * the way it came (the same connection for streams, the source address and port for UDP, as with rport).
 *
 * @example const transports = await TransportLayer.open({ host: '127.0.0.1' }, { onMessage });
 */
export class TransportLayer {
  private constructor(
    private readonly udp: UdpTransport,
    private readonly tcp: StreamTransport,
    private readonly tlsTransport: StreamTransport,
    private readonly advertisedHost: string,
  ) {}

  /** Bind every transport. */
  static async open(options: TransportLayerOptions, handlers: TransportHandlers): Promise<TransportLayer> {
    const common = {
      host: options.host,
      keepAliveIntervalMs: options.keepAliveIntervalMs ?? 60_000,
      limits: options.limits,
      onMessage: handlers.onMessage,
      onDiscard: handlers.onDiscard,
      onFlowClosed: handlers.onFlowClosed,
      onTargetUp: handlers.onTargetUp,
      inbound: { ...DEFAULT_INBOUND_LIMITS, ...options.inboundTcp },
      probe: { ...DEFAULT_PROBE, ...options.probe },
    };
    const udp = await UdpTransport.open({
      host: options.host,
      port: options.udpPort ?? 0,
      receiveBufferBytes: options.receiveBufferBytes ?? 4 * 1024 * 1024,
      limits: options.limits,
      onMessage: handlers.onMessage,
      onDiscard: handlers.onDiscard,
    });
    const tcp = new StreamTransport({ ...common, protocol: 'tcp', listenPort: options.tcpPort ?? 0 });
    const tls = new StreamTransport({
      ...common,
      protocol: 'tls',
      listenPort: options.tlsPort,
      tls: options.tls,
    });
    try {
      await tcp.open();
      await tls.open();
    } catch (error) {
      // A port taken for TCP or TLS: release what is already bound, so the caller can retry or exit cleanly.
      await Promise.all([udp.close(), tcp.close(), tls.close()]);
      throw error;
    }
    const bound = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
    const advertised = options.advertisedHost ?? bound;
    // An IPv6 address in Via and Contact goes in brackets (RFC 3261 section 25.1, IPv6reference).
    return new TransportLayer(udp, tcp, tls, isIPv6(advertised) ? `[${advertised}]` : advertised);
  }

  /** Our address on a transport, for Via sent-by and Contact. */
  local(protocol: TransportProtocol): LocalEndpoint {
    const port =
      protocol === 'udp'
        ? this.udp.port
        : protocol === 'tcp'
          ? this.tcp.port
          : this.tlsTransport.port || 5061;
    return { protocol, host: this.advertisedHost, port };
  }

  /** Send to a target; rejects with `sip_transport_failed` (connection refused, reset, timed out). */
  send(target: SipTarget, data: Buffer): Promise<void> {
    switch (target.protocol) {
      case 'udp':
        return this.udp.send(target, data);
      case 'tcp':
        return this.tcp.send(target, data);
      case 'tls':
        return this.tlsTransport.send(target, data);
    }
  }

  /** Send a response back to where its request came from. */
  async reply(source: SipSource, data: Buffer): Promise<void> {
    if (source.protocol !== 'udp' && source.flow !== undefined) {
      const stream = source.protocol === 'tcp' ? this.tcp : this.tlsTransport;
      if (await stream.sendOnFlow(source.flow, data)) return;
    }
    await this.send({ protocol: source.protocol, address: source.address, port: source.port }, data);
  }

  /** Open stream connections, for metrics. */
  get connectionCount(): number {
    return this.tcp.connectionCount + this.tlsTransport.connectionCount;
  }

  /** Connections PBXs opened to us (TCP and TLS), held now. */
  get inboundConnectionCount(): number {
    return this.tcp.inboundCount + this.tlsTransport.inboundCount;
  }

  /** TCP/TLS targets that do not answer now. */
  get targetsDown(): number {
    return this.tcp.targetsDown + this.tlsTransport.targetsDown;
  }

  /** Stream counters of TCP and TLS together. */
  get streamStats(): StreamStats {
    const a = this.tcp.stats;
    const b = this.tlsTransport.stats;
    return {
      refused: a.refused + b.refused,
      idleClosed: a.idleClosed + b.idleClosed,
      connectAttempts: a.connectAttempts + b.connectAttempts,
    };
  }

  /** Close every socket. */
  async close(): Promise<void> {
    await Promise.all([this.udp.close(), this.tcp.close(), this.tlsTransport.close()]);
  }
}
