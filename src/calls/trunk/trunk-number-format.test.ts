import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../../sip/message/sip-headers.js';
import type { SipRequest } from '../../sip/message/sip-message.js';
import { calledNumberOf, fromWire, toWire, type WireFormat } from './trunk-number-format.js';

const gb = (format: WireFormat['format'], prefix = ''): WireFormat => ({ format, prefix, country: 'GB' });

describe('numbers on a trunk wire', () => {
  it.each([
    ['+441235123465', gb('e164')],
    ['441235123465', gb('e164-no-plus')],
    ['01235123465', gb('national')],
    ['901235123465', gb('national', '9')],
    ['0044 1235 123465', gb('national')],
    ['%2B441235123465', gb('e164')],
  ])('reads %s as +441235123465', (raw, wire) => {
    expect(fromWire(raw, wire)).toBe('+441235123465');
  });

  it('refuses what cannot be a number (the call then gets 404)', () => {
    expect(fromWire('alice', gb('e164'))).toBeUndefined();
    expect(fromWire('+12', gb('e164'))).toBeUndefined();
    expect(fromWire('01235123465', { format: 'national', prefix: '', country: null })).toBeUndefined();
  });

  it.each([
    [gb('e164'), '+441235123465'],
    [gb('e164-no-plus'), '441235123465'],
    [gb('national'), '01235123465'],
    [gb('national', '9'), '901235123465'],
  ])('writes +441235123465 for %j as %s', (wire, expected) => {
    expect(toWire('+441235123465', wire)).toBe(expected);
  });

  it('writes a foreign number in the national format with the international 00, and a short code as dialled', () => {
    expect(toWire('+33142685300', gb('national'))).toBe('0033142685300');
    expect(toWire('2001', gb('e164-no-plus', '9'))).toBe('92001');
  });
});

describe('the called number of an inbound INVITE', () => {
  const invite = (uri: string, headers: Record<string, string>): SipRequest => {
    const h = new SipHeaders();
    for (const [name, value] of Object.entries(headers)) h.append(name, value);
    return { kind: 'request', method: 'INVITE', uri, headers: h, body: Buffer.alloc(0) };
  };
  const request = invite('sip:cbtrunk1@192.0.2.1:5060', {
    To: '<sip:+441235123465@carrier.example;user=phone>',
    Diversion: '<sip:01235123400@carrier.example>;reason=unconditional',
    'History-Info':
      '<sip:+441235123401@carrier.example;user=phone?Reason=SIP%3Bcause%3D302>;index=1, <sip:+449@x>;index=1.1',
  });

  it('takes it from where the trunk puts it', () => {
    expect(calledNumberOf(request, 'to')).toBe('+441235123465');
    expect(calledNumberOf(request, 'diversion')).toBe('01235123400');
    expect(calledNumberOf(request, 'history-info')).toBe('+441235123401');
    expect(calledNumberOf(invite('sip:441235123499@cb', {}), 'request-uri')).toBe('441235123499');
    expect(calledNumberOf(invite('sip:+44123@cb', { To: '<tel:+441235123465>' }), 'to')).toBe(
      '+441235123465',
    );
  });

  it('falls back to the Request-URI when the header named is absent', () => {
    expect(calledNumberOf(invite('sip:441235123499@cb', {}), 'diversion')).toBe('441235123499');
  });
});
