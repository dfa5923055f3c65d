import type { CallContext } from '../call-context.js';
import type { CallUserDirectory } from '../call-user.js';
import { ClickToDialCall } from './click-to-dial.call.js';
import type { DialProgress } from './dial-progress.js';

/** How long an ended call's outcome stays for the tab's last poll (the call record keeps it for good). */
const KEEP_ENDED_MS = 5 * 60_000;
/** Ended calls kept at most (oldest dropped first). */
const KEEP_ENDED_MAX = 10_000;

/** A click-to-dial request from the Phone App tab, after the tab's API checked the user and read the number. */
export interface DialRequest {
  userId: string;
  /** +E.164 number to call through the PBX. */
  number: string;
}

/** Why a call could not even start. */
export class DialRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The Phone App's click-to-dial on one B2BUA (issue 20): places calls (`ClickToDialCall`), answers their progress
 * to the tab while they run and for a few minutes after, and ends them when the user hangs up in the tab. The API
 * reaches it through `services.phoneAppUsers.dialler`, set by the sip role of the same process.
 *
 * @example const { callId } = await dialler.place({ userId, number: '+442079460123' }); dialler.progress(callId);
 */
export class PhoneAppDialler {
  private readonly live = new Map<string, ClickToDialCall>();
  private readonly ended = new Map<string, { progress: DialProgress; userId: string; at: number }>();

  constructor(
    private readonly ctx: () => CallContext,
    private readonly directory: CallUserDirectory,
  ) {}

  /** Start a call; refused at once when the user cannot call (no credentials, unlicensed, not a Phone App user). */
  async place(request: DialRequest): Promise<{ callId: string }> {
    const user = await this.directory.find(request.userId);
    if (!user) throw new DialRefused('user_not_callable', 'The user has no SIP credentials for the PBX yet.');
    if (!user.phoneApp) throw new DialRefused('not_a_phone_app_user', 'The user is not a Phone App user.');
    if (user.refusal) throw new DialRefused(user.refusal.code, user.refusal.message);
    const call = new ClickToDialCall(this.ctx(), user, request.number, (done) => this.remember(done));
    this.live.set(call.id, call);
    call.run().catch((error: unknown) => {
      this.ctx().onError(error, 'phone app call failed');
      void call.hangUp();
    });
    return { callId: call.id };
  }

  /** The progress of one of the user's calls (undefined: unknown, long over, or another user's). */
  progress(userId: string, callId: string): DialProgress | undefined {
    const call = this.live.get(callId);
    if (call) return call.user.userId === userId ? progressOf(call) : undefined;
    const ended = this.ended.get(callId);
    return ended?.userId === userId ? ended.progress : undefined;
  }

  /** Hang up one of the user's calls; false when there is none in progress. */
  async hangUp(userId: string, callId: string): Promise<boolean> {
    const call = this.live.get(callId);
    if (!call || call.user.userId !== userId) return false;
    await call.hangUp();
    return true;
  }

  /** Hang up a call whoever placed it (a platform operator's live-calls control); false when none is in progress. */
  async hangUpById(callId: string): Promise<boolean> {
    const call = this.live.get(callId);
    if (!call) return false;
    await call.hangUp('callbridge');
    return true;
  }

  /** Calls in progress. */
  get activeCalls(): number {
    return this.live.size;
  }

  /** End every call (shutdown). */
  async stop(): Promise<void> {
    await Promise.all([...this.live.values()].map((call) => call.hangUp('callbridge')));
  }

  private remember(call: ClickToDialCall): void {
    this.live.delete(call.id);
    const now = Date.now();
    this.ended.set(call.id, { progress: progressOf(call), userId: call.user.userId, at: now });
    for (const [id, entry] of this.ended) {
      if (now - entry.at < KEEP_ENDED_MS && this.ended.size <= KEEP_ENDED_MAX) break;
      this.ended.delete(id);
    }
  }
}

function progressOf(call: ClickToDialCall): DialProgress {
  const state = call.state;
  return {
    callId: call.id,
    number: call.number,
    phase: call.phase,
    startedAt: state.startedAt.toISOString(),
    ...(state.answeredAt && { answeredAt: state.answeredAt.toISOString() }),
    ...(state.endedAt && { endedAt: state.endedAt.toISOString() }),
    ...(call.result && { result: call.result }),
    ...(call.failure && { failure: call.failure }),
  };
}
