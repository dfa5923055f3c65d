import { connect as netConnect, createServer as netServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsServer, type SecureContextOptions } from 'node:tls';
import { isIP } from 'node:net';
import type { ParseLimits } from '../message/message.parser.js';
import { SipError } from '../sip.error.js';
import { StreamConnection } from './stream.connection.js';
import {
  DEFAULT_INBOUND_LIMITS,
  InboundGuard,
  type InboundLimits,
  type InboundStats,
} from './inbound.guard.js';
import { DEFAULT_PROBE, TargetHealth, type ProbeOptions } from './target.health.js';
import { flowKey, type InboundMessage, type SipTarget } from './transport.types.js';

/** Options of the TCP or TLS transport. */
export interface StreamTransportOptions {
  protocol: 'tcp' | 'tls';
  /** Local IP to listen on (and to advertise unless the stack says otherwise). */
  host: string;
  /** Port to listen on for requests the PBX sends us; 0 picks one; undefined: connect out only. */
  listenPort: number | undefined;
  /** TLS: certificate and key to listen with, CA to trust when connecting. */
  tls?: SecureContextOptions & { rejectUnauthorized?: boolean };
  /** Send a CRLFCRLF ping on connections idle this long (RFC 5626); 0 turns keep-alive off. */
  keepAliveIntervalMs: number;
  connectTimeoutMs?: number;
  limits?: ParseLimits;
  onMessage: (inbound: InboundMessage) => void;
  onDiscard?: (error: SipError, address: string) => void;
  /** A connection closed: registrations that used it should refresh over a new one. */
  onFlowClosed?: (flow: string) => void;
  /** A target that did not answer connects again (a probe succeeded): its registrations may go ahead. */
  onTargetUp?: (flow: string) => void;
  /** Caps and idle timeout of connections peers open to us. */
  inbound?: InboundLimits;
  /** Backoff of probes to a target that does not answer. */
  probe?: ProbeOptions;
}

/** Counters of a stream transport, read by the metrics. */
export interface StreamStats extends InboundStats {
  /** Outgoing connection attempts (first tries and probes). */
  connectAttempts: number;
}

/**
 * SIP over TCP or TLS: one connection per target, reused for every request to it and for requests the target
 * sends back; incoming connections are accepted when a listen port is set.
 */
export class StreamTransport {
  private readonly connections = new Map<string, StreamConnection>();
  private readonly connecting = new Map<string, Promise<StreamConnection>>();
  /** Connections peers opened to us: watched by the guard, never pinged by us (the peer keeps its flow alive). */
  private readonly inbound = new WeakSet<StreamConnection>();
  private readonly targets = new Map<string, SipTarget>();
  private readonly guard: InboundGuard;
  private readonly health: TargetHealth;
  private server: Server | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private connectAttempts = 0;
  /** Port we listen on, or 0 when we only connect out. */
  port = 0;

  constructor(private readonly options: StreamTransportOptions) {
    this.guard = new InboundGuard(options.inbound ?? DEFAULT_INBOUND_LIMITS);
    this.health = new TargetHealth(options.probe ?? DEFAULT_PROBE, (key) => this.probe(key));
  }

  /** Start listening (when configured) and the keep-alive timer. */
  async open(): Promise<void> {
    if (
      this.options.listenPort !== undefined &&
      (this.options.protocol === 'tcp' || this.options.tls?.cert)
    ) {
      const tls = this.options.protocol === 'tls';
      const server = tls ? tlsServer(this.options.tls ?? {}) : netServer();
      const accept = (socket: Socket) => {
        if (tls) this.guard.watchIdle(socket);
        const key = flowKey(this.options.protocol, socket.remoteAddress ?? '', socket.remotePort ?? 0);
        this.inbound.add(this.adopt(key, socket));
      };
      // The caps apply to raw connections (before a TLS handshake); the idle timer to the decrypted stream.
      server.on('connection', (socket: Socket) => {
        if (this.guard.admit(socket, !tls) && !tls) accept(socket);
      });
      if (tls) server.on('secureConnection', accept);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.listenPort, this.options.host, () => resolve());
      });
      const address = server.address();
      this.port = typeof address === 'object' && address ? address.port : 0;
      this.server = server;
    }
    if (this.options.keepAliveIntervalMs > 0) {
      this.keepAliveTimer = setInterval(
        () => this.keepAlive(),
        Math.max(250, this.options.keepAliveIntervalMs / 4),
      );
      this.keepAliveTimer.unref();
    }
  }

  /** Send bytes to a target over the existing connection, or a new one. */
  async send(target: SipTarget, data: Buffer): Promise<void> {
    const connection = await this.connectionTo(target);
    await connection.write(data);
  }

  /** Send bytes over a known flow (the connection a request came in on); false when it is gone. */
  async sendOnFlow(flow: string, data: Buffer): Promise<boolean> {
    const connection = this.connections.get(flow);
    if (!connection || connection.closed) return false;
    await connection.write(data);
    return true;
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Connections peers opened to us, held now. */
  get inboundCount(): number {
    return this.guard.count;
  }

  /** Targets that do not answer (probed with backoff). */
  get targetsDown(): number {
    return this.health.downCount;
  }

  /** Counters for the metrics. */
  get stats(): StreamStats {
    return { ...this.guard.stats, connectAttempts: this.connectAttempts };
  }

  /** Close the listener and every connection. */
  async close(): Promise<void> {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.health.clear();
    for (const connection of [...this.connections.values()]) connection.close();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connectionTo(target: SipTarget): Promise<StreamConnection> {
    const key = flowKey(this.options.protocol, target.address, target.port);
    const existing = this.connections.get(key);
    if (existing && !existing.closed) return Promise.resolve(existing);
    let pending = this.connecting.get(key);
    if (pending) return pending;
    const down = this.health.status(key);
    if (down) {
      // Down: fail at once, without a connection; the probe finds out when it answers again.
      const next = new Date(down.nextProbeAt).toISOString();
      return Promise.reject(
        new SipError(
          'sip_transport_failed',
          `${down.reason} (not answering; next connection attempt at ${next})`,
        ),
      );
    }
    pending = this.connect(key, target).finally(() => this.connecting.delete(key));
    this.connecting.set(key, pending);
    return pending;
  }

  /** One probe connection to a target that is down; when it connects, the connection is kept and used. */
  private probe(key: string): void {
    const target = this.targets.get(key);
    if (!target || this.connecting.has(key)) return;
    const pending = this.connect(key, target).finally(() => this.connecting.delete(key));
    this.connecting.set(key, pending);
    pending.catch(() => undefined); // a failed probe schedules the next one
  }

  private connect(key: string, target: SipTarget): Promise<StreamConnection> {
    this.connectAttempts++;
    this.targets.set(key, target);
    const tls = this.options.protocol === 'tls';
    const serverName = target.serverName && isIP(target.serverName) === 0 ? target.serverName : undefined;
    const socket = tls
      ? tlsConnect({ host: target.address, port: target.port, servername: serverName, ...this.options.tls })
      : netConnect({ host: target.address, port: target.port });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error('connect timed out')),
        this.options.connectTimeoutMs ?? 10_000,
      );
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        const message = `${this.options.protocol.toUpperCase()} connect to ${target.address}:${target.port} failed: ${error.message}`;
        this.health.failed(key, message);
        reject(new SipError('sip_transport_failed', message));
      };
      socket.once('error', fail);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(this.adopt(key, socket));
        if (this.health.connected(key)) this.options.onTargetUp?.(key);
      });
    });
  }

  private adopt(key: string, socket: Socket): StreamConnection {
    const connection = new StreamConnection(
      key,
      this.options.protocol,
      socket,
      {
        onMessage: this.options.onMessage,
        onDiscard: this.options.onDiscard,
        onClose: (closed) => {
          if (this.connections.get(closed.key) === closed) this.connections.delete(closed.key);
          this.options.onFlowClosed?.(closed.key);
        },
      },
      this.options.limits,
    );
    this.connections.get(key)?.close();
    this.connections.set(key, connection);
    return connection;
  }

  private keepAlive(): void {
    const idleSince = Date.now() - this.options.keepAliveIntervalMs;
    for (const connection of this.connections.values())
      if (connection.lastSentAt <= idleSince && !this.inbound.has(connection)) connection.ping();
  }
}
