/**
 * Real-looking SIP messages used by the parser, framer and fuzz tests (written for this project in the spirit of
 * RFC 4475's torture tests: compact forms, folding, odd spacing, lists, escaped quotes).
 */
const crlf = (lines: string[]): string => lines.join('\r\n');

/** A REGISTER as our agent sends it. */
export const REGISTER = crlf([
  'REGISTER sip:pbx.example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;rport',
  'Max-Forwards: 70',
  'From: <sip:1001@pbx.example.com>;tag=a73kszlfl',
  'To: <sip:1001@pbx.example.com>',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
  'CSeq: 1 REGISTER',
  'Contact: <sip:k3j2h1@192.0.2.10:5060>;expires=3600',
  'Expires: 3600',
  'Content-Length: 0',
  '',
  '',
]);

/** A 401 challenge as Kamailio sends it. */
export const CHALLENGE = crlf([
  'SIP/2.0 401 Unauthorized',
  'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;rport=5060;received=192.0.2.10',
  'From: <sip:1001@pbx.example.com>;tag=a73kszlfl',
  'To: <sip:1001@pbx.example.com>;tag=b27e1a1d33761e85846fc98f5f3a7e58.1f3c',
  'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
  'CSeq: 1 REGISTER',
  'WWW-Authenticate: Digest realm="pbx.example.com", nonce="Y2Fmx2MfZVtyVnwOd3RbLu8gFmeQGsRe", qop="auth"',
  'Server: kamailio (5.6.3 (x86_64/linux))',
  'Content-Length: 0',
  '',
  '',
]);

/** A tortuous INVITE: compact forms, folded lines, odd case and whitespace, two Vias on one line, a body. */
export const TORTUOUS_INVITE = crlf([
  'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0',
  'TO :',
  ' sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n',
  'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>',
  '  ;',
  '  tag = 98asjd8',
  'MaX-fOrWaRdS: 0068',
  'Call-ID: wsinv.ndaksdj@192.0.2.1',
  'Content-Length   : 148',
  'cseq: 0009',
  '  INVITE',
  'Via  : SIP  /   2.0',
  ' /UDP',
  '    192.0.2.2;branch=390skdjuw, SIP/2.0/TCP 192.168.255.111;branch=z9hG4bK.io',
  's :',
  'NewFangledHeader:   newfangled value',
  ' continued newfangled value',
  'UnknownHeaderWithUnusualValue: ;;,,;;,;',
  'Content-Type: application/sdp',
  'Route:',
  ' <sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
  'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
  '  branch  =   z9hG4bK9ikj8  ,',
  ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
  ' z9hG4bK30239',
  'm:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =',
  '      newvalue ;',
  '  secondparam ; q = 0.33',
  '',
  'v=0',
  'o=mhandley 29739 7272939 IN IP4 192.0.2.3',
  's=-',
  'c=IN IP4 192.0.2.4',
  't=0 0',
  'm=audio 49217 RTP/AVP 0 12',
  'm=video 3227 RTP/AVP 31',
  'a=rtpmap:31 LPC',
]);

/** Compact forms only, LF line ends. */
export const COMPACT_OPTIONS = [
  'OPTIONS sip:k3j2h1@192.0.2.10:5060 SIP/2.0',
  'v: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK.c0mp4ct',
  'f: <sip:probe@pbx.example.com>;tag=x1',
  't: <sip:k3j2h1@192.0.2.10:5060>',
  'i: compact-1@198.51.100.7',
  'CSeq: 7 OPTIONS',
  'm: <sip:probe@198.51.100.7>',
  'k: path, outbound',
  'l: 0',
  '',
  '',
].join('\n');

/** Every fixture, for round-trip and mutation tests. */
export const ALL_FIXTURES: readonly string[] = [REGISTER, CHALLENGE, TORTUOUS_INVITE, COMPACT_OPTIONS];
