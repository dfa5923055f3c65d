import type { LiveCallInfo } from './call-record.types.js';

/** The phases of one bridged call, both legs together. */
export type CallPhase = 'setup' | 'ringing' | 'answered' | 'ending' | 'ended';

/** Which phase may follow which: anything may end, nothing leaves `ended`, nothing goes back. */
const NEXT: Record<CallPhase, readonly CallPhase[]> = {
  setup: ['ringing', 'answered', 'ending', 'ended'],
  ringing: ['answered', 'ending', 'ended'],
  answered: ['ending', 'ended'],
  ending: ['ended'],
  ended: [],
};

/**
 * The state machine of one call: a phase that only moves forward, with the moments the call record needs.
 * Moves that are not allowed (a late 180 after the answer, a second end) are refused and change nothing, so the
 * events of two legs arriving in any order cannot put the call in an impossible state.
 *
 * @example const state = new CallState(); state.move('ringing'); state.move('setup') // false
 */
export class CallState {
  phase: CallPhase = 'setup';
  readonly startedAt = new Date();
  ringingAt: Date | undefined;
  answeredAt: Date | undefined;
  endedAt: Date | undefined;

  /** Move to `to`; false (and nothing changes) when that move is not allowed from here. */
  move(to: CallPhase): boolean {
    if (!NEXT[this.phase].includes(to)) return false;
    this.phase = to;
    const now = new Date();
    if (to === 'ringing') this.ringingAt = now;
    if (to === 'answered') this.answeredAt = now;
    if (to === 'ended') this.endedAt = now;
    return true;
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  /** The phase as the live-calls view names it. */
  get live(): LiveCallInfo['state'] {
    if (this.phase === 'ended') return 'ending';
    return this.phase;
  }
}
