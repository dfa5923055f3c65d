/**
 * The calls in progress on this node, kept in memory from the B2BUA's started/changed/ended reports (a restart
 * empties it, as it ends the calls). The provider and account views read it; a platform operator ends a call
 * through `LiveCallControl`, which the B2BUA implements.
 */
import type { LiveCallInfo } from '../call-record.types.js';

/** What the B2BUA offers the live view: ending one call (BYE on both legs, or CANCEL while ringing). */
export interface LiveCallControl {
  /** Ends the call; answers false when the B2BUA no longer knows it. */
  hangUp(callId: string): Promise<boolean>;
}

export class LiveCalls {
  private readonly calls = new Map<string, LiveCallInfo>();

  /** A call started or changed state (ringing, answered, ending). */
  put(call: LiveCallInfo): void {
    this.calls.set(call.id, { ...call });
  }

  remove(callId: string): void {
    this.calls.delete(callId);
  }

  get(callId: string): LiveCallInfo | undefined {
    return this.calls.get(callId);
  }

  get size(): number {
    return this.calls.size;
  }

  /** The calls of these accounts (all when undefined), oldest first. */
  list(accountIds?: ReadonlySet<string>): LiveCallInfo[] {
    const out: LiveCallInfo[] = [];
    for (const call of this.calls.values())
      if (!accountIds || accountIds.has(call.accountId)) out.push({ ...call });
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }
}
