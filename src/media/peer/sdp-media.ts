/** One `a=crypto` line (RFC 4568): its tag, suite and key parameter. */
export interface SdesCrypto {
  tag: number;
  suite: string;
  inline: string;
}

/** The first audio stream of an SDP, as much of it as the test peer needs. */
export interface AudioMedia {
  address: string;
  port: number;
  protocol: string;
  payloadTypes: number[];
  /** rtpmap names by payload type, e.g. 0 -> `PCMU/8000`. */
  rtpmap: Map<number, string>;
  crypto: SdesCrypto[];
  rtcpMux: boolean;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

/**
 * Reads the first `m=audio` of an SDP (its own `c=` line, else the session's). A small reader on purpose: the peer
 * only needs where to send, which payload types and which SDES keys; throws when the SDP has no audio stream.
 */
export function parseAudioMedia(sdp: string): AudioMedia {
  const lines = sdp.split(/\r?\n/);
  let sessionAddress = '';
  let media: AudioMedia | undefined;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (media) break;
      const match = /^m=audio (\d+) (\S+) ?([\d ]*)$/.exec(line);
      if (!match) continue;
      media = {
        address: sessionAddress,
        port: Number(match[1]),
        protocol: match[2] ?? '',
        payloadTypes: (match[3] ?? '').split(' ').filter(Boolean).map(Number),
        rtpmap: new Map(),
        crypto: [],
        rtcpMux: false,
        direction: 'sendrecv',
      };
      continue;
    }
    const connection = /^c=IN IP[46] (\S+)/.exec(line);
    if (connection?.[1]) {
      if (media) media.address = connection[1];
      else sessionAddress = connection[1];
    }
    if (!media) continue;
    const rtpmap = /^a=rtpmap:(\d+) (\S+)/.exec(line);
    if (rtpmap) media.rtpmap.set(Number(rtpmap[1]), rtpmap[2] ?? '');
    const crypto = /^a=crypto:(\d+) (\S+) inline:(\S+)/.exec(line);
    if (crypto)
      media.crypto.push({ tag: Number(crypto[1]), suite: crypto[2] ?? '', inline: crypto[3] ?? '' });
    if (line === 'a=rtcp-mux') media.rtcpMux = true;
    if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line))
      media.direction = line.slice(2) as AudioMedia['direction'];
  }
  if (!media) throw new Error('The SDP has no m=audio line.');
  return media;
}

/** The payload type named `name` (e.g. `telephone-event`) in a stream, if offered. */
export function payloadTypeOf(media: AudioMedia, name: string): number | undefined {
  for (const [payloadType, map] of media.rtpmap)
    if (map.split('/')[0]?.toLowerCase() === name.toLowerCase()) return payloadType;
  return undefined;
}

/** What the peer writes about itself. */
export interface LocalMediaDescription {
  address: string;
  port: number;
  codec: 'PCMU' | 'PCMA';
  telephoneEvent: number;
  /** With SDES-SRTP: `RTP/SAVP`, rtcp-mux and this crypto line; without: `RTP/AVP`. */
  crypto?: SdesCrypto;
  sessionId: number;
}

/** An SDP for the peer: one audio stream, the G.711 codec and telephone-event. */
export function writeAudioSdp(local: LocalMediaDescription): string {
  const payloadType = local.codec === 'PCMU' ? 0 : 8;
  return [
    'v=0',
    `o=peer ${local.sessionId} ${local.sessionId} IN IP4 ${local.address}`,
    's=-',
    `c=IN IP4 ${local.address}`,
    't=0 0',
    `m=audio ${local.port} ${local.crypto ? 'RTP/SAVP' : 'RTP/AVP'} ${payloadType} ${local.telephoneEvent}`,
    `a=rtpmap:${payloadType} ${local.codec}/8000`,
    `a=rtpmap:${local.telephoneEvent} telephone-event/8000`,
    `a=fmtp:${local.telephoneEvent} 0-16`,
    ...(local.crypto
      ? ['a=rtcp-mux', `a=crypto:${local.crypto.tag} ${local.crypto.suite} inline:${local.crypto.inline}`]
      : []),
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}
