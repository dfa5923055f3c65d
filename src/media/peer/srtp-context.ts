import { createCipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { rtpHeaderLength } from './rtp-packet.js';

/**
 * SRTP (RFC 3711) with AES_CM_128_HMAC_SHA1_80 for one direction of one stream, keyed by SDES (RFC 4568). Written on
 * node:crypto (AES-128-CTR and HMAC-SHA1 do the work; this file adds the key derivation, the IV and the rollover
 * counter) because npm has no maintained stand-alone SRTP package: the maintained implementations live inside
 * whole WebRTC stacks. Proven against rtpengine's SRTP in the relay tests and against RFC 3711's test vectors.
 * SRTCP is not produced: the peer sends no RTCP and drops what it receives.
 */

const AUTH_TAG_LENGTH = 10;

/** AES-CM keystream for `iv` (16 bytes) XORed over `data` (RFC 3711 4.1.1; CTR mode with a 128-bit counter). */
function aesCm(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** The session keys derived from a master key and salt (RFC 3711 4.3.1, key derivation rate 0). */
export interface SrtpSessionKeys {
  cipherKey: Buffer;
  cipherSalt: Buffer;
  authKey: Buffer;
}

/** Derives the SRTP session keys (labels 0, 1, 2) from a 16-byte master key and 14-byte master salt. */
export function deriveSrtpKeys(masterKey: Buffer, masterSalt: Buffer): SrtpSessionKeys {
  const derive = (label: number, length: number): Buffer => {
    const iv = Buffer.alloc(16);
    masterSalt.copy(iv, 0, 0, 14);
    iv[7] = (iv[7] ?? 0) ^ label;
    return aesCm(masterKey, iv, Buffer.alloc(length));
  };
  return { cipherKey: derive(0, 16), authKey: derive(1, 20), cipherSalt: derive(2, 14) };
}

/** A fresh master key and salt, as the `inline:` value of an `a=crypto` line (base64 of 30 bytes). */
export function newSdesKey(): string {
  return randomBytes(30).toString('base64');
}

/** One direction of SRTP: `protect` for what we send, `unprotect` for what we receive. */
export class SrtpContext {
  private readonly keys: SrtpSessionKeys;
  private rolloverCounter = 0;
  private highestSequence: number | undefined;

  /** `inline` is the key parameter of an `a=crypto` line: base64 key||salt, optionally `|lifetime|mki:len`. */
  constructor(inline: string) {
    const material = Buffer.from(inline.split('|')[0] ?? '', 'base64');
    if (material.length !== 30) {
      throw new Error(
        `AES_CM_128_HMAC_SHA1_80 needs 30 bytes of key and salt, the inline key has ${material.length}`,
      );
    }
    this.keys = deriveSrtpKeys(material.subarray(0, 16), material.subarray(16));
  }

  /** Encrypts and authenticates an RTP packet. The sender's sequence numbers advance by one, so wraps are seen. */
  protect(packet: Buffer): Buffer {
    const headerLength = rtpHeaderLength(packet);
    if (headerLength === undefined) throw new Error('not an RTP packet');
    const sequence = packet.readUInt16BE(2);
    if (
      this.highestSequence !== undefined &&
      sequence < this.highestSequence &&
      this.highestSequence - sequence > 0x8000
    ) {
      this.rolloverCounter += 1;
    }
    this.highestSequence = sequence;
    const encrypted = Buffer.concat([
      packet.subarray(0, headerLength),
      aesCm(this.keys.cipherKey, this.iv(packet, this.rolloverCounter), packet.subarray(headerLength)),
    ]);
    return Buffer.concat([encrypted, this.tag(encrypted, this.rolloverCounter)]);
  }

  /** Checks and decrypts an SRTP packet; undefined when its authentication tag is wrong (or it is not RTP). */
  unprotect(packet: Buffer): Buffer | undefined {
    const headerLength = rtpHeaderLength(packet);
    if (headerLength === undefined || packet.length < headerLength + AUTH_TAG_LENGTH) return undefined;
    const sequence = packet.readUInt16BE(2);
    const rollover = this.estimateRollover(sequence);
    const authenticated = packet.subarray(0, packet.length - AUTH_TAG_LENGTH);
    if (
      !timingSafeEqual(this.tag(authenticated, rollover), packet.subarray(packet.length - AUTH_TAG_LENGTH))
    ) {
      return undefined;
    }
    if (
      this.highestSequence === undefined ||
      rollover > this.rolloverCounter ||
      (rollover === this.rolloverCounter && sequence > this.highestSequence)
    ) {
      this.rolloverCounter = rollover;
      this.highestSequence = sequence;
    }
    return Buffer.concat([
      authenticated.subarray(0, headerLength),
      aesCm(this.keys.cipherKey, this.iv(packet, rollover), authenticated.subarray(headerLength)),
    ]);
  }

  /** RFC 3711 3.3.1: the rollover counter a received sequence number belongs to. */
  private estimateRollover(sequence: number): number {
    if (this.highestSequence === undefined) return this.rolloverCounter;
    if (this.highestSequence < 0x8000) {
      return sequence - this.highestSequence > 0x8000 ? this.rolloverCounter - 1 : this.rolloverCounter;
    }
    return this.highestSequence - 0x8000 > sequence ? this.rolloverCounter + 1 : this.rolloverCounter;
  }

  /** IV = (salt << 16) XOR (SSRC << 64) XOR (index << 16), index = ROC << 16 | SEQ (RFC 3711 4.1.1). */
  private iv(packet: Buffer, rollover: number): Buffer {
    const iv = Buffer.alloc(16);
    this.keys.cipherSalt.copy(iv, 0);
    for (let i = 0; i < 4; i += 1) iv[4 + i] = (iv[4 + i] ?? 0) ^ (packet[8 + i] ?? 0);
    const index = Buffer.alloc(6);
    index.writeUInt32BE(rollover >>> 0, 0);
    index.writeUInt16BE(packet.readUInt16BE(2), 4);
    for (let i = 0; i < 6; i += 1) iv[8 + i] = (iv[8 + i] ?? 0) ^ (index[i] ?? 0);
    return iv;
  }

  /** HMAC-SHA1 over the packet and the rollover counter, cut to 80 bits. */
  private tag(authenticated: Buffer, rollover: number): Buffer {
    const roc = Buffer.alloc(4);
    roc.writeUInt32BE(rollover >>> 0);
    return createHmac('sha1', this.keys.authKey)
      .update(authenticated)
      .update(roc)
      .digest()
      .subarray(0, AUTH_TAG_LENGTH);
  }
}
