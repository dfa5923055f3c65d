/**
 * sipp scenarios for the carrier side of trunk tests (sipp's own XML). The carrier answers our INVITEs (UAS), with
 * an optional digest challenge (401: sipp's `verifyauth` reads
 * the Authorization header only) checked by sipp: a wrong answer gets 403, as a carrier would.
 */

const SDP = `v=0
o=carrier 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15`;

function scenario(name: string, steps: string[]): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="${name}">\n${steps.join('\n')}\n</scenario>\n`;
}

function send(text: string, retrans = false): string {
  return `<send${retrans ? ' retrans="500"' : ''}><![CDATA[\n${text}\n]]></send>`;
}

const TO = '[last_To:];tag=[pid]SIPpTag01[call_number]';

function response(status: string, extra = '', sdp = false): string {
  return send(
    `SIP/2.0 ${status}
[last_Via:]
[last_From:]
${TO}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:carrier@[local_ip]:[local_port]>
${extra}${sdp ? 'Content-Type: application/sdp\n' : ''}Content-Length: [len]
${sdp ? `\n${SDP}` : ''}`,
    status.startsWith('200'),
  );
}

/** How the carrier answers one INVITE from us. */
export interface CarrierUasPlan {
  /** Challenge with 401 first and check the answer against these credentials (403 when wrong). */
  digest?: { username: string; password: string };
  /** Answer and wait for our BYE (default), or refuse with a status. */
  reject?: number;
}

/** The carrier takes one call from us: optional 401 challenge, 180, then 200 with SDP and our BYE (or a refusal). */
export function carrierUasScenario(plan: CarrierUasPlan = {}): string {
  const steps = ['<recv request="INVITE" crlf="true"/>'];
  if (plan.digest) {
    steps.push(
      response(
        '401 Unauthorized',
        'WWW-Authenticate: Digest realm="carrier.test", nonce="[pid]n[call_number]", algorithm=MD5, qop="auth"\n',
      ),
      '<recv request="ACK"/>',
      `<recv request="INVITE"><action><verifyauth assign_to="authvalid" username="${plan.digest.username}" ` +
        `password="${plan.digest.password}"/></action></recv>`,
      '<nop test="authvalid" next="good"/>',
      response('403 Forbidden'),
      '<recv request="ACK" next="end"/>',
      '<label id="good"/>',
    );
  }
  if (plan.reject) {
    steps.push(response(`${plan.reject} Refused`), '<recv request="ACK"/>');
  } else {
    steps.push(response('180 Ringing'), response('200 OK', '', true));
    steps.push('<recv request="ACK" crlf="true"/>', '<recv request="BYE"/>', response('200 OK'));
  }
  steps.push('<label id="end"/>');
  return scenario('carrier takes a call', steps);
}
