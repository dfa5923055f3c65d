import { unwatchFile, watchFile } from 'node:fs';
import { isIP, isIPv6 } from 'node:net';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import type { ParseLimits } from '../message/message.parser.js';
import { SipError } from '../sip.error.js';
import { StreamConnection } from './stream.connection.js';
import {
  loadTlsCredentials,
  MIN_TLS_VERSION,
  dnsNamesOf,
  type CertificateInfo,
  type TlsCredentials,
  type TlsFiles,
} from './tls.credentials.js';
import {
  flowKey,
  type InboundMessage,
  type LocalEndpoint,
  type SipSource,
  type SipTarget,
} from './transport.types.js';

/** Options of the mutual-TLS transport. */
export interface TlsTransportOptions extends TlsFiles {
  /** Local IP to bind. */
  host: string;
  /** Listen port (5061 toward Microsoft); 0 picks one; undefined: connect out only. */
  listenPort?: number;
  /** Host written in Via (our FQDN toward Microsoft). */
  advertisedHost?: string;
  /** Ask peers that connect to us for a certificate and refuse those without a valid one (default true). */
  requireClientCertificate?: boolean;
  /** Poll the PEM files this often and reload on change; 0 turns it off (default 5 s). */
  watchIntervalMs?: number;
  keepAliveIntervalMs?: number;
  connectTimeoutMs?: number;
  limits?: ParseLimits;
  onMessage: (inbound: InboundMessage) => void;
  onDiscard?: (error: SipError, address: string) => void;
  onFlowClosed?: (flow: string) => void;
  /** A reload of changed files failed: the old certificate stays in use. */
  onReloadFailed?: (error: SipError) => void;
}

/**
 * SIP over mutual TLS (1.2 or later) for the Teams edge: our certificate and key from PEM files, the peer's chain
 * checked against a CA bundle or Node's public roots, SNI with the proxy's name, one persistent connection per
 * target reused both ways, and requests on connections the peer opened answered on them. Changed PEM files are
 * reloaded for new connections without touching open ones (calls keep their connection).
 *
 * Written beside `StreamTransport` rather than into it: the edge needs client certificates, peer names and
 * reloading, which the PBX side does not.
 *
 * @example const tls = await TlsTransport.open({ host: '0.0.0.0', listenPort: 5061, certFile, keyFile, onMessage });
 */
export class TlsTransport {
  private readonly connections = new Map<string, StreamConnection>();
  private readonly sockets = new Map<string, TLSSocket>();
  private readonly connecting = new Map<string, Promise<StreamConnection>>();
  private server: Server | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private port = 0;
  private reloading: Promise<void> | undefined;

  private constructor(
    private readonly options: TlsTransportOptions,
    private credentials: TlsCredentials,
  ) {}

  /** Load the credentials, listen (when a port is set) and watch the files. */
  static async open(options: TlsTransportOptions): Promise<TlsTransport> {
    const transport = new TlsTransport(options, await loadTlsCredentials(options));
    if (options.listenPort !== undefined) await transport.listen(options.listenPort);
    transport.startTimers();
    return transport;
  }

  /** Our certificate: names, expiry, days left. */
  get certificate(): CertificateInfo {
    return this.credentials.info;
  }

  /** Our address for Via. */
  local(): LocalEndpoint {
    const host = this.options.advertisedHost ?? this.options.host;
    return { protocol: 'tls', host: isIPv6(host) ? `[${host}]` : host, port: this.port || 5061 };
  }

  /** Send to a target over its connection, opened (with SNI = `serverName`) when there is none. */
  async send(target: SipTarget, data: Buffer): Promise<void> {
    const connection = await this.connectionTo(target);
    await connection.write(data);
  }

  /** Send back over the connection a message came in on; when it is gone, to its address. */
  async reply(source: SipSource, data: Buffer): Promise<void> {
    const connection = source.flow === undefined ? undefined : this.connections.get(source.flow);
    if (connection && !connection.closed) return connection.write(data);
    await this.send({ protocol: 'tls', address: source.address, port: source.port }, data);
  }

  /** DNS names in the certificate the peer of a flow presented (empty when none). */
  peerNames(flow: string): string[] {
    const socket = this.sockets.get(flow);
    return socket ? dnsNamesOf(socket.getPeerCertificate().subjectaltname) : [];
  }

  /** Negotiated protocol of a flow, e.g. `TLSv1.3`. */
  protocolOf(flow: string): string | undefined {
    return this.sockets.get(flow)?.getProtocol() ?? undefined;
  }

  /** Keys of the open connections (`tls:address:port`), e.g. to find the flow a peer opened. */
  flows(): string[] {
    return [...this.connections.keys()];
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Re-read the PEM files now; open connections keep their session, new ones use the new certificate. */
  reload(): Promise<void> {
    this.reloading ??= loadTlsCredentials(this.options)
      .then((credentials) => {
        this.credentials = credentials;
        this.server?.setSecureContext(this.serverContextOptions());
      })
      .finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  /** Close the listener and every connection; stop watching. */
  async close(): Promise<void> {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    for (const file of this.watchedFiles()) unwatchFile(file);
    for (const connection of [...this.connections.values()]) connection.close();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(port: number): Promise<void> {
    const server = createServer(this.serverContextOptions());
    server.on('secureConnection', (socket: TLSSocket) =>
      this.adopt(flowKey('tls', socket.remoteAddress ?? '', socket.remotePort ?? 0), socket),
    );
    // Handshake failures (no client certificate, TLS 1.1, unknown CA) are the peer's problem: keep listening.
    server.on('tlsClientError', (error, socket) => {
      this.options.onDiscard?.(
        new SipError('sip_transport_failed', `TLS handshake refused: ${error.message}`),
        socket.remoteAddress ?? '',
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  private serverContextOptions() {
    const requireCert = this.options.requireClientCertificate ?? true;
    return {
      cert: this.credentials.cert,
      key: this.credentials.key,
      ca: this.credentials.ca,
      minVersion: MIN_TLS_VERSION,
      requestCert: requireCert,
      rejectUnauthorized: requireCert,
    } as const;
  }

  private connectionTo(target: SipTarget): Promise<StreamConnection> {
    const key = flowKey('tls', target.address, target.port);
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
    const serverName = target.serverName && isIP(target.serverName) === 0 ? target.serverName : undefined;
    const socket = connect({
      host: target.address,
      port: target.port,
      servername: serverName,
      secureContext: this.credentials.context,
      minVersion: MIN_TLS_VERSION,
      rejectUnauthorized: true,
    });
    return new Promise((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new SipError(
            'sip_transport_failed',
            `TLS connect to ${serverName ?? target.address}:${target.port} failed: ${error.message}`,
          ),
        );
      };
      const timer = setTimeout(
        () => fail(new Error('connect timed out')),
        this.options.connectTimeoutMs ?? 10_000,
      );
      socket.once('error', fail);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(this.adopt(key, socket));
      });
    });
  }

  private adopt(key: string, socket: TLSSocket): StreamConnection {
    const connection = new StreamConnection(
      key,
      'tls',
      socket,
      {
        onMessage: this.options.onMessage,
        onDiscard: this.options.onDiscard,
        onClose: (closed) => {
          if (this.connections.get(closed.key) === closed) {
            this.connections.delete(closed.key);
            this.sockets.delete(closed.key);
          }
          this.options.onFlowClosed?.(closed.key);
        },
      },
      this.options.limits,
    );
    this.connections.get(key)?.close();
    this.connections.set(key, connection);
    this.sockets.set(key, socket);
    return connection;
  }

  private startTimers(): void {
    const keepAlive = this.options.keepAliveIntervalMs ?? 30_000;
    if (keepAlive > 0) {
      this.keepAliveTimer = setInterval(
        () => {
          const idleSince = Date.now() - keepAlive;
          for (const connection of this.connections.values())
            if (connection.lastSentAt <= idleSince) connection.ping();
        },
        Math.max(250, keepAlive / 4),
      );
      this.keepAliveTimer.unref();
    }
    const interval = this.options.watchIntervalMs ?? 5_000;
    if (interval <= 0) return;
    for (const file of this.watchedFiles()) {
      watchFile(file, { interval, persistent: false }, (now, before) => {
        if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
        this.reload().catch((error: unknown) => {
          if (error instanceof SipError) this.options.onReloadFailed?.(error);
        });
      });
    }
  }

  private watchedFiles(): string[] {
    return [
      this.options.certFile,
      this.options.keyFile,
      ...(this.options.caFile ? [this.options.caFile] : []),
    ];
  }
}
