import { z } from 'zod';
import { DialRefused, type DialRequest } from '../../calls/phone-app/phone-app-dialler.js';
import type { DialProgress } from '../../calls/phone-app/dial-progress.js';
import type { CallRecord } from '../../calls/records/call-record.js';
import type { CallRecordsRepository } from '../../calls/records/call-records.repository.js';
import { AppError } from '../../domain/errors.js';
import { PhoneAppCallsMirror } from './phone-app-calls.mirror.js';
import type { PhoneAppCallsRepository } from './phone-app-calls.repository.js';
import { dialledNumber, type PhoneAppSession } from './phone-app-user.service.js';

export const placeCallInput = z.strictObject({
  number: z.string().trim().min(1, 'give the number to call').max(64),
});

export const recentCallsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

/** The click-to-dial of the B2BUA in this process (`B2bua.phoneApp`). */
export interface PhoneAppDialling {
  place(request: DialRequest): Promise<{ callId: string }>;
  progress(userId: string, callId: string): DialProgress | undefined;
  hangUp(userId: string, callId: string): Promise<boolean>;
}

/** A call in the tab's recent calls. */
export interface RecentCall {
  callId: string;
  /** Who the user talked to: the number dialled, or the caller of a call to them. */
  number: string;
  direction: 'outgoing' | 'incoming';
  result: string;
  startedAt: string;
  durationSeconds: number;
}

/** A PBX extension (3-6 digits, not 0 first: that starts a national number) dialled as is, like the desk phone. */
const EXTENSION = /^[1-9]\d{2,5}$/;

/**
 * The Phone App tab's calls (issue 20): place a call (the number read in the user's country, an extension as
 * dialled), follow it, hang it up, and list the user's recent calls from the call records. Calls are placed by
 * the B2BUA of this process (`dialler`, set by the sip role); without it the answer is 503 `calls_unavailable`.
 * With several nodes, a call's progress is read from its `phone_app_calls` row on any node, and a hang-up on
 * another node is a request the owning node acts on within a second (`PhoneAppCallsMirror`).
 */
export class PhoneAppCallsService {
  /** Set by the sip role when this process bridges calls (the B2BUA's click-to-dial). */
  dialler: PhoneAppDialling | undefined;
  readonly mirror: PhoneAppCallsMirror;

  constructor(
    private readonly records: CallRecordsRepository,
    private readonly calls: PhoneAppCallsRepository,
    onError: (error: unknown) => void = () => undefined,
  ) {
    this.mirror = new PhoneAppCallsMirror(calls, () => this.dialler, onError);
  }

  async place(session: PhoneAppSession, raw: z.input<typeof placeCallInput>) {
    const input = placeCallInput.parse(raw);
    const number = EXTENSION.test(input.number)
      ? input.number
      : dialledNumber(input.number, session.user.usageLocation ?? session.service.country);
    if (!this.dialler)
      throw new AppError(
        'calls_unavailable',
        'Calls are not available on this server: its SIP and Teams edge roles are not running. Ask your provider.',
        { number },
      );
    try {
      const { callId } = await this.dialler.place({ userId: session.user.id, number });
      const progress = this.dialler.progress(session.user.id, callId);
      if (progress)
        await this.mirror.placed({ accountId: session.accountId, userId: session.user.id }, progress);
      return { callId, number };
    } catch (error) {
      if (error instanceof DialRefused)
        throw new AppError('forbidden', `The call cannot be placed: ${error.message}`, {
          reason: error.code,
        });
      throw error;
    }
  }

  /** Where one of the user's calls stands: live from this node's B2BUA, else as its node wrote it, else its record. */
  async progress(session: PhoneAppSession, callId: string): Promise<DialProgress> {
    const live = this.dialler?.progress(session.user.id, callId);
    if (live) return live;
    const mirrored = await this.calls.find(session.accountId, session.user.id, callId);
    if (mirrored) return mirrored;
    const record = await this.records.findById(session.accountId, callId);
    if (!record || record.userId !== session.user.id)
      throw new AppError('not_found', `No call ${callId} of yours is known here.`, {
        kind: 'call',
        id: callId,
      });
    return {
      callId,
      number: record.to,
      phase: 'ended',
      startedAt: record.startedAt,
      ...(record.answeredAt && { answeredAt: record.answeredAt }),
      endedAt: record.endedAt,
      result: record.result,
    };
  }

  /** Hang up on this node, or ask the node that holds the call (it acts within a second). */
  async hangUp(session: PhoneAppSession, callId: string): Promise<void> {
    if (await this.dialler?.hangUp(session.user.id, callId)) return;
    const asked = await this.calls.requestHangUp(
      session.accountId,
      session.user.id,
      callId,
      new Date().toISOString(),
    );
    if (!asked)
      throw new AppError('not_found', `No call ${callId} of yours is in progress.`, {
        kind: 'call',
        id: callId,
      });
  }

  /** The user's last calls, newest first, from the call records. */
  async recent(session: PhoneAppSession, raw: z.input<typeof recentCallsQuery>) {
    const { limit } = recentCallsQuery.parse(raw);
    const page = await this.records.list(session.accountId, { userId: session.user.id }, limit);
    return { calls: page.items.map(recentOf) };
  }
}

function recentOf(record: CallRecord): RecentCall {
  const outgoing = record.direction === 'teams-to-pbx';
  return {
    callId: record.id,
    number: outgoing ? record.to : record.from,
    direction: outgoing ? 'outgoing' : 'incoming',
    result: record.result,
    startedAt: record.startedAt,
    durationSeconds: Math.round(record.durationMs / 1000),
  };
}
