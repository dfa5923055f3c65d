import { describe, expect, it } from 'vitest';
import {
  alawToLinear,
  decodeFrame,
  linearToAlaw,
  linearToUlaw,
  toneFrame,
  toneShare,
  ulawToLinear,
} from './g711.js';
import { parseAudioMedia, payloadTypeOf, writeAudioSdp } from './sdp-media.js';

describe('the peer SDP reader and writer', () => {
  it('reads the audio stream: media-level address over session-level, crypto lines, rtcp-mux, direction', () => {
    const media = parseAudioMedia(
      [
        'v=0',
        'c=IN IP4 192.0.2.1',
        'm=audio 4000 RTP/SAVP 0 101',
        'c=IN IP4 198.51.100.7',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:abc|2^31',
        'a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:def|2^31|1:1',
        'a=rtcp-mux',
        'a=sendonly',
        'm=video 5000 RTP/AVP 96',
        'a=sendrecv',
      ].join('\r\n'),
    );
    expect(media).toMatchObject({
      address: '198.51.100.7',
      port: 4000,
      protocol: 'RTP/SAVP',
      payloadTypes: [0, 101],
    });
    expect(media.crypto).toEqual([
      { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_32', inline: 'abc|2^31' },
      { tag: 2, suite: 'AES_CM_128_HMAC_SHA1_80', inline: 'def|2^31|1:1' },
    ]);
    expect(media.rtcpMux).toBe(true);
    expect(media.direction).toBe('sendonly');
    expect(payloadTypeOf(media, 'telephone-event')).toBe(101);
    expect(() => parseAudioMedia('v=0\r\nm=video 5000 RTP/AVP 96\r\n')).toThrow(/no m=audio/);
  });

  it('writes plain RTP/AVP, or RTP/SAVP with rtcp-mux and its crypto line', () => {
    const plain = writeAudioSdp({
      address: '127.0.0.1',
      port: 4000,
      codec: 'PCMA',
      telephoneEvent: 101,
      sessionId: 7,
    });
    expect(plain).toContain('m=audio 4000 RTP/AVP 8 101\r\n');
    expect(plain).not.toMatch(/a=crypto|a=rtcp-mux/);
    const secure = parseAudioMedia(
      writeAudioSdp({
        address: '127.0.0.1',
        port: 4000,
        codec: 'PCMU',
        telephoneEvent: 101,
        sessionId: 7,
        crypto: { tag: 3, suite: 'AES_CM_128_HMAC_SHA1_80', inline: 'key' },
      }),
    );
    expect(secure).toMatchObject({
      protocol: 'RTP/SAVP',
      rtcpMux: true,
      crypto: [{ tag: 3, inline: 'key' }],
    });
  });
});

describe('G.711 and the tone check', () => {
  it('encodes and decodes within the codec step, both laws', () => {
    for (const sample of [0, 100, -100, 1000, -5000, 20000, -32000]) {
      expect(Math.abs(ulawToLinear(linearToUlaw(sample)) - sample)).toBeLessThanOrEqual(
        Math.abs(sample) / 16 + 8,
      );
      expect(Math.abs(alawToLinear(linearToAlaw(sample)) - sample)).toBeLessThanOrEqual(
        Math.abs(sample) / 16 + 16,
      );
    }
  });

  it('tells a 400 Hz frame from a 1,000 Hz one', () => {
    const frame = decodeFrame('PCMU', toneFrame('PCMU', 400, 0));
    expect(toneShare(frame, 400)).toBeGreaterThan(0.4);
    expect(toneShare(frame, 1000)).toBeLessThan(0.05);
    expect(toneShare(decodeFrame('PCMA', toneFrame('PCMA', 1000, 80)), 1000)).toBeGreaterThan(0.4);
  });
});
