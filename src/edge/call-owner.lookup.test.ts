import { describe, expect, it } from 'vitest';
import { forwardingOf } from '../emulator/teams-sip/teams-forwarding.js';
import { SipHeaders } from '../sip/message/sip-headers.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import { ownerNumbers } from './call-owner.lookup.js';

function invite(uri: string, headers: Record<string, string>): SipRequest {
  const h = new SipHeaders();
  for (const [name, value] of Object.entries(headers)) h.append(name, value);
  return { kind: 'request', method: 'INVITE', uri, headers: h, body: Buffer.alloc(0) };
}

const FROM_PSTN = '<sip:+447700900123@sip.pstnhub.microsoft.com:5061;user=phone>;tag=a1';

describe('ownerNumbers: whose call an INVITE from Teams is', () => {
  it('an ordinary call is the caller’s: P-Asserted-Identity before From', () => {
    const request = invite('sip:2001@c.sbc.test:5061;user=phone', {
      From: '<sip:+4930111@sip.pstnhub.microsoft.com>;tag=x',
      'P-Asserted-Identity': '<sip:+4930999@sip.pstnhub.microsoft.com>',
    });
    expect(ownerNumbers(request)).toEqual(['+4930999', '+4930111']);
  });

  it('a forwarded call (as the emulator sends it) is first the forwarding user’s, then the outside caller’s', () => {
    const { headers, uriParams } = forwardingOf({
      caller: '+447700900123',
      user: '+4930111',
      target: '+4930200',
      kind: 'forward',
      cause: 486,
    });
    const request = invite(`sip:+4930200@c.sbc.test:5061;user=phone${uriParams}`, {
      From: FROM_PSTN,
      ...headers,
    });
    expect(ownerNumbers(request)).toEqual(['+4930111', '+447700900123']);
  });

  it('a simultaneous ring names the user whose branch it is, never the target the call is going to', () => {
    const { headers } = forwardingOf({
      caller: '+447700900123',
      user: '+4930111',
      target: '+4930200',
      kind: 'simultaneous-ring',
    });
    const request = invite('sip:+4930200@c.sbc.test:5061;user=phone', { From: FROM_PSTN, ...headers });
    expect(ownerNumbers(request)).toEqual(['+4930111', '+447700900123']);
  });

  it("Microsoft's published chain: the most recent diversion first; Referred-By with a number before the caller", () => {
    const request = invite('sip:2001@c.sbc.test', {
      From: FROM_PSTN,
      'Referred-By': '<sip:+4930777@sip.pstnhub.microsoft.com>',
      'History-Info':
        '<sip:+123456@sip.pstnhub.microsoft.com:5061;user=phone?Reason=SIP%3Bcause%3D302%3Btext%3D%22Moved%20temporarily%22>;index=1,' +
        '<sip:+113579@sip.pstnhub.microsoft.com:5061;user=phone?Reason=SIP%3Bcause%3D496%3Btext%3D%22User%20Busy%22>;index=1.1',
    });
    expect(ownerNumbers(request)).toEqual(['+113579', '+123456', '+4930777', '+447700900123']);
  });

  it('a hostile History-Info costs at most six lookups, and names that are no +E.164 numbers are skipped', () => {
    const many = Array.from(
      { length: 500 },
      (_, i) => `<sip:+49301${i}@ms?Reason=SIP%3Bcause%3D302>;index=1.${i}`,
    );
    const request = invite('sip:2001@c.sbc.test', {
      From: '<sip:anonymous@anonymous.invalid>;tag=z',
      'History-Info': ['<sip:alice@ms?Reason=SIP%3Bcause%3D302>;index=1', ...many].join(','),
    });
    const numbers = ownerNumbers(request);
    expect(numbers).toHaveLength(6);
    expect(numbers.every((n) => /^\+\d+$/.test(n))).toBe(true);
  });
});
