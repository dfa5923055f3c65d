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

/**
 * The figures of one call whose media moved from one relay call to another (a transfer or a Replaces gives the
 * call a new Teams leg and a relay call of its own): packets and losses add up, jitter is the worse of the two,
 * the MOS is weighted by the packets each part relayed, the codec is the later one's. The record's figures then
 * cover the whole call, not only its last part.
 *
 * @example mergeMediaStats({ packets: { pbx: 100 } }, { packets: { pbx: 50 } }) // { packets: { pbx: 150 } }
 */
export function mergeMediaStats(
  earlier: MediaStats | undefined,
  later: MediaStats | undefined,
): MediaStats | undefined {
  if (!earlier || !later) return later ?? earlier;
  const sides = (['pbx', 'teams'] as const).filter(
    (side) => earlier.packets[side] !== undefined || later.packets[side] !== undefined,
  );
  const merged: MediaStats = { packets: {} };
  for (const side of sides) merged.packets[side] = (earlier.packets[side] ?? 0) + (later.packets[side] ?? 0);
  const lost = sumBySide(earlier.lost, later.lost);
  if (lost) merged.lost = lost;
  const jitter = maxBySide(earlier.jitterMs, later.jitterMs);
  if (jitter) merged.jitterMs = jitter;
  const mos = weightedMos(earlier, later);
  if (mos !== undefined) merged.mos = mos;
  const codec = later.codec ?? earlier.codec;
  if (codec !== undefined) merged.codec = codec;
  return merged;
}

type BySide = Partial<Record<MediaSide, number>>;

function sumBySide(a: BySide | undefined, b: BySide | undefined): BySide | undefined {
  if (!a || !b) return a ?? b;
  const out: BySide = {};
  for (const side of ['pbx', 'teams'] as const)
    if (a[side] !== undefined || b[side] !== undefined) out[side] = (a[side] ?? 0) + (b[side] ?? 0);
  return out;
}

function maxBySide(a: BySide | undefined, b: BySide | undefined): BySide | undefined {
  if (!a || !b) return a ?? b;
  const out: BySide = {};
  for (const side of ['pbx', 'teams'] as const)
    if (a[side] !== undefined || b[side] !== undefined)
      out[side] = Math.max(a[side] ?? -Infinity, b[side] ?? -Infinity);
  return out;
}

function weightedMos(a: MediaStats, b: MediaStats): number | undefined {
  if (a.mos === undefined || b.mos === undefined) return b.mos ?? a.mos;
  const weight = (stats: MediaStats) => (stats.packets.pbx ?? 0) + (stats.packets.teams ?? 0);
  const total = weight(a) + weight(b);
  if (total === 0) return b.mos;
  return Math.round(((a.mos * weight(a) + b.mos * weight(b)) / total) * 10) / 10;
}
