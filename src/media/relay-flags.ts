import type { MediaSide } from './media-relay.js';
import type { BencodeDict } from './rtpengine/bencode.js';

/** The one SRTP suite offered and answered toward Teams (CALLS.md "Media"). */
export const TEAMS_SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80';

/**
 * Every other SDES suite rtpengine 10.5 knows. 10.5 has no `SDES-only-`: the way to leave exactly one is to exclude
 * the eleven others, the AEAD-GCM and AES-192/256 ones included (or it offers `AEAD_AES_256_GCM` first). The same
 * list on an offer received from Teams makes rtpengine answer `_80` although Teams lists `_32` first.
 */
export const EXCLUDED_SRTP_SUITES = [
  'AEAD_AES_256_GCM',
  'AEAD_AES_128_GCM',
  'AES_256_CM_HMAC_SHA1_80',
  'AES_256_CM_HMAC_SHA1_32',
  'AES_192_CM_HMAC_SHA1_80',
  'AES_192_CM_HMAC_SHA1_32',
  'AES_CM_128_HMAC_SHA1_32',
  'F8_128_HMAC_SHA1_80',
  'F8_128_HMAC_SHA1_32',
  'NULL_HMAC_SHA1_80',
  'NULL_HMAC_SHA1_32',
] as const;

/**
 * The codecs passed on: Microsoft's media processor transcodes to SILK itself and wants G.711, G.722 and
 * telephone-event; stripping the rest (SILK, SIREN, G.729, RED, CN) also keeps Teams' SDP small toward a UDP PBX.
 */
export const RELAYED_CODECS = ['PCMU', 'PCMA', 'G722', 'telephone-event'] as const;

/**
 * The ng keys for an SDP sent toward `side`, the same for offers and answers (an answer toward Teams must pick the
 * `_80` line of Teams' offer, so the suite exclusions go on every message of the call).
 * - Teams: `RTP/SAVP` with SDES (one `_80` line, key lifetime `2^31` as Microsoft writes it), DTLS off, rtcp-mux,
 *   ICE removed: ICE is needed only with media bypass (CALLS.md "Media"), which Callbridge does not offer.
 * - PBX: plain `RTP/AVP`, no ICE, no crypto, RTCP on its own port (`rtcp-mux demux`).
 * Both: origin and connection lines rewritten to the relay's address so neither side learns the other's.
 */
function buildFlagsToward(side: MediaSide): BencodeDict {
  const common: BencodeDict = {
    replace: ['origin', 'session-connection'],
    SDES: [...EXCLUDED_SRTP_SUITES.map((suite) => `no-${suite}`), 'lifetime'],
    codec: { strip: ['all'], except: [...RELAYED_CODECS] },
  };
  if (side === 'teams') {
    return {
      ...common,
      'transport-protocol': 'RTP/SAVP',
      DTLS: 'off',
      'rtcp-mux': ['require'],
      ICE: 'remove',
    };
  }
  return { ...common, 'transport-protocol': 'RTP/AVP', ICE: 'remove', 'rtcp-mux': ['demux'] };
}

/** Built once per side: every offer and answer sends the same flags (read only: the relay spreads them). */
const FLAGS: Readonly<Record<MediaSide, BencodeDict>> = {
  pbx: buildFlagsToward('pbx'),
  teams: buildFlagsToward('teams'),
};

export function flagsToward(side: MediaSide): BencodeDict {
  return FLAGS[side];
}
