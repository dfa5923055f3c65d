import type {
  MediaAnswerRequest,
  MediaBlockRequest,
  MediaOfferRequest,
  MediaRelay,
  MediaRelayStatus,
  MediaSide,
  MediaStats,
} from './media-relay.js';
import { isMediaError, MediaError } from './media-error.js';
import { mediaStatsFrom } from './media-stats.js';
import { flagsToward } from './relay-flags.js';
import { describeTarget, NgClient, type NgClientOptions } from './rtpengine/ng-client.js';
import type { NgTarget } from './rtpengine/ng-types.js';

/** Where the relay's rtpengine is, or why there is none. */
export type RtpengineRelayOptions = {
  /** How often rtpengine is pinged (default 1000 ms); a ping unanswered within `ping.timeoutMs` marks it down. */
  pingIntervalMs?: number;
  /** Timing of pings (default: resent after 250 ms, down after 1000 ms). */
  ping?: NgClientOptions;
  /** Timing of offers, answers, queries and deletes (the client's defaults). */
  requests?: NgClientOptions;
  /** Told of every change of status (for the log). */
  onStatus?: (status: MediaRelayStatus) => void;
} & ({ target: NgTarget } | { target?: undefined; unavailableReason: string });

/** rtpengine's error-reasons for a call it does not know (`query`: "Unknown call-id"; `delete`: "Call-ID not found"). */
const UNKNOWN_CALL = /^(Unknown call-id|Call-ID not found)/i;

function opposite(side: MediaSide): MediaSide {
  return side === 'teams' ? 'pbx' : 'teams';
}

/**
 * The MediaRelay over rtpengine's ng protocol. `status()` follows a ping every second: rtpengine not answering
 * turns it unavailable within about two seconds, and new offers are then refused at once with a MediaError
 * (`relay_unavailable`) instead of waiting out a timeout per call. Each call remembers which SIP tag is on which
 * side so that figures are reported per side.
 */
export class RtpengineRelay implements MediaRelay {
  private current: MediaRelayStatus;
  private readonly sides = new Map<string, Map<string, MediaSide>>();
  private timer: NodeJS.Timeout | undefined;
  private pinging = false;

  private constructor(
    private readonly options: RtpengineRelayOptions,
    private readonly client: NgClient | undefined,
    private readonly pinger: NgClient | undefined,
  ) {
    this.current = options.target
      ? {
          state: 'unavailable',
          reason: `rtpengine at ${describeTarget(options.target)} has not answered yet.`,
        }
      : { state: 'unavailable', reason: options.unavailableReason };
  }

  /** Opens the control sockets and waits for the first ping's outcome (so `status()` is meaningful at once). */
  static async open(options: RtpengineRelayOptions): Promise<RtpengineRelay> {
    if (!options.target) return new RtpengineRelay(options, undefined, undefined);
    const client = await NgClient.open(options.target, options.requests);
    const pinger = await NgClient.open(
      options.target,
      options.ping ?? { retransmitMs: [250, 500], timeoutMs: 1000 },
    );
    const relay = new RtpengineRelay(options, client, pinger);
    await relay.checkNow();
    relay.timer = setInterval(() => void relay.checkNow(), options.pingIntervalMs ?? 1000);
    relay.timer.unref();
    return relay;
  }

  status(): MediaRelayStatus {
    return this.current;
  }

  async offer(request: MediaOfferRequest): Promise<string> {
    const client = this.usable();
    const reply = await this.guard(
      client.offer({
        'call-id': request.callId,
        'from-tag': request.fromTag,
        sdp: request.sdp,
        ...flagsToward(request.toward),
      }),
    );
    this.tagsOf(request.callId).set(request.fromTag, opposite(request.toward));
    return reply.sdp;
  }

  async answer(request: MediaAnswerRequest): Promise<string> {
    const client = this.usable();
    const reply = await this.guard(
      client.answer({
        'call-id': request.callId,
        'from-tag': request.fromTag,
        'to-tag': request.toTag,
        sdp: request.sdp,
        ...flagsToward(request.toward),
      }),
    );
    this.tagsOf(request.callId).set(request.toTag, opposite(request.toward));
    return reply.sdp;
  }

  async block(request: MediaBlockRequest): Promise<void> {
    const client = this.usable();
    const params = { 'call-id': request.callId, 'from-tag': request.fromTag };
    await this.guard(request.blocked ? client.blockMedia(params) : client.unblockMedia(params));
  }

  /**
   * rtpengine 10.5 answers `delete` without the figures its documentation promises, so the call is queried first
   * (one more loopback round trip) and the delete reply's figures are used only when present.
   */
  async delete(callId: string): Promise<MediaStats | undefined> {
    const client = this.usable();
    const tags = this.sides.get(callId) ?? new Map<string, MediaSide>();
    const last = await this.knownCall(client.query({ 'call-id': callId }));
    const reply = await this.knownCall(client.delete({ 'call-id': callId, flags: ['fatal'] }));
    this.sides.delete(callId);
    const figures = reply?.tags ? reply : last;
    return figures && mediaStatsFrom(figures, tags);
  }

  async query(callId: string): Promise<MediaStats | undefined> {
    const reply = await this.knownCall(this.usable().query({ 'call-id': callId }));
    return reply && mediaStatsFrom(reply, this.sides.get(callId) ?? new Map<string, MediaSide>());
  }

  /** Stops pinging and closes the sockets. */
  close(): void {
    clearInterval(this.timer);
    this.client?.close();
    this.pinger?.close();
  }

  /** Pings once and updates the status. */
  async checkNow(): Promise<MediaRelayStatus> {
    if (!this.pinger || this.pinging) return this.current;
    this.pinging = true;
    try {
      await this.pinger.ping();
      this.setStatus({ state: 'available', relay: `rtpengine ${describeTarget(this.pinger.target)}` });
    } catch (error) {
      this.setStatus({ state: 'unavailable', reason: (error as Error).message });
    } finally {
      this.pinging = false;
    }
    return this.current;
  }

  private setStatus(next: MediaRelayStatus): void {
    const changed =
      next.state !== this.current.state || JSON.stringify(next) !== JSON.stringify(this.current);
    this.current = next;
    if (changed) this.options.onStatus?.(next);
  }

  private usable(): NgClient {
    if (this.current.state === 'unavailable' || !this.client) {
      throw new MediaError(
        'relay_unavailable',
        `No media relay: ${this.current.state === 'unavailable' ? this.current.reason : 'closed.'}`,
      );
    }
    return this.client;
  }

  /**
   * A request that timed out may mean rtpengine is gone, or only that it fell behind (a burst of calls on a busy
   * machine): ping at once, and let the ping decide. Turning unavailable on one slow answer refused every new call
   * for the next second (measured at 200 calls/s: hundreds of calls refused while rtpengine still answered pings).
   */
  private async guard<T>(request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (error) {
      if (isMediaError(error) && error.reason === 'relay_timeout') void this.checkNow();
      throw error;
    }
  }

  /** rtpengine not knowing the call answers undefined (the contract's "no longer knows it"). */
  private async knownCall<T>(request: Promise<T>): Promise<T | undefined> {
    try {
      return await this.guard(request);
    } catch (error) {
      if (isMediaError(error) && UNKNOWN_CALL.test(String(error.details?.errorReason))) return undefined;
      throw error;
    }
  }

  private tagsOf(callId: string): Map<string, MediaSide> {
    let tags = this.sides.get(callId);
    if (!tags) {
      tags = new Map();
      this.sides.set(callId, tags);
    }
    return tags;
  }
}
