import type { SipMessage } from './sip-message.js';

/**
 * Serialize a SIP message. Content-Length is always written (required on streams, harmless on UDP) and
 * computed from the body, replacing any stale value; every other header is written as stored, in order.
 *
 * @example serializeMessage(response).toString() // 'SIP/2.0 200 OK\r\nVia: ...'
 */
export function serializeMessage(message: SipMessage): Buffer {
  let head =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0\r\n`
      : `SIP/2.0 ${message.status} ${message.reason}\r\n`;
  head += message.headers.format('content-length');
  head += `Content-Length: ${message.body.length}\r\n\r\n`;
  if (message.body.length === 0) return Buffer.from(head, 'utf8');
  return Buffer.concat([Buffer.from(head, 'utf8'), message.body]);
}
