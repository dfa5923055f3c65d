/**
 * Microsoft's messages quoted verbatim in CALLS.md (public captures; identifiers shortened as published), for
 * parser tests and the emulator's shapes.
 */
const crlf = (lines: string[]): string => lines.join('\r\n');

/** Microsoft's 200 to an SBC's OPTIONS (jambonz docs, 2020). */
export const MICROSOFT_OPTIONS_200 = crlf([
  'SIP/2.0 200 OK',
  'FROM: <sip:teams.jambonz.us:5061;transport=tls>;tag=SX7B39veap93c',
  'TO: <sip:sip.pstnhub.microsoft.com>',
  'CSEQ: 23765299 OPTIONS',
  'CALL-ID: dfe4b29f-51cb-1239-3b99-06ce423ffcdb',
  'VIA: SIP/2.0/TLS 54.174.72.99;branch=z9hG4bK1HQpp1BtBQ30N',
  'CONTENT-LENGTH: 0',
  'ALLOW: INVITE,ACK,OPTIONS,CANCEL,BYE,NOTIFY',
  'SERVER: Microsoft.PSTNHub.SIPProxy v.2020.7.31.1 i.USWE2.3',
  '',
  '',
]);

/** A REFER from Teams (FreeSWITCH issue, 2024; `x` hidden by the reporter, `…` cut). */
export const MICROSOFT_REFER = crlf([
  'REFER sip:gw+teams@xxxxxxxxxxx:5061;transport=tls;gw=teams SIP/2.0',
  'FROM: <sip:+1518xxxxxxxx@sip.pstnhub.microsoft.com>;tag=415f34ad091e43d3b18e35d58d22dd76',
  'TO: <sip:+1518xxxxxxxxxx@xxxxxxxxx>;tag=aK2619vDZeaHp',
  'CSEQ: 1 REFER',
  'CALL-ID: 537ab605-5daf-123d-588e-fa6b00c9a868',
  'MAX-FORWARDS: 70',
  'VIA: SIP/2.0/TLS 52.114.132.46:5061;branch=z9hG4bK9404dadc',
  'CONTACT: <sip:api-du-a-usea.pstnhub.microsoft.com:443;x-i=b712d12c-…;x-c=a35ae5ea…/s/1/4b30e770…>',
  'CONTENT-LENGTH: 0',
  'REFER-TO: <sip:sip.pstnhub.microsoft.com:5061;transport=tls;x-m=8:orgid:dfcba638-4ecd-4382-8095-6160fb18aa16>',
  'REFERRED-BY: <sip:sip.pstnhub.microsoft.com:5061;x-m=8:orgid:fa273707-…;x-t=4dcafc31-…;x-ti=b712d12c-…;x-tt=aHR0cHM6Ly9hcGkt…%3D>',
  'USER-AGENT: Microsoft.PSTNHub.SIPProxy v.2024.2.6.5 i.USEA.5',
  'ALLOW: INVITE,ACK,OPTIONS,CANCEL,BYE,NOTIFY',
  '',
  '',
]);
