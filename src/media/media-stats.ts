import type { MediaSide, MediaStats } from './media-relay.js';
import type { BencodeDict, BencodeValue } from './rtpengine/bencode.js';
import { dictAt, listAt } from './rtpengine/ng-types.js';

function numberAt(value: BencodeValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * Turns an ng `query` or `delete` reply into MediaStats. `tags` maps each SIP tag the relay has seen to the side it
 * belongs to. rtpengine counts, per tag, the packets received from that tag's endpoint on the RTP stream(s) of each
 * media: those are "what that side sent us". Loss, jitter and MOS come from the `SSRC` section when rtpengine has
 * RTCP-derived figures; the codec from the tag's first media that names one.
 */
export function mediaStatsFrom(reply: BencodeDict, tags: ReadonlyMap<string, MediaSide>): MediaStats {
  const stats: MediaStats = { packets: {} };
  const tagDicts = dictAt(reply.tags) ?? {};
  for (const [tag, side] of tags) {
    const tagDict = dictAt(tagDicts[tag]);
    if (!tagDict) continue;
    let packets = 0;
    for (const media of listAt(tagDict.medias)) {
      const codec = dictAt(media)?.codec;
      if (typeof codec === 'string' && codec !== '' && stats.codec === undefined) stats.codec = codec;
      for (const stream of listAt(dictAt(media)?.streams)) {
        const streamDict = dictAt(stream);
        if (!listAt(streamDict?.flags).includes('RTP')) continue;
        packets += numberAt(dictAt(streamDict?.stats)?.packets) ?? 0;
      }
    }
    stats.packets[side] = (stats.packets[side] ?? 0) + packets;
  }
  let mosSum = 0;
  let mosCount = 0;
  for (const entry of Object.values(dictAt(reply.SSRC) ?? {})) {
    const ssrc = dictAt(entry);
    const mos = numberAt(dictAt(ssrc?.['average MOS'])?.MOS);
    // rtpengine reports MOS times ten as an integer (bencode has no fractions).
    if (mos !== undefined && mos > 0) {
      mosSum += mos / 10;
      mosCount += 1;
    }
  }
  if (mosCount > 0) stats.mos = Math.round((mosSum / mosCount) * 10) / 10;
  return stats;
}
