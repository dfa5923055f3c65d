import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../sip/message/message.parser.js';
import { serializeMessage } from '../../sip/message/message.serializer.js';
import type { SipRequest, SipResponse } from '../../sip/message/sip-message.js';
import { parseNameAddr } from '../../sip/message/sip-uri.js';
import { MICROSOFT_OPTIONS_200, MICROSOFT_REFER } from './microsoft.fixtures.js';
import { MICROSOFT_ALLOW, sdpRefusal, teamsOffer, upperCaseHeaderNames } from './microsoft-wire.js';

describe("Microsoft's captured messages (CALLS.md, verbatim)", () => {
  it('parses the OPTIONS 200 with upper-case headers: Allow lists the six methods, Server names the proxy', () => {
    const response = parseMessage(Buffer.from(MICROSOFT_OPTIONS_200)) as SipResponse;
    expect(response.status).toBe(200);
    expect(response.headers.getList('Allow')).toEqual([
      'INVITE',
      'ACK',
      'OPTIONS',
      'CANCEL',
      'BYE',
      'NOTIFY',
    ]);
    expect(response.headers.get('Server')).toBe('Microsoft.PSTNHub.SIPProxy v.2020.7.31.1 i.USWE2.3');
    expect(response.headers.get('cseq')).toBe('23765299 OPTIONS');
    expect(parseNameAddr(response.headers.get('From')!).params.get('tag')).toBe('SX7B39veap93c');
  });

  it('parses the REFER: Refer-To without a user part, Referred-By kept byte for byte, Contact on api-…:443', () => {
    const refer = parseMessage(Buffer.from(MICROSOFT_REFER)) as SipRequest;
    expect(refer.method).toBe('REFER');
    const referTo = parseNameAddr(refer.headers.get('Refer-To')!);
    expect(referTo.uri.user).toBeUndefined();
    expect(referTo.uri.host).toBe('sip.pstnhub.microsoft.com');
    expect(referTo.uri.params.get('x-m')).toBe('8:orgid:dfcba638-4ecd-4382-8095-6160fb18aa16');
    expect(refer.headers.get('Referred-By')).toBe(
      '<sip:sip.pstnhub.microsoft.com:5061;x-m=8:orgid:fa273707-…;x-t=4dcafc31-…;x-ti=b712d12c-…;x-tt=aHR0cHM6Ly9hcGkt…%3D>',
    );
    const contact = parseNameAddr(refer.headers.get('Contact')!);
    expect([contact.uri.host, contact.uri.port]).toEqual(['api-du-a-usea.pstnhub.microsoft.com', 443]);
  });

  it('our serializer plus upper-casing reproduces the capture head for head', () => {
    const response = parseMessage(Buffer.from(MICROSOFT_OPTIONS_200)) as SipResponse;
    const text = upperCaseHeaderNames(serializeMessage(response)).toString();
    const lines = (t: string) => t.split('\r\n').filter(Boolean).sort();
    expect(lines(text)).toEqual(lines(MICROSOFT_OPTIONS_200));
    expect(MICROSOFT_ALLOW).toBe(response.headers.get('Allow'));
  });
});

describe('SDP Microsoft refuses', () => {
  const offer = teamsOffer('192.0.2.1', 4000).toString();
  it('takes the Teams-shaped offer and refuses no SDP, sendonly and duplicate payload types', () => {
    expect(sdpRefusal(Buffer.from(offer), 'application/sdp')).toBeUndefined();
    expect(sdpRefusal(Buffer.alloc(0), undefined)).toMatch(/delayed offer/);
    expect(sdpRefusal(Buffer.from(`${offer}a=sendonly\r\n`), 'application/sdp')).toMatch(/sendonly/);
    const duplicate = offer.replace('RTP/SAVP 111 103', 'RTP/SAVP 0 0');
    expect(sdpRefusal(Buffer.from(duplicate), 'application/sdp')).toMatch(/duplicate payload/);
  });
});
