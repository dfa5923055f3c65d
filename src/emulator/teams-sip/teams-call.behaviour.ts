import type { Dialog } from '../../sip/dialog/dialog.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import { teamsOffer } from './microsoft-wire.js';

/** What a Teams user's clients do when a call from the SBC reaches them. */
export interface TeamsUserBehaviour {
  /** Teams devices that ring (one 180 each, own To-tag). */
  devices: number;
  /** Send one 183 with SDP (early media) after the 180s. */
  earlyMedia: boolean;
  /** answer: 200 from another fork; decline 603; busy 486; unavailable 480; ring until CANCEL; manual: wait for the control API. */
  outcome: 'answer' | 'decline' | 'busy' | 'unavailable' | 'ring' | 'manual';
  /** Ringing time before the outcome. */
  afterMs: number;
}

export const DEFAULT_BEHAVIOUR: TeamsUserBehaviour = {
  devices: 2,
  earlyMedia: true,
  outcome: 'answer',
  afterMs: 0,
};

const OUTCOME_STATUS = { decline: 603, busy: 486, unavailable: 480 } as const;

/** To-tag of emulated device `i` of a call. */
export function deviceTag(callTag: string, device: number): string {
  return `${callTag}-d${device}`;
}

/**
 * Ring a Teams user as Microsoft does (CALLS.md "Answers from Teams"): one 180 per device with its own To-tag, at
 * most one 183 with SDP, then the outcome; a 200 comes from another fork than the 183 when there are several.
 * Returns a function that cancels the pending outcome (CANCEL from the SBC).
 */
export function ringTeamsUser(
  call: IncomingCall,
  behaviour: TeamsUserBehaviour,
  media: { address: string; port: number },
  onAnswered: (dialog: Dialog) => void = () => undefined,
  mediaSdp?: Buffer,
): () => void {
  const tag = call.localTag;
  for (let device = 0; device < behaviour.devices; device++)
    call.ring(180, { toTag: deviceTag(tag, device) });
  const sdp = mediaSdp ?? teamsOffer(media.address, media.port);
  if (behaviour.earlyMedia) call.ring(183, { toTag: deviceTag(tag, 0), body: sdp });
  if (behaviour.outcome === 'ring' || behaviour.outcome === 'manual') return () => undefined;
  const outcome = behaviour.outcome;
  const timer = setTimeout(() => {
    if (outcome === 'answer') {
      const device = behaviour.devices > 1 ? 1 : 0;
      call.accept({ body: sdp, toTag: deviceTag(tag, device) }).then(onAnswered, () => undefined);
    } else call.reject(OUTCOME_STATUS[outcome]);
  }, behaviour.afterMs);
  return () => clearTimeout(timer);
}
