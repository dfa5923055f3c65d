import { SipError } from '../sip.error.js';
import {
  contentLength,
  DEFAULT_PARSE_LIMITS,
  findHeaderEnd,
  ownBytes,
  parseHead,
  type ParseLimits,
} from './message.parser.js';
import type { SipMessage } from './sip-message.js';

/** What a stream yields: a message, or an RFC 5626 keep-alive ping (CRLFCRLF) or pong (CRLF). */
export type StreamEvent = { type: 'message'; message: SipMessage } | { type: 'ping' } | { type: 'pong' };

/**
 * Cuts SIP messages out of a TCP/TLS byte stream by Content-Length (RFC 3261 section 18.3). Chunks may hold part
 * of a message or several messages. A framing error (no blank line within the header limit, a body over the
 * limit, an unparsable header section) throws SipError; the stream cannot be resynchronised after that and the
 * caller closes the connection. Memory held is bounded by the limits.
 *
 * @example
 * const framer = new StreamFramer();
 * socket.on('data', (chunk) => { for (const event of framer.push(chunk)) handle(event); });
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  /** Parsed head waiting for its body, with the number of body bytes expected. */
  private pending: { message: SipMessage; bodyLength: number } | undefined;

  constructor(private readonly limits: ParseLimits = DEFAULT_PARSE_LIMITS) {}

  /** Feed bytes; returns every complete event they finish, in order. */
  push(chunk: Buffer): StreamEvent[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: StreamEvent[] = [];
    for (;;) {
      const event = this.next();
      if (!event) break;
      events.push(event);
    }
    return events;
  }

  /** Bytes held while waiting for the rest of a message. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  private next(): StreamEvent | undefined {
    if (this.pending) return this.takeBody(this.pending);
    const keepAlive = this.takeKeepAlive();
    if (keepAlive) return keepAlive;
    if (this.buffer.length === 0) return undefined;
    const header = findHeaderEnd(this.buffer);
    if (!header) {
      if (this.buffer.length > this.limits.maxHeaderBytes) throw this.tooLarge('header section');
      return undefined;
    }
    if (header.end > this.limits.maxHeaderBytes) throw this.tooLarge('header section');
    const head = this.buffer.toString('utf8', 0, header.end);
    this.buffer = this.buffer.subarray(header.bodyStart);
    const message = parseHead(head, this.limits);
    const bodyLength = contentLength(message.headers) ?? 0;
    if (bodyLength > this.limits.maxBodyBytes) throw this.tooLarge('body');
    this.pending = { message, bodyLength };
    return this.takeBody(this.pending);
  }

  private takeBody(pending: { message: SipMessage; bodyLength: number }): StreamEvent | undefined {
    if (this.buffer.length < pending.bodyLength) return undefined;
    pending.message.body = ownBytes(this.buffer.subarray(0, pending.bodyLength));
    this.buffer = this.buffer.subarray(pending.bodyLength);
    this.pending = undefined;
    return { type: 'message', message: pending.message };
  }

  /** Leading CRLFCRLF is a ping, a lone CRLF a pong (RFC 5626 section 3.5.1). */
  private takeKeepAlive(): StreamEvent | undefined {
    const b = this.buffer;
    if (b.length >= 4 && b[0] === 0x0d && b[1] === 0x0a && b[2] === 0x0d && b[3] === 0x0a) {
      this.buffer = b.subarray(4);
      return { type: 'ping' };
    }
    if (b.length >= 2 && b[0] === 0x0d && b[1] === 0x0a) {
      this.buffer = b.subarray(2);
      return { type: 'pong' };
    }
    if (b.length >= 1 && b[0] === 0x0a) {
      this.buffer = b.subarray(1);
      return { type: 'pong' };
    }
    return undefined;
  }

  private tooLarge(what: string): SipError {
    return new SipError('sip_message_too_large', `SIP stream rejected: ${what} exceeds the limit`, { what });
  }
}
