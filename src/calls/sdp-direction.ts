/**
 * Media direction attributes (RFC 3264 section 5.1: `a=sendrecv`, `sendonly`, `recvonly`, `inactive`) and the one
 * SDP edit the B2BUA makes itself. rtpengine passes direction attributes through unchanged and 10.5 has no way to
 * rewrite them (its `sdp-attr` manipulation came later: the Debian 10.5 binary has no such key), while Microsoft
 * understands only `a=inactive` for hold (CALLS.md "Hold"). Only the direction lines are touched; everything else
 * stays as the relay wrote it.
 */

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** How a hold from the PBX reaches Teams (per service; CALLS.md "Hold"). */
export type HoldMode = 'inactive' | 'music-from-pbx';

const DIRECTION_LINE = /^a=(sendrecv|sendonly|recvonly|inactive)[ \t]*\r?$/m;
const DIRECTION_LINES = /^a=(?:sendrecv|sendonly|recvonly|inactive)[ \t]*(?:\r?\n|$)/gm;

/**
 * The direction of an SDP's first audio stream (its media-level attribute, else the session-level one, else
 * sendrecv, RFC 4566 section 6).
 */
export function directionOf(sdp: string): MediaDirection {
  const at = sdp.search(/^m=/m);
  const session = at < 0 ? sdp : sdp.slice(0, at);
  const media = at < 0 ? '' : (sdp.slice(at).split(/^(?=m=)/m)[0] ?? '');
  const found = DIRECTION_LINE.exec(media) ?? DIRECTION_LINE.exec(session);
  return (found?.[1] as MediaDirection | undefined) ?? 'sendrecv';
}

/** The SDP with every direction attribute removed and `a=<direction>` added to each media section. */
export function withDirection(sdp: string, direction: MediaDirection): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const stripped = sdp.replace(DIRECTION_LINES, '');
  const parts = stripped.split(/^(?=m=)/m);
  if (parts.length === 1) return stripped;
  return parts
    .map((part, i) => {
      if (i === 0) return part;
      const body = part.endsWith('\n') ? part : `${part}${eol}`;
      return `${body}a=${direction}${eol}`;
    })
    .join('');
}

/**
 * What an offer from the PBX says toward Teams: a hold (`sendonly`, or `inactive`) becomes `a=inactive` with
 * `holdMode` 'inactive'; with 'music-from-pbx' the Teams leg stays open both ways (`sendrecv`) so the PBX's music
 * on hold reaches the Teams user. `recvonly` (the PBX asks for media without sending) is not a hold Microsoft
 * knows: sendrecv toward Teams. Anything else is left as it is.
 */
export function pbxOfferTowardTeams(direction: MediaDirection, holdMode: HoldMode): MediaDirection {
  if (direction === 'sendrecv') return 'sendrecv';
  if (holdMode === 'music-from-pbx' && direction !== 'inactive') return 'sendrecv';
  return direction === 'recvonly' ? 'sendrecv' : 'inactive';
}

/**
 * The direction an answer must have for an offer (RFC 3264 section 6.1): the answerer's own wish limited by
 * what the offer allows (an answer to `sendonly` is `recvonly` or `inactive`, never `sendrecv`).
 */
export function answerFor(offered: MediaDirection, answered: MediaDirection): MediaDirection {
  const offerSends = offered === 'sendrecv' || offered === 'sendonly';
  const offerReceives = offered === 'sendrecv' || offered === 'recvonly';
  const answerSends = (answered === 'sendrecv' || answered === 'sendonly') && offerReceives;
  const answerReceives = (answered === 'sendrecv' || answered === 'recvonly') && offerSends;
  if (answerSends && answerReceives) return 'sendrecv';
  if (answerSends) return 'sendonly';
  if (answerReceives) return 'recvonly';
  return 'inactive';
}
