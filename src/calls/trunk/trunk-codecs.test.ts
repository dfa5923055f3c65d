import { describe, expect, it } from 'vitest';
import { filterCodecs } from './trunk-codecs.js';

const offer = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 9 0 8 101',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=sendrecv',
  '',
].join('\r\n');

describe('the trunk codecs cut the offer', () => {
  it('keeps only the configured codecs, in the offer order, with their attributes', () => {
    const cut = filterCodecs(Buffer.from(offer), ['telephone-event', 'PCMA']).toString();
    expect(cut).toContain('m=audio 30000 RTP/AVP 8 101\r\n');
    expect(cut).not.toMatch(/rtpmap:(9|0) /);
    expect(cut).toContain('a=fmtp:101 0-16');
    expect(cut).toContain('a=sendrecv');
  });

  it('leaves the offer whole when no configured codec is in it (the carrier then says 488)', () => {
    expect(filterCodecs(Buffer.from(offer), ['G729']).toString()).toBe(offer);
  });
});
