import { refusal, type CallRefusal, type CallUser } from './call-user.js';

/**
 * The per-user and per-service concurrent call limits of the service's call settings (issue 17), counted in this
 * process (one process holds the B2BUA of every call it bridges). A call is counted from its admission (once its
 * user is known) until it ends. The refusal differs by side: toward the PBX a user's limit is "busy" (486: the
 * PBX may forward on busy to its voicemail) and the service's is 503; toward Microsoft always 503, the answer
 * Direct Routing documents for an SBC that cannot take a call (it may try another SBC).
 *
 * @example const why = limits.admit(user, 'pbx'); if (!why) { ...; limits.release(user); }
 */
export class CallLimits {
  private readonly users = new Map<string, number>();
  private readonly services = new Map<string, number>();

  /** Count the call of `user` arriving on `side`, or say why it is refused (and count nothing). */
  admit(user: CallUser, side: 'pbx' | 'teams'): CallRefusal | undefined {
    const { maxCallsPerUser, maxCallsPerService } = user.settings;
    const ofUser = this.users.get(user.userId) ?? 0;
    const ofService = this.services.get(user.serviceId) ?? 0;
    let why: CallRefusal | undefined;
    if (maxCallsPerUser !== null && ofUser >= maxCallsPerUser)
      why = refusal(
        'user_call_limit',
        `The user already has ${ofUser} call${ofUser === 1 ? '' : 's'}, the most the service allows per user.`,
      );
    else if (maxCallsPerService !== null && ofService >= maxCallsPerService)
      why = refusal(
        'service_call_limit',
        `The service already has ${ofService} call${ofService === 1 ? '' : 's'}, its limit.`,
      );
    if (why) return side === 'teams' ? { ...why, status: 503 } : why;
    this.users.set(user.userId, ofUser + 1);
    this.services.set(user.serviceId, ofService + 1);
    return undefined;
  }

  /** An admitted call ended. */
  release(user: CallUser): void {
    decrement(this.users, user.userId);
    decrement(this.services, user.serviceId);
  }

  /** Calls counted for a user (the live view, tests). */
  callsOf(userId: string): number {
    return this.users.get(userId) ?? 0;
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 0) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}
