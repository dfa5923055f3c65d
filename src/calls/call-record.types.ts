/**
 * The contract between the B2BUA (src/calls), which knows what happened on each call, and the call records of
 * "Calls 3" (stored, advised on, shown as ladders). The B2BUA reports each call once when it starts, on its changes,
 * and once when it ends; the recorder stores and never blocks the call (errors are logged by the recorder).
 */
import type { MediaStats } from '../media/media-relay.js';

export type CallDirection = 'pbx-to-teams' | 'teams-to-pbx';

export type CallResult = 'answered' | 'busy' | 'no-answer' | 'declined' | 'cancelled' | 'failed' | 'refused';

/** One leg of a call as it ended. */
export interface CallLegSummary {
  side: 'pbx' | 'teams';
  /** The leg's SIP Call-ID. */
  sipCallId: string;
  /** The final response code on this leg, when there was one. */
  finalStatus?: number;
  /** The Reason header (e.g. `Q.850;cause=16;text="Normal call clearing"`) or the final response's phrase. */
  reason?: string;
  /** Microsoft's proxy the Teams leg used (`sip2.pstnhub.microsoft.com`), or the PBX target. */
  peer?: string;
  /** Which side hung up, when answered. */
  hungUpBy?: 'pbx' | 'teams' | 'callbridge';
}

/** One SIP message of a call's ladder, secrets already removed by the B2BUA's capture. */
export interface LadderEntry {
  at: string;
  leg: 'pbx' | 'teams';
  direction: 'in' | 'out';
  /** The first line, e.g. `INVITE sip:+4420... SIP/2.0` or `SIP/2.0 180 Ringing`. */
  summary: string;
  /** The whole message with digest responses, a=crypto keys and tokens removed. */
  text: string;
}

/** A call in progress, as the live-calls view shows it. */
export interface LiveCallInfo {
  id: string;
  accountId: string;
  serviceId: string;
  userId?: string;
  direction: CallDirection;
  from: string;
  to: string;
  startedAt: string;
  state: 'setup' | 'ringing' | 'answered' | 'ending';
  answeredAt?: string;
}

/** A finished call: what "Calls 3" stores. */
export interface CallRecordInput extends Omit<LiveCallInfo, 'state'> {
  ringingAt?: string;
  endedAt: string;
  result: CallResult;
  /** Why Callbridge refused or failed the call, in words (licence, limit, unreachable PBX, relay down...). */
  refusal?: { code: string; message: string };
  legs: CallLegSummary[];
  /** Transfers and forwards seen (REFER targets, Diversion / History-Info). */
  transfers?: string[];
  media?: MediaStats;
  ladder?: LadderEntry[];
}

/** Where the B2BUA reports calls. */
export interface CallRecorder {
  started(call: LiveCallInfo): void;
  changed(call: LiveCallInfo): void;
  ended(record: CallRecordInput): void;
}
