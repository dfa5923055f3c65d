/**
 * The trunk's codecs (issue 19): the offer toward the carrier keeps only the payload types of the codecs the trunk
 * was configured with, in the offer's order. Written here rather than as an rtpengine `codec strip` flag because
 * the relay's interface (src/media) is shared by every call and knows nothing of trunks; the cut is a line filter
 * over the relay's own SDP, which it then answers as it would any other.
 */

/** Static payload types (RFC 3551) that may come without an rtpmap line. */
const STATIC: Record<string, string> = { '0': 'PCMU', '8': 'PCMA', '9': 'G722' };

/**
 * The SDP with the audio formats cut to `codecs` (names as in rtpmap, case-insensitive). Unchanged when nothing
 * would be left (the carrier's 488 then says why, rather than a call with no codec).
 *
 * @example filterCodecs(sdp, ['PCMA', 'telephone-event'])
 */
export function filterCodecs(sdp: Buffer, codecs: readonly string[]): Buffer {
  const text = sdp.toString('utf8');
  const lines = text.split(/\r\n/);
  const names = new Map<string, string>();
  for (const line of lines) {
    const rtpmap = /^a=rtpmap:(\d+) ([^/]+)/.exec(line);
    if (rtpmap) names.set(rtpmap[1]!, rtpmap[2]!.toLowerCase());
  }
  const wanted = new Set(codecs.map((c) => c.toLowerCase()));
  const keep = (pt: string) => wanted.has(names.get(pt) ?? STATIC[pt]?.toLowerCase() ?? '');
  let dropped = false;
  let empty = false;
  const out = lines.flatMap((line) => {
    const media = /^(m=audio \d+(?:\/\d+)? \S+) (.*)$/.exec(line);
    if (media) {
      const formats = media[2]!.split(' ');
      const kept = formats.filter(keep);
      if (kept.length === 0) empty = true;
      if (kept.length !== formats.length) dropped = true;
      return [`${media[1]} ${kept.join(' ')}`];
    }
    const attribute = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /.exec(line);
    if (attribute && !keep(attribute[1]!)) return [];
    return [line];
  });
  if (!dropped || empty) return sdp;
  return Buffer.from(out.join('\r\n'));
}
