import type { TrunkLine } from './trunk-line.js';
import type { TrunkCallerId } from './trunk-leg.js';

/** The id a registration trunk registers under in the registration agent (its Contact names the trunk). */
export function trunkRegistrationId(serviceId: string): string {
  return `trunk:${serviceId}`;
}

/** The trunk service of a registration id, undefined for a user's id. */
export function trunkOfRegistrationId(id: string | undefined): string | undefined {
  return id?.startsWith('trunk:') ? id.slice('trunk:'.length) : undefined;
}

/**
 * One call's hold on a trunk: the channel it took (released once when the call ends) and the caller ID chosen
 * for it. Shared by the call and the directory that finds its user.
 */
export class TrunkCallHold {
  private held = false;
  caller: TrunkCallerId | undefined;

  /** The trunk the call is on (an inbound call's is settled once its number is looked up). */
  constructor(public line: TrunkLine) {}

  /** Take a channel; false when every channel is in use. */
  take(): boolean {
    if (this.held) return true;
    this.held = this.line.acquire();
    return this.held;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.line.release();
  }
}
