import { parseMessage } from '../message/message.parser.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';

/** An INVITE as an SBC sends it toward Teams, for transaction tests. */
export function inviteRequest(branch = 'z9hG4bKinv1'): SipRequest {
  const text = [
    'INVITE sip:+4930123456@sip.pstnhub.microsoft.com:5061;user=phone;transport=tls SIP/2.0',
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=${branch};rport`,
    'Max-Forwards: 70',
    'From: <sip:+4930999@contoso.sbc.example.com;user=phone>;tag=caller1',
    'To: <sip:+4930123456@sip.pstnhub.microsoft.com;user=phone>',
    'Call-ID: call-1@192.0.2.10',
    'CSeq: 10 INVITE',
    'Contact: <sip:contoso.sbc.example.com:5061;transport=tls>',
    'Route: <sip:sip.pstnhub.microsoft.com:5061;transport=tls;lr>',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

/** A response to `inviteRequest()` with a given status and To-tag. */
export function inviteResponse(
  status: number,
  toTag: string | undefined,
  branch = 'z9hG4bKinv1',
): SipResponse {
  const text = [
    `SIP/2.0 ${status} Whatever`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=${branch};rport=5060`,
    'From: <sip:+4930999@contoso.sbc.example.com;user=phone>;tag=caller1',
    `To: <sip:+4930123456@sip.pstnhub.microsoft.com;user=phone>${toTag ? `;tag=${toTag}` : ''}`,
    'Call-ID: call-1@192.0.2.10',
    'CSeq: 10 INVITE',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipResponse;
}
