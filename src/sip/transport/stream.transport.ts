import { connect as netConnect, createServer as netServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsServer, type SecureContextOptions } from 'node:tls';
import { isIP } from 'node:net';
import type { ParseLimits } from '../message/message.parser.js';
import { SipError } from '../sip.error.js';
import { StreamConnection } from './stream.connection.js';
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
}

/**
 * SIP over TCP or TLS: one connection per target, reused for every request to it and for requests the target
 * sends back; incoming connections are accepted when a listen port is set.
 */
export class StreamTransport {
  private readonly connections = new Map<string, StreamConnection>();
  private readonly connecting = new Map<string, Promise<StreamConnection>>();
  private server: Server | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  /** Port we listen on, or 0 when we only connect out. */
  port = 0;

  constructor(private readonly options: StreamTransportOptions) {}

  /** Start listening (when configured) and the keep-alive timer. */
  async open(): Promise<void> {
    if (
      this.options.listenPort !== undefined &&
      (this.options.protocol === 'tcp' || this.options.tls?.cert)
    ) {
      const server = this.options.protocol === 'tls' ? tlsServer(this.options.tls ?? {}) : netServer();
      server.on(this.options.protocol === 'tls' ? 'secureConnection' : 'connection', (socket: Socket) =>
        this.adopt(
          flowKey(this.options.protocol, socket.remoteAddress ?? '', socket.remotePort ?? 0),
          socket,
        ),
      );
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

  /** Close the listener and every connection. */
  async close(): Promise<void> {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    for (const connection of [...this.connections.values()]) connection.close();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connectionTo(target: SipTarget): Promise<StreamConnection> {
    const key = flowKey(this.options.protocol, target.address, target.port);
    const existing = this.connections.get(key);
    if (existing && !existing.closed) return Promise.resolve(existing);
    let pending = this.connecting.get(key);
    if (!pending) {
      pending = this.connect(key, target).finally(() => this.connecting.delete(key));
      this.connecting.set(key, pending);
    }
    return pending;
  }

  private connect(key: string, target: SipTarget): Promise<StreamConnection> {
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
        reject(
          new SipError(
            'sip_transport_failed',
            `${this.options.protocol.toUpperCase()} connect to ${target.address}:${target.port} failed: ${error.message}`,
          ),
        );
      };
      socket.once('error', fail);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(this.adopt(key, socket));
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
      if (connection.lastSentAt <= idleSince) connection.ping();
  }
}
