import { randomInt } from 'node:crypto';

/**
 * Late offer from the PBX: an INVITE without SDP (RFC 3261 section 13.2.1; RFC 6337 section 3.2). Microsoft
 * refuses an INVITE without SDP (CALLS.md), so Callbridge makes the offer toward Teams, as an SBC does. rtpengine
 * rewrites offers but does not make one from nothing, so the PBX side is first described by this placeholder
 * (the codecs Microsoft takes, the PBX's signalling address, the discard port 9) and rtpengine builds the Teams
 * offer from it. Teams' answer, passed back toward the PBX, becomes our offer in the 200 to the PBX (18x carry
 * no SDP: an offer in an unreliable provisional is not allowed); the PBX's answer comes in its ACK and replaces
 * the placeholder (a re-offer with the same tags, then Teams' answer again), so rtpengine sends where the PBX
 * said. Teams keeps the SDP it has: rtpengine keeps a stream's ports and SDES keys across re-offers.
 *
 * @example const sdp = placeholderOffer(incoming.source.address);
 */
export function placeholderOffer(address: string): string {
  const family = address.includes(':') ? 'IP6' : 'IP4';
  const session = randomInt(1, 2 ** 31);
  return [
    'v=0',
    `o=callbridge ${session} 1 IN ${family} ${address}`,
    's=-',
    `c=IN ${family} ${address}`,
    't=0 0',
    'm=audio 9 RTP/AVP 0 8 9 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=sendrecv',
    '',
  ].join('\r\n');
}
