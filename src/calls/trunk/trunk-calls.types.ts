import type { TrunkChannelLedger } from './trunk-channels.js';
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
 * for it. Shared by the call and the directory that finds its user. With several sip nodes (a `ledger`), a trunk
 * with a channel limit is counted across nodes as well as on this one (whose count the metrics show).
 */
export class TrunkCallHold {
  private held = false;
  private ticket: string | undefined;
  caller: TrunkCallerId | undefined;

  /** The trunk the call is on (an inbound call's is settled once its number is looked up). */
  constructor(
    public line: TrunkLine,
    private readonly ledger?: TrunkChannelLedger,
  ) {}

  /** Take a channel; false when every channel is in use (on this node, or across the nodes). */
  async take(): Promise<boolean> {
    if (this.held) return true;
    const line = this.line;
    if (!line.acquire()) return false;
    const max = line.settings.maxChannels;
    if (this.ledger && max !== null) {
      try {
        this.ticket = await this.ledger.take(line.serviceId, max);
      } catch (error) {
        line.release();
        throw error;
      }
      if (this.ticket === undefined) {
        line.release();
        return false;
      }
    }
    this.held = true;
    return true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.line.release();
    if (this.ticket !== undefined) this.ledger?.give(this.ticket);
    this.ticket = undefined;
  }
}
