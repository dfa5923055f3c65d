/** The call log's API shapes (src/calls/records/call-records.schema.ts), copied for the portal. */

export type CallResult = 'answered' | 'busy' | 'no-answer' | 'declined' | 'cancelled' | 'failed' | 'refused';

export interface CallLeg {
  side: 'pbx' | 'teams';
  sipCallId: string;
  finalStatus?: number;
  reason?: string;
  peer?: string;
  hungUpBy?: 'pbx' | 'teams' | 'callbridge';
}

type SideFigures = { pbx?: number; teams?: number };

export interface Call {
  id: string;
  accountId: string;
  serviceId: string;
  userId: string | null;
  direction: 'pbx-to-teams' | 'teams-to-pbx';
  from: string;
  to: string;
  startedAt: string;
  ringingAt: string | null;
  answeredAt: string | null;
  endedAt: string;
  durationMs: number;
  result: CallResult;
  failed: boolean;
  finalStatus: number | null;
  refusedBy: 'pbx' | 'teams' | 'callbridge' | null;
  q850Cause: number | null;
  proxy: string | null;
  codec: string | null;
  refusal: { code: string; message: string } | null;
  legs: CallLeg[];
  transfers: string[];
  media: {
    packets: SideFigures;
    lost?: SideFigures;
    jitterMs?: SideFigures;
    mos?: number;
    codec?: string;
  } | null;
  hasLadder: boolean;
}

export interface FailureAdvice {
  code: string;
  title: string;
  steps: string[];
  fix: { kind: string; path: string };
}

export type CallDetail = Call & { advice: FailureAdvice | null };

export interface LadderEntry {
  at: string;
  leg: 'pbx' | 'teams';
  direction: 'in' | 'out';
  summary: string;
  text: string;
}

export interface CallsPage {
  items: Call[];
  nextCursor: string | null;
}
