import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../sip/message/sip-headers.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import { presentedCaller, toE164 } from './caller-id.js';

function invite(headers: Record<string, string>): SipRequest {
  const list = new SipHeaders();
  for (const [name, value] of Object.entries(headers)) list.append(name, value);
  return {
    kind: 'request',
    method: 'INVITE',
    uri: 'sip:cb1@127.0.0.1',
    headers: list,
    body: Buffer.alloc(0),
  };
}

describe('caller ID toward Teams', () => {
  it('reads national and 00-international numbers in the service country as +E.164, keeps extensions', () => {
    expect(toE164('03012345678', 'DE')).toBe('+493012345678');
    expect(toE164('0049%2030%2012345678', 'GB')).toBe('+493012345678');
    expect(toE164('01235123465', 'GB')).toBe('+441235123465');
    expect(toE164('+441235123465', null)).toBe('+441235123465');
    expect(toE164('2001', 'DE')).toBe('2001');
    expect(toE164('01235123465', null)).toBe('01235123465'); // no country: nothing to read it in
    expect(toE164('alice', 'GB')).toBe('alice');
  });

  it('takes the asserted identity before From, and hides the caller on Privacy or an anonymous From', () => {
    expect(
      presentedCaller(
        invite({ From: '<sip:2001@pbx>;tag=1', 'P-Asserted-Identity': '<sip:01235123465@pbx>' }),
        'GB',
      ),
    ).toEqual({ number: '+441235123465', privacy: false });
    expect(
      presentedCaller(
        invite({
          From: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1',
          'P-Asserted-Identity': '<sip:+441235123465@pbx>',
        }),
        'GB',
      ),
    ).toEqual({ number: '+441235123465', privacy: true });
    expect(presentedCaller(invite({ From: '<sip:01235123465@pbx>;tag=1', Privacy: 'id' }), 'GB')).toEqual({
      number: '+441235123465',
      privacy: true,
    });
    expect(presentedCaller(invite({ From: '<sip:anonymous@pbx>;tag=1' }), 'GB')).toEqual({
      number: 'anonymous',
      privacy: true,
    });
    expect(presentedCaller(invite({ From: '<sip:2001@pbx>;tag=1', Privacy: 'none' }), 'GB').privacy).toBe(
      false,
    );
  });
});
