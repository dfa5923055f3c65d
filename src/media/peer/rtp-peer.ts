import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { decodeFrame, G711_PAYLOAD_TYPE, toneFrame, toneShare, type G711 } from './g711.js';
import { isRtcp, readRtp, writeRtp } from './rtp-packet.js';
import {
  parseAudioMedia,
  payloadTypeOf,
  writeAudioSdp,
  type AudioMedia,
  type SdesCrypto,
} from './sdp-media.js';
import { newSdesKey, SrtpContext } from './srtp-context.js';

const SUITE = 'AES_CM_128_HMAC_SHA1_80';
const DTMF_EVENTS = '0123456789*#ABCD';

/** How the peer sends and what it expects. */
export interface RtpPeerOptions {
  /** SDES-SRTP with AES_CM_128_HMAC_SHA1_80 (the Teams side) or plain RTP (the PBX side). */
  srtp?: boolean;
  codec?: G711;
  /** The tone this peer sends, in Hz (a multiple of 50 is measured exactly). Default 1000. */
  toneHz?: number;
  address?: string;
}

/** What the peer has seen so far. */
export interface RtpPeerCounts {
  sent: number;
  /** RTP packets received and, with SRTP, authenticated. */
  received: number;
  /** Received packets per payload type. */
  byPayloadType: Record<number, number>;
  /** SRTP packets whose authentication failed (wrong key, or not SRTP). */
  authFailures: number;
  /** RTCP / SRTCP packets received (not decoded). */
  rtcp: number;
  /** Completed RFC 4733 events received, in order (`0`-`9`, `*`, `#`, `A`-`D`). */
  digits: string;
}

/**
 * A media endpoint for tests and the emulator: sends a G.711 tone in 20 ms packets to the address of the remote
 * SDP, sends RFC 4733 events, speaks SDES-SRTP when asked, and counts and checks what it receives.
 */
export class RtpPeer {
  readonly counts: RtpPeerCounts = {
    sent: 0,
    received: 0,
    byPayloadType: {},
    authFailures: 0,
    rtcp: 0,
    digits: '',
  };
  private readonly frames: Buffer[] = [];
  private readonly codec: G711;
  private readonly toneHz: number;
  private readonly ssrc = randomInt(1, 0xffffffff);
  private sequence = randomInt(0, 0xffff);
  private timestamp = randomInt(0, 0xffffffff);
  private samples = 0;
  private outbound: SrtpContext | undefined;
  private inbound: SrtpContext | undefined;
  private localCrypto: SdesCrypto | undefined;
  private remote: AudioMedia | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dtmf: { event: number; timestamp: number; duration: number; end: number } | undefined;
  private lastEventTimestamp: number | undefined;
  private startedAt = 0;
  private framesSent = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly options: RtpPeerOptions,
  ) {
    this.codec = options.codec ?? 'PCMU';
    this.toneHz = options.toneHz ?? 1000;
    if (options.srtp) {
      this.localCrypto = { tag: 1, suite: SUITE, inline: newSdesKey() };
      this.outbound = new SrtpContext(this.localCrypto.inline);
    }
    socket.on('message', (message) => this.receive(message));
  }

  /** Binds a UDP port on `address` (127.0.0.1 by default). */
  static async open(options: RtpPeerOptions = {}): Promise<RtpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, options.address ?? '127.0.0.1', resolve));
    return new RtpPeer(socket, options);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** This peer's SDP (an offer, or the answer to the remote SDP set before: then its crypto tag is echoed). */
  sdp(): string {
    return writeAudioSdp({
      address: this.socket.address().address,
      port: this.port,
      codec: this.codec,
      telephoneEvent: 101,
      crypto: this.localCrypto,
      sessionId: this.ssrc,
    });
  }

  /** Takes the far end's SDP: where to send and, with SRTP, the key of its first `_80` line. */
  setRemote(sdp: string): void {
    const media = parseAudioMedia(sdp);
    this.remote = media;
    if (!this.options.srtp) return;
    const crypto = media.crypto.find((line) => line.suite === SUITE);
    if (!crypto) throw new Error(`The remote SDP has no ${SUITE} crypto line for this SRTP peer.`);
    this.inbound = new SrtpContext(crypto.inline);
    if (this.localCrypto) this.localCrypto = { ...this.localCrypto, tag: crypto.tag };
  }

  /**
   * Starts sending the tone, one frame per 20 ms of wall time: a late timer sends the frames it owes (up to three at
   * once, as a jitter buffer would absorb), so a busy event loop lowers the packet rate only when it lags far.
   */
  start(): void {
    if (this.timer) return;
    this.startedAt = performance.now();
    this.framesSent = 0;
    this.timer = setInterval(() => this.tick(), 20);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sends one RFC 4733 event of `durationMs` in place of the tone; resolves when its end packets are sent. */
  async sendDigit(digit: string, durationMs = 100): Promise<void> {
    const event = DTMF_EVENTS.indexOf(digit.toUpperCase());
    if (event < 0) throw new Error(`"${digit}" is not a DTMF digit`);
    this.dtmf = { event, timestamp: this.timestamp, duration: 0, end: (durationMs / 1000) * 8000 };
    this.start();
    while (this.dtmf) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Share of the received audio frames that carry the tone of `frequency` Hz (and not mostly something else). */
  toneFraction(frequency: number): number {
    if (this.frames.length === 0) return 0;
    const matching = this.frames.filter(
      (frame) => toneShare(decodeFrame(this.codec, frame), frequency) > 0.3,
    );
    return matching.length / this.frames.length;
  }

  close(): void {
    this.stop();
    this.socket.close();
  }

  private tick(): void {
    const due = Math.floor((performance.now() - this.startedAt) / 20) + 1;
    this.framesSent = Math.max(this.framesSent, due - 3);
    while (this.framesSent < due) {
      this.framesSent += 1;
      this.frame();
    }
  }

  private frame(): void {
    if (!this.remote || this.remote.port === 0) return;
    if (this.dtmf) {
      this.sendEvent(this.dtmf);
      return;
    }
    const payload = toneFrame(this.codec, this.toneHz, this.samples);
    this.samples += 160;
    this.send(G711_PAYLOAD_TYPE[this.codec], false, this.timestamp, payload);
    this.timestamp = (this.timestamp + 160) >>> 0;
  }

  /** One packet of the current event; the last one (E bit) three times, as RFC 4733 2.5.1.4 asks. */
  private sendEvent(dtmf: NonNullable<RtpPeer['dtmf']>): void {
    const payloadType = (this.remote && payloadTypeOf(this.remote, 'telephone-event')) ?? 101;
    dtmf.duration += 160;
    const ended = dtmf.duration >= dtmf.end;
    const payload = Buffer.from([
      dtmf.event,
      (ended ? 0x80 : 0) | 10,
      (dtmf.duration >> 8) & 0xff,
      dtmf.duration & 0xff,
    ]);
    for (let i = 0; i < (ended ? 3 : 1); i += 1)
      this.send(payloadType, dtmf.duration === 160 && i === 0, dtmf.timestamp, payload);
    if (ended) {
      this.dtmf = undefined;
      this.timestamp = (dtmf.timestamp + dtmf.duration) >>> 0;
    }
  }

  private send(payloadType: number, marker: boolean, timestamp: number, payload: Buffer): void {
    if (!this.remote) return;
    const packet = writeRtp({
      payloadType,
      marker,
      sequence: this.sequence,
      timestamp,
      ssrc: this.ssrc,
      payload,
    });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.socket.send(
      this.outbound ? this.outbound.protect(packet) : packet,
      this.remote.port,
      this.remote.address,
    );
    this.counts.sent += 1;
  }

  private receive(message: Buffer): void {
    if (isRtcp(message)) {
      this.counts.rtcp += 1;
      return;
    }
    let bytes: Buffer | undefined = message;
    if (this.options.srtp) {
      bytes = this.inbound?.unprotect(message);
      if (!bytes) {
        this.counts.authFailures += 1;
        return;
      }
    }
    const packet = readRtp(bytes);
    if (!packet) return;
    this.counts.received += 1;
    this.counts.byPayloadType[packet.payloadType] = (this.counts.byPayloadType[packet.payloadType] ?? 0) + 1;
    if (packet.payloadType === G711_PAYLOAD_TYPE[this.codec]) {
      if (this.frames.length < 3000) this.frames.push(Buffer.from(packet.payload));
    } else if (this.remote && packet.payloadType === payloadTypeOf(this.remote, 'telephone-event')) {
      const ended = ((packet.payload[1] ?? 0) & 0x80) !== 0;
      if (ended && packet.timestamp !== this.lastEventTimestamp) {
        this.lastEventTimestamp = packet.timestamp;
        this.counts.digits += DTMF_EVENTS[packet.payload[0] ?? 0] ?? '?';
      }
    }
  }
}
