import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { G711 } from '../media/peer/g711.js';
import { isRtcp } from '../media/peer/rtp-packet.js';
import { RtpPeer } from '../media/peer/rtp-peer.js';
import { parseAudioMedia, payloadTypeOf, writeAudioSdp } from '../media/peer/sdp-media.js';

/** The demo PBX's answering extensions: what a newcomer can call from Teams. */
export const DEMO_EXTENSIONS = {
  tone: { number: '2000', label: 'answers with a 440 Hz G.711 tone' },
  echo: { number: '2001', label: 'echoes your audio back' },
} as const;

/** The media of one answered demo call. */
export interface DemoMedia {
  /** Our SDP answer. */
  answer: string;
  /** RTP packets received from the caller. */
  received(): number;
  close(): void;
}

/** The G.711 law to answer with: the first one the offer lists (PCMU when it lists neither). */
function codecOf(offer: string): G711 {
  const media = parseAudioMedia(offer);
  // Static payload types (0, 8) need no rtpmap line; a dynamic one would.
  const at = (name: G711, fixed: number) => {
    const index = media.payloadTypes.indexOf(payloadTypeOf(media, name) ?? fixed);
    return index < 0 ? Infinity : index;
  };
  return at('PCMA', 8) < at('PCMU', 0) ? 'PCMA' : 'PCMU';
}

/** Extension 2000: answers the offer and sends a 440 Hz tone (src/media/peer) until the call ends. */
export async function toneMedia(offer: string, address: string): Promise<DemoMedia> {
  const peer = await RtpPeer.open({ codec: codecOf(offer), toneHz: 440, address });
  peer.setRemote(offer);
  peer.start();
  return { answer: peer.sdp(), received: () => peer.counts.received, close: () => peer.close() };
}

/**
 * Extension 2001: sends every RTP packet back to where it came from (symmetric RTP, so it works behind the relay's
 * latching), so the caller hears themself. A socket of its own rather than `RtpPeer`, which generates audio.
 */
export async function echoMedia(offer: string, address: string): Promise<DemoMedia> {
  const codec = codecOf(offer);
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  let received = 0;
  socket.on('message', (packet, from) => {
    if (isRtcp(packet)) return;
    received++;
    socket.send(packet, from.port, from.address);
  });
  const answer = writeAudioSdp({
    address,
    port: socket.address().port,
    codec,
    telephoneEvent: 101,
    sessionId: randomInt(1, 0x7fffffff),
  });
  return { answer, received: () => received, close: () => socket.close() };
}
