import { describe, expect, it } from 'vitest';
import { bdecode, bencode } from './bencode.js';

describe('bencode', () => {
  it('encodes the ng dictionaries rtpengine reads, keys sorted and UTF-8 lengths in bytes', () => {
    expect(bencode({ command: 'offer', 'call-id': 'a', flags: ['x', 'yz'], n: -3 }).toString()).toBe(
      'd7:call-id1:a7:command5:offer5:flagsl1:x2:yze1:ni-3ee',
    );
    expect(bencode('é').toString()).toBe('2:é');
  });

  it('decodes what it encodes, nested', () => {
    const value = {
      sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n',
      tags: { a: { medias: [{ index: 1 }] } },
      list: [],
    };
    expect(bdecode(bencode(value))).toEqual(value);
    expect(bdecode(Buffer.from('li-42ei0e0:2:\xc3\xa9e', 'latin1'))).toEqual([-42, 0, '', 'é']);
  });

  it('refuses malformed input with the offset of the problem', () => {
    expect(() => bdecode(Buffer.from('d6:result'))).toThrow(/ended|past the end/);
    expect(() => bdecode(Buffer.from('i1x'))).toThrow(/bad integer at 0/);
    expect(() => bdecode(Buffer.from('d1:ai1ee '))).toThrow(/trailing/);
    expect(() => bdecode(Buffer.from('di1ei2ee'))).toThrow(/not a string/);
    expect(() => bencode(1.5)).toThrow(/integers only/);
  });
});
