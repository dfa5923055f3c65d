import { SipHeaders } from './sip-headers.js';
import { randomToken, REASON_PHRASES, type SipRequest, type SipResponse } from './sip-message.js';
import { parseNameAddr } from './sip-uri.js';

/**
 * Build a response to a request (RFC 3261 section 8.2.6): Via, From, Call-ID and CSeq copied, To copied with a
 * tag added when it has none (not for 100 Trying), plus any extra headers.
 *
 * @example createResponse(options, 200, { Allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS' })
 */
export function createResponse(
  request: SipRequest,
  status: number,
  extraHeaders: Record<string, string> = {},
  reason: string = REASON_PHRASES[status] ?? 'Unknown',
): SipResponse {
  const headers = new SipHeaders();
  for (const via of request.headers.getAll('Via')) headers.append('Via', via);
  headers.append('From', request.headers.get('From') ?? '');
  headers.append('To', withToTag(request.headers.get('To') ?? '', status));
  headers.append('Call-ID', request.headers.get('Call-ID') ?? '');
  headers.append('CSeq', request.headers.get('CSeq') ?? '');
  for (const [name, value] of Object.entries(extraHeaders)) headers.append(name, value);
  return { kind: 'response', status, reason, headers, body: Buffer.alloc(0) };
}

function withToTag(to: string, status: number): string {
  if (status === 100) return to;
  try {
    if (parseNameAddr(to).params.has('tag')) return to;
  } catch {
    return to;
  }
  return `${to};tag=${randomToken(10)}`;
}
