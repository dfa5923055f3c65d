/**
 * The contract between the B2BUA (src/calls) and the media relay (rtpengine, src/media). Every call's media passes
 * through the relay: Teams gets SDES-SRTP (one AES_CM_128_HMAC_SHA1_80 crypto line, rtcp-mux), the PBX gets plain
 * RTP/AVP without ICE or crypto (CALLS.md "Media"). The B2BUA never edits SDP itself; it hands each offer and answer
 * to the relay, naming the side the rewritten SDP is for.
 */

/** The side a rewritten SDP is sent to: its flag set is chosen by it. */
export type MediaSide = 'teams' | 'pbx';

/** Whether calls can have media now, and why not. */
export type MediaRelayStatus =
  { state: 'available'; relay: string } | { state: 'unavailable'; reason: string };

/** One offer passing through the relay. */
export interface MediaOfferRequest {
  /** The Call-ID of the leg the offer came in on (rtpengine keys the call by it). */
  callId: string;
  /** The From tag of the offering side. */
  fromTag: string;
  /** The SDP as received. */
  sdp: string;
  /** Where the rewritten offer goes. */
  toward: MediaSide;
}

/** One answer passing back through the relay. */
export interface MediaAnswerRequest extends MediaOfferRequest {
  /** The To tag of the answering side. */
  toTag: string;
}

/** Stop (or let again) the media one party of a relay call sends, e.g. while the call is on hold. */
export interface MediaBlockRequest {
  callId: string;
  /** The tag the party is known by at the relay (its From tag for an offer, To tag for an answer). */
  fromTag: string;
  /** true: the party's media is dropped (RFC 4733 events still pass); false: it passes again. */
  blocked: boolean;
}

/** What the relay measured for one call (rtpengine's query / delete figures). */
export interface MediaStats {
  /** Packets relayed per side (what that side sent us). */
  packets: Partial<Record<MediaSide, number>>;
  /** Packets lost per side, where reported. */
  lost?: Partial<Record<MediaSide, number>>;
  /** Jitter in ms per side, where reported. */
  jitterMs?: Partial<Record<MediaSide, number>>;
  /** Mean opinion score (1-5), where reported. */
  mos?: number;
  /** The codec in use, e.g. `PCMU/8000`. */
  codec?: string;
}

/** The media relay used by the B2BUA; `src/media` implements it over rtpengine's ng protocol. */
export interface MediaRelay {
  status(): MediaRelayStatus;
  /** Rewrites an offer for `toward`; rejects with a MediaError when the relay is unavailable or refuses. */
  offer(request: MediaOfferRequest): Promise<string>;
  /** Rewrites an answer for `toward`. */
  answer(request: MediaAnswerRequest): Promise<string>;
  /** Blocks or unblocks the media one party sends; rejects with a MediaError when the relay refuses. */
  block(request: MediaBlockRequest): Promise<void>;
  /** Ends the call's media and answers its last figures (undefined when the relay no longer knows it). */
  delete(callId: string): Promise<MediaStats | undefined>;
  /** The call's current figures. */
  query(callId: string): Promise<MediaStats | undefined>;
}
