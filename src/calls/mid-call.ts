import type { Dialog } from '../sip/dialog/dialog.js';
import type { ReinviteAnswer } from '../sip/dialog/endpoint.types.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import type { CallContext } from './call-context.js';
import {
  answerFor,
  directionOf,
  pbxOfferTowardTeams,
  withDirection,
  type HoldMode,
  type MediaDirection,
} from './sdp-direction.js';

export type Side = 'pbx' | 'teams';

/** What a re-INVITE needs of a bridged call: the other leg's dialog, the relay's keys, the hold setting. */
export interface MidCallLegs {
  readonly ctx: CallContext;
  dialogOf(side: Side): Dialog | undefined;
  /** The relay's call and the tag each side's media is known by there; undefined before any media. */
  media(): { callId: string; tagOf(side: Side): string } | undefined;
  holdMode(): HoldMode;
  /**
   * The SDP last seen from each side: the same SDP again is a session refresh, not a new offer (compared whole,
   * not by the `o=` version alone, which some peers never raise).
   */
  readonly sdpFrom: Record<Side, string | undefined>;
}

export function otherSide(side: Side): Side {
  return side === 'pbx' ? 'teams' : 'pbx';
}

/**
 * A re-INVITE from one leg (hold, resume, a new media address) passed to the other leg: its offer through the
 * relay toward the other side (the PBX's hold direction mapped for Microsoft, `pbxOfferTowardTeams`), a re-INVITE
 * on the other dialog, its answer back through the relay, the direction made a valid answer to what was offered.
 * A re-INVITE without a new offer (no SDP, or the same SDP again: a session-timer refresh) is answered here
 * with our last SDP (undefined: the dialog layer's default), so refreshes stay on their own leg.
 *
 * @example endpoint.options.onReinvite = (dialog, request) => relayReinvite(legs, 'pbx', request);
 */
export async function relayReinvite(
  legs: MidCallLegs,
  side: Side,
  request: SipRequest,
): Promise<ReinviteAnswer | undefined> {
  const sdp = request.body.toString('utf8');
  if (sdp.length === 0 || sdp === legs.sdpFrom[side]) return undefined;
  const other = otherSide(side);
  const target = legs.dialogOf(other);
  const media = legs.media();
  // The other leg is not up yet (or already gone): the peer may try again shortly (RFC 3261 section 14.2).
  if (!target || !media) return { status: 500, headers: { 'Retry-After': '1' } };
  const { relay, onError } = legs.ctx;
  const offered = directionOf(sdp);
  let offer: string;
  try {
    offer = await relay.offer({ callId: media.callId, fromTag: media.tagOf(side), sdp, toward: other });
  } catch (error) {
    onError(error, `relay re-offer toward ${other}`);
    return { status: 488 };
  }
  if (side === 'pbx') {
    const towardTeams = pbxOfferTowardTeams(offered, legs.holdMode());
    if (directionOf(offer) !== towardTeams) offer = withDirection(offer, towardTeams);
  }
  const response = await legs.ctx
    .endpointOf(other)
    .dialogs.reinvite(target, Buffer.from(offer))
    .catch((error: unknown) => {
      onError(error, `re-INVITE toward ${other}`);
      return undefined;
    });
  if (!response) return { status: 500, headers: { 'Retry-After': '1' } };
  if (response.status >= 300) return { status: response.status === 491 ? 491 : 488 };
  const answered = response.body.toString('utf8');
  let answer: string;
  try {
    answer = await relay.answer({
      callId: media.callId,
      fromTag: media.tagOf(side),
      toTag: media.tagOf(other),
      sdp: answered,
      toward: side,
    });
  } catch (error) {
    onError(error, `relay re-answer toward ${side}`);
    return { status: 500 };
  }
  const direction = answerFor(offered, directionOf(answer));
  if (directionOf(answer) !== direction) answer = withDirection(answer, direction);
  legs.sdpFrom[side] = sdp;
  legs.sdpFrom[other] = answered;
  await blockHeldMedia(legs, media, side, directionOf(offer), direction);
  return { status: 200, body: Buffer.from(answer) };
}

/** A party may send to us under an SDP of ours with this direction (RFC 3264: we receive). */
const weReceive = (direction: MediaDirection): boolean =>
  direction === 'sendrecv' || direction === 'recvonly';
/** We may send to a party under an SDP of ours with this direction. */
const weSend = (direction: MediaDirection): boolean => direction === 'sendrecv' || direction === 'sendonly';

/**
 * Hold without media where none should pass (CALLS.md "Hold"): rtpengine relays whatever arrives while the SDP says
 * `a=inactive` (measured with 10.5), so after each re-INVITE the media of each party that, by the directions we
 * gave both sides, must not reach the other is blocked at the relay (`block media` from its tag), and let through
 * again on resume. `music-from-pbx` keeps the PBX's music flowing: its hold is sendrecv toward Teams.
 * `towardOther`/`towardSide`: the directions of our re-offer to the other leg and our answer to this one.
 */
async function blockHeldMedia(
  legs: MidCallLegs,
  media: { callId: string; tagOf(side: Side): string },
  side: Side,
  towardOther: MediaDirection,
  towardSide: MediaDirection,
): Promise<void> {
  const sidePasses = weReceive(towardSide) && weSend(towardOther);
  const otherPasses = weReceive(towardOther) && weSend(towardSide);
  await Promise.all(
    (['pbx', 'teams'] as const).map((from) =>
      legs.ctx.relay.block({
        callId: media.callId,
        fromTag: media.tagOf(from),
        blocked: !(from === side ? sidePasses : otherPasses),
      }),
    ),
  ).catch((error: unknown) => legs.ctx.onError(error, 'relay block during hold'));
}
