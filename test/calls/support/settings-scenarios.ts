/**
 * Variants of the extension's sipp scenarios (`sipp-scenarios.ts`) for the call-settings tests: extra headers on
 * the INVITE (a PBX's Diversion, a caller's identity and privacy), a caller other than the extension, and a late
 * offer (INVITE without SDP, the answer in the ACK).
 */
import { uacScenario, type UacPlan } from './sipp-scenarios.js';

/** The extension's call with extra INVITE headers (`Name: value` lines), e.g. a Diversion. */
export function uacWithHeaders(plan: UacPlan, headers: string[]): string {
  const xml = uacScenario(plan);
  const at = xml.indexOf('Content-Type: application/sdp');
  return `${xml.slice(0, at)}${headers.join('\n')}\n${xml.slice(at)}`;
}

/** The extension's call presented with another From (its user part and display name), plus extra headers. */
export function uacFrom(plan: UacPlan, from: string, headers: string[] = []): string {
  return uacWithHeaders(plan, headers).replace(
    'From: <sip:[ext]@pbx.test>;tag=',
    `From: ${from.includes('<') ? from : `<sip:${from}@pbx.test>`};tag=`,
  );
}

/**
 * The extension calls `[service]` with a late offer: an INVITE without SDP, our 200 carries the offer, the
 * extension's ACK the answer (its media port `[media_port]`, where `-rtp_echo` listens); talks, hangs up.
 */
export function uacLateOffer(talkMs: number, answerInAck = true): string {
  const from = 'From: <sip:[ext]@pbx.test>;tag=[pid]SIPpTag00[call_number]';
  const sdp = [
    'v=0',
    'o=ext 53655765 2353687637 IN IP[local_ip_type] [local_ip]',
    's=-',
    'c=IN IP[media_ip_type] [media_ip]',
    't=0 0',
    'm=audio [media_port] RTP/AVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
  ].join('\n');
  const send = (text: string, retrans = false) =>
    `<send${retrans ? ' retrans="500"' : ''}><![CDATA[\n${text}\n]]></send>`;
  const inDialog = (method: string, cseq: number, body: string) =>
    send(
      `${method} [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${from}
[last_To:]
Call-ID: [call_id]
CSeq: ${cseq} ${method}
Max-Forwards: 70
${body ? 'Content-Type: application/sdp\n' : ''}Content-Length: [len]
${body ? `\n${body}` : ''}`,
      method === 'BYE',
    );
  const steps = [
    send(
      `INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${from}
To: <sip:[service]@pbx.test>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:[ext]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
`,
      true,
    ),
    '<recv response="100" optional="true"/>',
    '<recv response="180" optional="true"/>',
    '<recv response="183" optional="true"/>',
    '<recv response="200" rtd="true" rrs="true"/>',
    inDialog('ACK', 1, answerInAck ? sdp : ''),
    ...(answerInAck
      ? [`<pause milliseconds="${talkMs}"/>`, inDialog('BYE', 2, ''), '<recv response="200" crlf="true"/>']
      : ['<recv request="BYE"/>', OK_TO_REQUEST]),
  ];
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="late offer">\n${steps.join('\n')}\n</scenario>\n`;
}

/**
 * The called extension plays early media: 180, then 183 with SDP (its `-rtp_echo` port), `earlyMs` later the 200,
 * then takes the BYE. An IVR or voicemail PIN prompt is this shape.
 */
export function uasEarlyMedia(earlyMs: number): string {
  const sdp = [
    'v=0',
    'o=ext 53655765 2353687637 IN IP[local_ip_type] [local_ip]',
    's=-',
    'c=IN IP[media_ip_type] [media_ip]',
    't=0 0',
    'm=audio [media_port] RTP/AVP 0 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
  ].join('\n');
  const response = (status: string, body: boolean) =>
    `<send${status.startsWith('200') ? ' retrans="500"' : ''}><![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_Record-Route:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[ext]@[local_ip]:[local_port]>
${body ? 'Content-Type: application/sdp\n' : ''}Content-Length: [len]
${body ? `\n${sdp}` : ''}
]]></send>`;
  const ok = `<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>`;
  const steps = [
    '<recv request="INVITE" crlf="true"/>',
    response('180 Ringing', false),
    response('183 Session Progress', true),
    `<pause milliseconds="${earlyMs}"/>`,
    response('200 OK', true),
    '<recv request="ACK" rtd="true" crlf="true"/>',
    '<recv request="BYE"/>',
    ok,
  ];
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="early media">\n${steps.join('\n')}\n</scenario>\n`;
}

/** A 200 to the request just received (a BYE), echoing its transaction headers. */
const OK_TO_REQUEST = `<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>`;
