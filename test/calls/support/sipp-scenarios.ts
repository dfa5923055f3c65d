/**
 * sipp scenarios for the extension in B2BUA tests (sipp's own XML: https://sipp.sourceforge.net/doc/reference.html),
 * generated so that each test states what the extension expects. sipp's `[branch-N]` names the branch of the
 * message N scenario steps earlier: a CANCEL and the ACK of a non-2xx share the INVITE's branch (RFC 3261 9.1, 17.1.1.3).
 */

const SDP = `v=0
o=ext 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15`;

/** What the calling extension does after its INVITE. */
export type UacPlan =
  | { kind: 'answered'; talkMs: number }
  | { kind: 'rejected'; status: number }
  | { kind: 'cancel-after-ringing' }
  /** Answered, then the far end hangs up: the extension takes the BYE. */
  | { kind: 'answered-remote-bye' };

function scenario(name: string, steps: string[]): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="${name}">\n${steps.join('\n')}\n</scenario>\n`;
}

function send(text: string, retrans = false): string {
  return `<send${retrans ? ' retrans="500"' : ''}><![CDATA[\n${text}\n]]></send>`;
}

const FROM = 'From: <sip:[ext]@pbx.test>;tag=[pid]SIPpTag00[call_number]';

/** The extension `[ext]` (sipp `-key ext 2001`) calls `[service]` through the PBX (sipp's remote host). */
export function uacScenario(plan: UacPlan): string {
  const invite = send(
    `INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${FROM}
To: <sip:[service]@pbx.test>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:[ext]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${SDP}`,
    true,
  );
  const steps = [invite, '<recv response="100" optional="true"/>'];
  const nonInviteAck = (offset: number) =>
    send(`ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-${offset}]
${FROM}
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0
`);
  if (plan.kind === 'rejected') {
    steps.push('<recv response="180" optional="true"/>', '<recv response="183" optional="true"/>');
    steps.push(`<recv response="${plan.status}"/>`, nonInviteAck(steps.length));
    return scenario('extension call rejected', steps);
  }
  if (plan.kind === 'cancel-after-ringing') return cancelAfterRinging(invite, nonInviteAck);
  steps.push('<recv response="180" optional="true"/>', '<recv response="183" optional="true"/>');
  steps.push('<recv response="200" rtd="true" rrs="true"/>');
  steps.push(
    send(`ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${FROM}
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0
`),
  );
  if (plan.kind === 'answered-remote-bye') {
    steps.push('<recv request="BYE"/>', send(okTo()));
    return scenario('extension call, far end hangs up', steps);
  }
  steps.push(`<pause milliseconds="${plan.talkMs}"/>`);
  steps.push(
    send(
      `BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${FROM}
[last_To:]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0
`,
      true,
    ),
  );
  steps.push('<recv response="200" crlf="true"/>');
  return scenario('extension call answered', steps);
}

/**
 * The extension rings, then CANCELs. Teams' other devices keep ringing (a 180, then a 183) while the CANCEL
 * crosses, so their 18x reach the phone before the CANCEL's 200, between it and the 487, or not at all. sipp
 * takes an out-of-order message for an optional step only while no mandatory step was passed since that step
 * (`optional="true"`; sipp's call.cpp, "old non-mandatory receptions"): a 180 arriving after the CANCEL's 200
 * (a mandatory step) was "unexpected" and failed the run now and then. `optional="global"` matches them from
 * any later step. sipp's transactions (`start_txn` / `response_txn`) cannot tell the CANCEL's responses from the
 * INVITE's: both share the INVITE's branch (RFC 3261 9.1), the only key sipp matches transactions by.
 */
function cancelAfterRinging(invite: string, ack: (offset: number) => string): string {
  const steps = [invite, '<recv response="100" optional="true"/>', '<recv response="180"/>'];
  steps.push(
    send(`CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-${steps.length}]
${FROM}
To: <sip:[service]@pbx.test>
Call-ID: [call_id]
CSeq: 1 CANCEL
Max-Forwards: 70
Content-Length: 0
`),
  );
  steps.push('<recv response="180" optional="global"/>', '<recv response="183" optional="global"/>');
  steps.push('<recv response="200"/>', '<recv response="487"/>', ack(steps.length + 2));
  return scenario('extension cancels', steps);
}

/** A 200 to the request just received (a BYE), echoing its transaction headers. */
function okTo(): string {
  return `SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
`;
}

/** The extension `[ext]` registers at the PBX with digest (`-au`/`-ap`), then exits. */
export function registerScenario(): string {
  const register = (cseq: number, auth: boolean) =>
    send(
      `REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[ext]@pbx.test>;tag=[pid]SIPpTag00[call_number]
To: <sip:[ext]@pbx.test>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:[ext]@[local_ip]:[local_port]>
Expires: 300
Max-Forwards: 70
${auth ? '[authentication]\n' : ''}Content-Length: 0
`,
      true,
    );
  return scenario('extension registers', [
    register(1, false),
    '<recv response="401" auth="true"/>',
    register(2, true),
    '<recv response="200"/>',
  ]);
}

/** The called extension's To in its answers: its tag is fixed per call. */
const EXTENSION_TO = '[last_To:];tag=[pid]SIPpTag01[call_number]';

/**
 * The called extension's answer to the INVITE it received (its To tag fixed per call), with our SDP when `sdp`;
 * a 200 is retransmitted until ACKed.
 */
function extensionResponse(status: string, sdp: boolean): string {
  return send(
    `SIP/2.0 ${status}
[last_Via:]
[last_Record-Route:]
[last_From:]
${EXTENSION_TO}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[ext]@[local_ip]:[local_port]>
${sdp ? 'Content-Type: application/sdp\n' : ''}Content-Length: [len]
${sdp ? `\n${SDP}` : ''}`,
    status.startsWith('200'),
  );
}

/** How the called extension answers. */
export type UasPlan = { kind: 'answer' } | { kind: 'reject'; status: number } | { kind: 'ring-until-cancel' };

/** The extension answers an INVITE (180, then 200 with SDP, or a refusal), then takes or sends the BYE. */
export function uasScenario(plan: UasPlan): string {
  const steps = ['<recv request="INVITE" crlf="true"/>', extensionResponse('180 Ringing', false)];
  if (plan.kind === 'reject') {
    steps.push(extensionResponse(`${plan.status} Refused`, false), '<recv request="ACK"/>');
    return scenario('extension refuses', steps);
  }
  if (plan.kind === 'ring-until-cancel') {
    // The 487 answers the INVITE: its Vias (the PBX's, then ours ending in the rport the PBX filled in; [^>] runs
    // across the line break, the Record-Route before them ends in '>') and CSeq, kept before the CANCEL comes.
    steps[0] =
      '<recv request="INVITE" crlf="true"><action>' +
      '<ereg regexp="Via:[^>]*;rport=[0-9]+" search_in="msg" assign_to="vias"/>' +
      '<ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="cseq"/>' +
      '</action></recv>';
    steps.push('<recv request="CANCEL"/>', send(okTo()));
    steps.push(
      send(`SIP/2.0 487 Request Terminated
[$vias]
[last_From:]
${EXTENSION_TO}
[last_Call-ID:]
CSeq:[$cseq]
Content-Length: 0
`),
      '<recv request="ACK"/>',
    );
    return scenario('extension rings until cancelled', steps);
  }
  steps.push(extensionResponse('200 OK', true), '<recv request="ACK" rtd="true" crlf="true"/>');
  steps.push('<recv request="BYE"/>', send(okTo()));
  return scenario('extension answers', steps);
}

/** The extension's SDP at a later version with a direction attribute (a hold or a resume re-INVITE). */
function sdpWith(version: number, direction: string): string {
  return SDP.replace('2353687637', String(2353687637 + version)) + `\na=${direction}`;
}

/** A check that fails the scenario unless the message just received matches `regexp` (sipp `check_it`). */
function expectBody(regexp: string, name: string, inverse = false): string {
  const check = inverse ? 'check_it_inverse="true"' : 'check_it="true"';
  return `<action><ereg regexp="${regexp}" search_in="body" ${check} assign_to="${name}"/></action>`;
}

/**
 * The extension calls `[service]`, is answered, puts the call on hold (re-INVITE with `a=sendonly`, its answer must
 * match `holdAnswer`), resumes (re-INVITE with `a=sendrecv`, answer sendrecv), talks for `talkMs` and hangs up.
 * With `music`, it streams that raw PCMU file (sipp `rtp_stream`, looped) from the answer on, like a PBX playing
 * music on hold, and stays on hold for `music.holdMs`.
 */
export function holdResumeScenario(
  holdAnswer: string,
  talkMs = 300,
  music?: { file: string; holdMs: number },
): string {
  const answered = uacScenario({ kind: 'answered', talkMs }).split('\n');
  const pause = answered.findIndex((line) => line.startsWith('<pause'));
  const reinvite = (cseq: number, direction: string) =>
    send(
      `INVITE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${FROM}
[last_To:]
Call-ID: [call_id]
CSeq: ${cseq} INVITE
Contact: <sip:[ext]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${sdpWith(cseq, direction)}`,
      true,
    );
  const ack = (cseq: number) =>
    send(`ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${FROM}
[last_To:]
Call-ID: [call_id]
CSeq: ${cseq} ACK
Max-Forwards: 70
Content-Length: 0
`);
  const steps = [
    ...(music ? [`<nop><action><exec rtp_stream="${music.file},-1,0"/></action></nop>`] : []),
    `<pause milliseconds="${music ? 1000 : 300}"/>`,
    reinvite(2, 'sendonly'),
    '<recv response="100" optional="true"/>',
    `<recv response="200">${expectBody(holdAnswer, 'held')}</recv>`,
    ack(2),
    `<pause milliseconds="${music?.holdMs ?? 300}"/>`,
    reinvite(3, 'sendrecv'),
    '<recv response="100" optional="true"/>',
    `<recv response="200">${expectBody('a=(inactive|recvonly)', 'resumed', true)}</recv>`,
    ack(3),
  ];
  steps.push('<Reference variables="held,resumed"/>'); // assigned only to be checked: sipp wants them named
  const body = [...answered.slice(0, pause), ...steps, ...answered.slice(pause)].join('\n');
  return body.replace('CSeq: 2 BYE', 'CSeq: 4 BYE');
}

/**
 * The extension answers a call, then is put on hold and resumed by the far end: the first re-INVITE must carry
 * `a=inactive` (answered inactive), the second must not (answered sendrecv); then it takes the BYE.
 */
export function heldByFarEndScenario(): string {
  const answer = (body: string) =>
    send(
      `SIP/2.0 200 OK
[last_Via:]
[last_Record-Route:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[ext]@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

${body}`,
      true,
    );
  const answered = uasScenario({ kind: 'answer' }).split('\n');
  const bye = answered.findIndex((line) => line.startsWith('<recv request="BYE"'));
  const steps = [
    `<recv request="INVITE">${expectBody('a=inactive', 'held')}</recv>`,
    answer(sdpWith(1, 'inactive')),
    '<recv request="ACK"/>',
    `<recv request="INVITE">${expectBody('a=inactive', 'resumed', true)}</recv>`,
    answer(sdpWith(2, 'sendrecv')),
    '<recv request="ACK"/>',
    '<Reference variables="held,resumed"/>',
  ];
  return [...answered.slice(0, bye), ...steps, ...answered.slice(bye)].join('\n');
}

/**
 * The extension calls `[service]` and is answered; the far end then moves the call (a transfer: a re-INVITE
 * toward another media address, answered with the extension's SDP) and later hangs up (BYE).
 */
export function transferredScenario(): string {
  const answered = uacScenario({ kind: 'answered-remote-bye' }).split('\n');
  const bye = answered.findIndex((line) => line.startsWith('<recv request="BYE"'));
  const steps = [
    '<recv request="INVITE"/>',
    send(
      `SIP/2.0 200 OK
[last_Via:]
[last_Record-Route:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[ext]@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

${sdpWith(1, 'sendrecv')}`,
      true,
    ),
    '<recv request="ACK"/>',
  ];
  return [...answered.slice(0, bye), ...steps, ...answered.slice(bye)].join('\n');
}

/** The extension answers like `uasScenario({ kind: 'answer' })`, but only an INVITE whose `header` matches `regexp`. */
export function answerCheckingScenario(header: string, regexp: string): string {
  return answerCheckingHeaders({ [header]: regexp });
}

/** `answerCheckingScenario` for several headers: each must match its regexp (XML-safe: `.` for `<`). */
export function answerCheckingHeaders(checks: Record<string, string>): string {
  const names = Object.keys(checks).map((_, i) => `seen${i}`);
  const actions = Object.entries(checks)
    .map(
      ([header, regexp], i) =>
        `<ereg regexp="${regexp}" search_in="hdr" header="${header}:" check_it="true" assign_to="${names[i]}"/>`,
    )
    .join('');
  return uasScenario({ kind: 'answer' })
    .replace(
      '<recv request="INVITE" crlf="true"/>',
      `<recv request="INVITE" crlf="true"><action>${actions}</action></recv>`,
    )
    .replace('</scenario>', `<Reference variables="${names.join(',')}"/>\n</scenario>`);
}

/** A scenario whose first INVITE carries more header lines (e.g. the PBX's Diversion). */
export function withInviteHeaders(xml: string, lines: string[]): string {
  return xml.replace('Content-Type: application/sdp', `${lines.join('\n')}\nContent-Type: application/sdp`);
}

/**
 * The called extension answers, then puts the caller on hold itself (re-INVITE `a=sendonly` in its own CSeq space,
 * From its To with its tag, to the caller's From; the answer must match `holdAnswer`), resumes (`a=sendrecv`,
 * answer neither inactive nor recvonly) and takes the BYE. `-rtp_echo` echoes the audio around it.
 */
export function holdsCallerScenario(holdAnswer: string): string {
  const dialogHeaders = `From:[$me];tag=[pid]SIPpTag01[call_number]
To:[$peer]
Call-ID: [call_id]`;
  const reinvite = (cseq: number, direction: string) =>
    send(
      `INVITE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${dialogHeaders}
CSeq: ${cseq} INVITE
Contact: <sip:[ext]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${sdpWith(cseq, direction)}`,
      true,
    );
  const ack = (cseq: number) =>
    send(`ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
${dialogHeaders}
CSeq: ${cseq} ACK
Max-Forwards: 70
Content-Length: 0
`);
  return scenario('extension answers, holds the caller and resumes', [
    '<recv request="INVITE" crlf="true" rrs="true"><action>' +
      '<ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer"/>' +
      '<ereg regexp=".*" search_in="hdr" header="To:" assign_to="me"/>' +
      '</action></recv>',
    extensionResponse('180 Ringing', false),
    extensionResponse('200 OK', true),
    '<recv request="ACK" crlf="true"/>',
    '<pause milliseconds="500"/>',
    reinvite(1, 'sendonly'),
    '<recv response="100" optional="true"/>',
    `<recv response="200">${expectBody(holdAnswer, 'held')}</recv>`,
    ack(1),
    '<pause milliseconds="500"/>',
    reinvite(2, 'sendrecv'),
    '<recv response="100" optional="true"/>',
    `<recv response="200">${expectBody('a=(inactive|recvonly)', 'resumed', true)}</recv>`,
    ack(2),
    '<recv request="BYE"/>',
    send(okTo()),
    '<Reference variables="held,resumed"/>',
  ]);
}
