import { describe, expect, it } from 'vitest';
import { readRtp, writeRtp } from './rtp-packet.js';
import { deriveSrtpKeys, newSdesKey, SrtpContext } from './srtp-context.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('SRTP AES_CM_128_HMAC_SHA1_80', () => {
  it('derives the session keys of RFC 3711 appendix B.3', () => {
    const keys = deriveSrtpKeys(hex('E1F97A0D3E018BE0D64FA32C06DE4139'), hex('0EC675AD498AFEEBB6960B3AABE6'));
    expect(keys.cipherKey.toString('hex').toUpperCase()).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(keys.cipherSalt.toString('hex').toUpperCase()).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(keys.authKey.toString('hex').toUpperCase()).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });

  it('round-trips packets across a sequence wrap and refuses a tampered or wrongly keyed one', () => {
    const key = newSdesKey();
    const sender = new SrtpContext(`${key}|2^31`);
    const receiver = new SrtpContext(key);
    const payload = Buffer.from('twenty milliseconds of audio');
    for (const sequence of [65534, 65535, 0, 1]) {
      const plain = writeRtp({
        payloadType: 0,
        marker: false,
        sequence,
        timestamp: sequence * 160,
        ssrc: 0x1234,
        payload,
      });
      const secured = sender.protect(plain);
      expect(secured.length).toBe(plain.length + 10);
      expect(secured.subarray(12, 12 + payload.length).equals(payload)).toBe(false);
      expect(readRtp(receiver.unprotect(secured) ?? Buffer.alloc(0))?.payload.toString()).toBe(
        payload.toString(),
      );
    }
    const tampered = sender.protect(
      writeRtp({ payloadType: 0, marker: false, sequence: 2, timestamp: 320, ssrc: 0x1234, payload }),
    );
    tampered[14] = (tampered[14] ?? 0) ^ 1;
    expect(receiver.unprotect(tampered)).toBeUndefined();
    const stranger = new SrtpContext(newSdesKey());
    expect(
      stranger.unprotect(
        sender.protect(
          writeRtp({ payloadType: 0, marker: false, sequence: 3, timestamp: 480, ssrc: 1, payload }),
        ),
      ),
    ).toBeUndefined();
  });

  it('refuses a key of the wrong length', () => {
    expect(() => new SrtpContext(Buffer.alloc(16).toString('base64'))).toThrow(/30 bytes/);
  });
});
