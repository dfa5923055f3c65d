import { describe, expect, it } from 'vitest';
import { isSipError } from '../sip.error.js';
import { ALL_FIXTURES, CHALLENGE, COMPACT_OPTIONS, REGISTER, TORTUOUS_INVITE } from './message.fixtures.js';
import { parseMessage } from './message.parser.js';
import { serializeMessage } from './message.serializer.js';
import { parseCSeq, type SipMessage } from './sip-message.js';
import { parseNameAddr } from './sip-uri.js';
import { parseVia } from './via.js';

const parse = (text: string): SipMessage => parseMessage(Buffer.from(text));

function rejects(text: string): string {
  try {
    parseMessage(Buffer.from(text));
  } catch (error) {
    if (isSipError(error)) return error.code;
    throw error;
  }
  throw new Error('accepted a message that should be rejected');
}

describe('parseMessage', () => {
  it('parses a REGISTER request with its headers', () => {
    const msg = parse(REGISTER);
    expect(msg.kind).toBe('request');
    if (msg.kind !== 'request') return;
    expect(msg.method).toBe('REGISTER');
    expect(msg.uri).toBe('sip:pbx.example.com');
    expect(msg.headers.get('call-id')).toBe('1j9FpLxk3uxtm8tn@192.0.2.10');
    expect(parseCSeq(msg.headers.get('CSEQ'))).toEqual({ seq: 1, method: 'REGISTER' });
    expect(msg.body.length).toBe(0);
  });

  it('parses a 401 response and keeps the challenge intact', () => {
    const msg = parse(CHALLENGE);
    expect(msg.kind === 'response' && msg.status).toBe(401);
    expect(msg.kind === 'response' && msg.reason).toBe('Unauthorized');
    expect(msg.headers.get('www-authenticate')).toContain('nonce="Y2Fmx2MfZVtyVnwOd3RbLu8gFmeQGsRe"');
  });

  it('survives the tortuous INVITE: folding, compact forms, odd spacing, Via lists, body by Content-Length', () => {
    const msg = parse(TORTUOUS_INVITE);
    expect(msg.kind === 'request' && msg.method).toBe('INVITE');
    expect(parseCSeq(msg.headers.get('CSeq'))).toEqual({ seq: 9, method: 'INVITE' });
    const vias = msg.headers.getList('Via').map(parseVia);
    expect(vias.map((v) => `${v.transport} ${v.host}`)).toEqual([
      'UDP 192.0.2.2',
      'TCP 192.168.255.111',
      'TCP spindle.example.com',
      'UDP 192.168.255.111',
    ]);
    expect(vias[2]!.params.get('branch')).toBe('z9hG4bK9ikj8');
    expect(vias[3]!.params.get('branch')).toBe('z9hG4bK30239');
    expect(msg.headers.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(msg.headers.get('Subject')).toBe('');
    const contact = parseNameAddr(msg.headers.getList('m')[0]!);
    expect(contact.displayName).toBe('Quoted string ""');
    expect(contact.params.get('newparam')).toBe('newvalue');
    expect(contact.params.get('q')).toBe('0.33');
    const from = parseNameAddr(msg.headers.get('f')!);
    expect(from.displayName).toBe('J Rosenberg \\"');
    expect(from.params.get('tag')).toBe('98asjd8');
    expect(parseNameAddr(msg.headers.get('To')!).params.get('tag')).toBe('1918181833n');
    expect(msg.body.length).toBe(148);
    expect(msg.body.toString()).toMatch(/^v=0\r\n.*a=rtpmap:31 LPC$/s);
  });

  it('expands compact forms and accepts bare LF line ends', () => {
    const msg = parse(COMPACT_OPTIONS);
    expect(msg.headers.get('Call-ID')).toBe('compact-1@198.51.100.7');
    expect(msg.headers.getList('Supported')).toEqual(['path', 'outbound']);
    expect(msg.headers.get('content-length')).toBe('0');
  });

  it('ignores CRLFs before the start line and cuts a datagram body to Content-Length', () => {
    const text = '\r\n\r\n' + REGISTER.replace('Content-Length: 0', 'Content-Length: 3') + 'abcdef';
    expect(parse(text).body.toString()).toBe('abc');
  });

  it('splits Contact lists without breaking quoted commas', () => {
    const text = REGISTER.replace(
      'Contact: <sip:k3j2h1@192.0.2.10:5060>;expires=3600',
      'Contact: "Doe, Jane" <sip:a@192.0.2.1>;expires=60, <sip:b@192.0.2.2>;expires=30\r\nContact: sip:c@192.0.2.3',
    );
    const contacts = parse(text).headers.getList('Contact').map(parseNameAddr);
    expect(contacts.map((c) => c.uri.user)).toEqual(['a', 'b', 'c']);
    expect(contacts[0]!.displayName).toBe('Doe, Jane');
    expect(contacts[1]!.params.get('expires')).toBe('30');
  });

  it.each([
    ['missing Call-ID', REGISTER.replace(/Call-ID: .*\r\n/, '')],
    ['missing Via', REGISTER.replace(/Via: .*\r\n/, '')],
    ['CSeq method differs from the request method', REGISTER.replace('CSeq: 1 REGISTER', 'CSeq: 1 INVITE')],
    ['non-numeric CSeq', REGISTER.replace('CSeq: 1 REGISTER', 'CSeq: one REGISTER')],
    ['Content-Length beyond the datagram', REGISTER.replace('Content-Length: 0', 'Content-Length: 10')],
    ['negative Content-Length', REGISTER.replace('Content-Length: 0', 'Content-Length: -1')],
    ['unknown protocol version', REGISTER.replace('SIP/2.0\r\n', 'SIP/7.0\r\n')],
    ['space in a header name', REGISTER.replace('Max-Forwards', 'Max Forwards')],
    ['no blank line after the headers', REGISTER.replace(/\r\n\r\n$/, '\r\n')],
    ['a bad Via', REGISTER.replace('SIP/2.0/UDP 192.0.2.10:5060', 'SIP/2.0/UDP 192.0.2.10:99999')],
    ['garbage', '\u0000\u0001 not sip at all\r\n\r\n'],
  ])('rejects %s with a typed error', (_label, text) => {
    expect(rejects(text)).toBe('sip_parse_failed');
  });

  it('rejects a header section over the limit as too large', () => {
    const huge = REGISTER.replace('Max-Forwards: 70', `X-Filler: ${'a'.repeat(40_000)}`);
    expect(rejects(huge)).toBe('sip_message_too_large');
  });

  it('rejects more header lines than the limit', () => {
    const many = REGISTER.replace(
      'Max-Forwards: 70',
      Array.from({ length: 300 }, (_, i) => `X-H${i}: 1`).join('\r\n'),
    );
    expect(rejects(many)).toBe('sip_message_too_large');
  });
});

describe('serializeMessage', () => {
  it.each(ALL_FIXTURES.map((f, i) => [i, f] as const))(
    'round-trips fixture %i to an equal message',
    (_i, text) => {
      const first = parse(text);
      const wire = serializeMessage(first);
      const second = parseMessage(wire);
      const withoutLength = (m: SipMessage): string[][] =>
        [...m.headers].filter(([n]) => n !== 'Content-Length');
      expect(withoutLength(second)).toEqual(withoutLength(first));
      expect(second.headers.get('Content-Length')).toBe(`${first.body.length}`);
      expect(second.body.equals(first.body)).toBe(true);
      expect(serializeMessage(second).equals(wire)).toBe(true);
    },
  );

  it('writes canonical names and a Content-Length that matches the body', () => {
    const msg = parse(COMPACT_OPTIONS);
    msg.body = Buffer.from('hello');
    const wire = serializeMessage(msg).toString();
    expect(wire).toContain('\r\nCall-ID: compact-1@198.51.100.7\r\n');
    expect(wire).toContain('\r\nContent-Length: 5\r\n\r\nhello');
    expect(wire).not.toContain('\nl: ');
  });
});
