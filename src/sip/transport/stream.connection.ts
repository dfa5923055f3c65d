import type { Socket } from 'node:net';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from '../message/message.parser.js';
import { StreamFramer } from '../message/stream.framer.js';
import { SipError } from '../sip.error.js';
import type { InboundMessage, TransportProtocol } from './transport.types.js';

/** Callbacks of one stream connection. */
export interface StreamConnectionEvents {
  onMessage: (inbound: InboundMessage) => void;
  onDiscard?: (error: SipError, address: string) => void;
  onClose: (connection: StreamConnection) => void;
}

/**
 * One TCP or TLS connection carrying SIP: frames incoming bytes into messages, answers RFC 5626 CRLFCRLF pings
 * with a CRLF pong, and remembers when it last sent so the transport can send keep-alives on idle connections.
 */
export class StreamConnection {
  private readonly framer: StreamFramer;
  /** Time of the last write, for keep-alive. */
  lastSentAt = Date.now();
  closed = false;

  constructor(
    readonly key: string,
    readonly protocol: TransportProtocol,
    private readonly socket: Socket,
    private readonly events: StreamConnectionEvents,
    limits: ParseLimits = DEFAULT_PARSE_LIMITS,
  ) {
    this.framer = new StreamFramer(limits);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined); // 'close' follows and does the clean-up
    socket.on('close', () => this.markClosed());
  }

  /** Remote address of the socket. */
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  /** Write bytes; rejects with `sip_transport_failed` when the connection is gone. */
  write(data: Buffer | string): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    this.lastSentAt = Date.now();
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => (error ? reject(this.closedError(error.message)) : resolve()));
    });
  }

  /** Send a CRLFCRLF keep-alive ping (RFC 5626 section 3.5.1). */
  ping(): void {
    this.write('\r\n\r\n').catch(() => undefined);
  }

  /** Close the connection. */
  close(): void {
    this.socket.destroy();
    this.markClosed();
  }

  private receive(chunk: Buffer): void {
    try {
      for (const event of this.framer.push(chunk)) {
        if (event.type === 'ping') this.write('\r\n').catch(() => undefined);
        else if (event.type === 'message') {
          const source = {
            protocol: this.protocol,
            address: this.socket.remoteAddress ?? '',
            port: this.socket.remotePort ?? 0,
            flow: this.key,
          };
          this.events.onMessage({ message: event.message, source });
        }
      }
    } catch (error) {
      if (!(error instanceof SipError)) throw error;
      // A stream cannot be resynchronised after a framing error: drop the connection.
      this.events.onDiscard?.(error, this.remoteAddress);
      this.close();
    }
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.onClose(this);
  }

  private closedError(detail = 'connection closed'): SipError {
    return new SipError(
      'sip_transport_failed',
      `${this.protocol.toUpperCase()} connection ${this.key}: ${detail}`,
    );
  }
}
