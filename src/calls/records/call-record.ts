/**
 * A stored call record as the API, CLI and advice read it, and how one is derived from what the B2BUA reports
 * (which leg refused, with what code and Q.850 cause, which Microsoft proxies were tried).
 */
import type { MediaStats } from '../../media/media-relay.js';
import type { CallDirection, CallLegSummary, CallRecordInput, CallResult } from '../call-record.types.js';
import { q850CauseOf } from './reason-header.js';

export interface CallRecord {
  id: string;
  accountId: string;
  serviceId: string;
  userId: string | null;
  direction: CallDirection;
  from: string;
  to: string;
  startedAt: string;
  ringingAt: string | null;
  answeredAt: string | null;
  endedAt: string;
  /** Talk time in ms (answer to end); 0 when never answered. */
  durationMs: number;
  result: CallResult;
  /** The code that decided the call: the refusing leg's final code, 200 when answered. */
  finalStatus: number | null;
  /** Who refused: the PBX, Microsoft (teams), or Callbridge itself (licence, limits, relay). */
  refusedBy: 'pbx' | 'teams' | 'callbridge' | null;
  q850Cause: number | null;
  /** The Microsoft proxy of the (last) Teams leg. */
  proxy: string | null;
  codec: string | null;
  refusal: { code: string; message: string } | null;
  legs: CallLegSummary[];
  transfers: string[];
  media: MediaStats | null;
  hasLadder: boolean;
}

/** Results shown red in the call log; their ladders are kept. Busy, no answer and cancelled are normal outcomes. */
export const FAILED_RESULTS: ReadonlySet<CallResult> = new Set<CallResult>(['failed', 'refused', 'declined']);

/** The leg whose final response decided a call that was not answered (the far side's first). */
function refusingLeg(input: CallRecordInput): CallLegSummary | undefined {
  const far = input.direction === 'pbx-to-teams' ? 'teams' : 'pbx';
  const refused = input.legs.filter(
    (leg) => leg.finalStatus !== undefined && leg.finalStatus >= 300 && leg.finalStatus !== 487,
  );
  return refused.filter((leg) => leg.side === far).at(-1) ?? refused.at(-1);
}

/** The record to store for a finished call (without its ladder). */
export function recordOf(input: CallRecordInput): CallRecord {
  const answered = input.result === 'answered';
  const refusing = answered ? undefined : refusingLeg(input);
  const teamsLegs = input.legs.filter((leg) => leg.side === 'teams');
  const reasonLeg = refusing ?? input.legs.find((leg) => q850CauseOf(leg.reason) !== undefined);
  const durationMs =
    answered && input.answeredAt ? Math.max(0, Date.parse(input.endedAt) - Date.parse(input.answeredAt)) : 0;
  return {
    id: input.id,
    accountId: input.accountId,
    serviceId: input.serviceId,
    userId: input.userId ?? null,
    direction: input.direction,
    from: input.from,
    to: input.to,
    startedAt: iso(input.startedAt),
    ringingAt: input.ringingAt ? iso(input.ringingAt) : null,
    answeredAt: input.answeredAt ? iso(input.answeredAt) : null,
    endedAt: iso(input.endedAt),
    durationMs: Number.isFinite(durationMs) ? durationMs : 0,
    result: input.result,
    finalStatus: answered ? 200 : (refusing?.finalStatus ?? null),
    refusedBy: input.refusal ? 'callbridge' : (refusing?.side ?? null),
    q850Cause: q850CauseOf(reasonLeg?.reason) ?? null,
    proxy: teamsLegs.at(-1)?.peer ?? null,
    codec: input.media?.codec ?? null,
    refusal: input.refusal ?? null,
    legs: input.legs,
    transfers: input.transfers ?? [],
    media: input.media ?? null,
    hasLadder: false,
  };
}

/** A time as stored (UTC ISO with milliseconds), so that text comparison orders and filters it right. */
function iso(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : new Date(ms).toISOString();
}

/** The Microsoft proxies tried in turn (failover), in order. */
export function proxiesTried(record: CallRecord): string[] {
  return record.legs
    .filter((leg) => leg.side === 'teams' && leg.peer)
    .map((leg) => leg.peer!)
    .filter((peer, i, all) => all.indexOf(peer) === i);
}
