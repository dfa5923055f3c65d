/**
 * What the Phone App tab shows of a click-to-dial call while it runs (issue 20), and the placeholder offer the
 * media relay starts from before the PBX side of the call exists.
 */
import type { CallResult } from '../call-record.types.js';

/** calling-teams: the user's Teams client rings; connecting: answered there, the PBX is being called; ringing: the
 * number rings; answered: talking; ended. */
export type DialPhase = 'calling-teams' | 'connecting' | 'ringing' | 'answered' | 'ended';

/** One click-to-dial call as the tab polls it. */
export interface DialProgress {
  callId: string;
  number: string;
  phase: DialPhase;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  result?: CallResult;
  /** Why the call did not go through: who refused, Callbridge's code or the SIP status, in words. */
  failure?: { by: 'pbx' | 'teams' | 'callbridge'; code: string; message: string; status?: number };
}

/**
 * The PBX side's SDP before the PBX is called: G.711, G.722 and telephone-event at the discard port of loopback.
 * rtpengine needs an offer to build the one Teams gets (Microsoft refuses a call without SDP); the PBX's real
 * answer replaces this one before anyone talks, so nothing is ever sent anywhere but loopback's discard port.
 */
export function placeholderOffer(): string {
  const session = Date.now();
  return [
    'v=0',
    `o=- ${session} ${session} IN IP4 127.0.0.1`,
    's=Callbridge',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 9 RTP/AVP 0 8 9 101',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}
