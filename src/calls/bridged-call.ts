import { randomUUID } from 'node:crypto';
import { isMediaError } from '../media/media-error.js';
import type { MediaStats } from '../media/media-relay.js';
import { mergeMediaStats } from '../media/media-stats.js';
import { tagOf, type Dialog } from '../sip/dialog/dialog.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import type { ReinviteAnswer } from '../sip/dialog/endpoint.types.js';
import { ownText } from '../sip/message/message.parser.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import type { CallContext, DialogOwner } from './call-context.js';
import type {
  CallDirection,
  CallLegSummary,
  CallRecordInput,
  CallResult,
  LiveCallInfo,
} from './call-record.types.js';
import { CallState, type CallPhase } from './call-state.js';
import { refusal, type CallRefusal, type CallUser } from './call-user.js';
import { relayReinvite, type MidCallLegs } from './mid-call.js';
import { replaceFromTeams } from './replaces-call.js';
import { answerRefer, type NewTeamsLeg, type TransferableCall } from './transfer.js';
import type { FoundRoute } from '../edge/teams-edge.js';

type Side = 'pbx' | 'teams';

/** Refusals that are the settings' or the user's doing (result `refused`), not a failure. */
const REFUSED = new Set(['no_teams_number', 'pbx_voicemail_preferred']);

/**
 * What both directions of a bridged call share: the state machine, the two legs' summaries, the dialogs held for
 * BYE either way, the ring timeout, and the reports to the call recorder (started once, changed on each phase,
 * ended once with legs, result, refusal and ladder). A BYE on one leg ends the other; the relay forgets the media.
 */
export abstract class BridgedCall implements DialogOwner {
  readonly id = randomUUID();
  readonly state = new CallState();
  protected user: CallUser | undefined;
  protected pbxDialog: Dialog | undefined;
  protected teamsDialog: Dialog | undefined;
  protected readonly legs: Record<Side, CallLegSummary>;
  /** The Call-ID the relay keys the media by (the leg the offer came in on), once an offer went through it. */
  protected mediaCallId: string | undefined;
  /** What mid-call requests (`mid-call.ts`) see of this call. */
  protected readonly midCall: MidCallLegs;
  /** Each side's tag at the relay once a transfer moved the media to a relay call of its own. */
  private mediaTags: Record<Side, string> | undefined;
  /** The figures of relay calls the media left (transfers, Replaces): the record adds them to the last one's. */
  private earlierMedia: MediaStats | undefined;
  private readonly transfer = { transferring: false };
  private refusal: { code: string; message: string } | undefined;
  private ringTimer: NodeJS.Timeout | undefined;
  /** The service's maximum duration, running once answered (call-limits.ts counts the concurrent calls). */
  private durationTimer: NodeJS.Timeout | undefined;
  private admitted = false;
  private reported = false;

  protected constructor(
    protected readonly ctx: CallContext,
    readonly direction: CallDirection,
    /** The leg the call came in on (answered by us). */
    protected readonly incoming: IncomingCall,
    protected readonly inSide: Side,
    /** Caller and called party as the record shows them (the called number is known once the user is). */
    public from: string,
    public to: string,
  ) {
    const callId = incoming.request.headers.get('Call-ID') ?? '';
    this.legs = {
      pbx: { side: 'pbx', sipCallId: inSide === 'pbx' ? callId : '' },
      teams: { side: 'teams', sipCallId: inSide === 'teams' ? callId : '' },
    };
    ctx.ladders.watch(callId);
    ctx.ladders.received(inSide, incoming.request); // it arrived before anyone watched its Call-ID
    const sdpFrom = { pbx: undefined, teams: undefined, [inSide]: incoming.request.body.toString() };
    this.midCall = {
      ctx,
      sdpFrom,
      dialogOf: (side) => (side === 'pbx' ? this.pbxDialog : this.teamsDialog),
      media: () => this.mediaKeys(),
      holdMode: () => this.user?.settings.holdMode ?? 'inactive',
    };
  }

  /** A re-INVITE on one of the call's dialogs (hold, resume): passed to the other leg (`mid-call.ts`). */
  reinvited(side: Side, request: SipRequest): Promise<ReinviteAnswer | undefined> {
    return relayReinvite(this.midCall, side, request);
  }

  /** Another request in one of the call's dialogs: a REFER from Teams starts a transfer (`transfer.ts`). */
  dialogRequest(side: Side, dialog: Dialog, request: SipRequest): SipResponse | undefined {
    if (side !== 'teams' || request.method !== 'REFER') return undefined;
    return answerRefer(this.transferable(), this.transfer, dialog, request);
  }

  /** The Teams route of the call (a call from Teams has one; Replaces finds the user by it). */
  protected teamsRoute(): FoundRoute | undefined {
    return undefined;
  }

  private transferable(): TransferableCall {
    return {
      ctx: this.ctx,
      midCall: this.midCall,
      isUp: () => this.state.phase === 'answered',
      remoteParty: () => (this.direction === 'pbx-to-teams' ? this.from : this.to),
      customerFqdn: () => this.user?.customerFqdn,
      route: () => this.teamsRoute(),
      replaceTeamsLeg: (next, byeOldAfterMs) => this.replaceTeamsLeg(next, byeOldAfterMs),
    };
  }

  /** An INVITE with Replaces from Teams names this call's Teams leg: the new dialog takes its place. */
  replacedBy(incoming: IncomingCall): Promise<void> {
    return replaceFromTeams(this.transferable(), incoming);
  }

  /**
   * A transfer or a Replaces gave the call a new Teams leg: the old dialog is no longer the call's (Microsoft's
   * BYE of it ends nothing; ours follows if Microsoft's does not come), the media moves to the new relay call.
   */
  protected async replaceTeamsLeg(next: NewTeamsLeg, byeOldAfterMs = 5000): Promise<void> {
    const old = this.teamsDialog;
    const oldMedia = this.mediaCallId;
    if (old) this.ctx.untrack(old);
    this.teamsDialog = next.dialog;
    this.ctx.track(next.dialog, this);
    this.mediaCallId = next.media.callId;
    this.mediaTags = next.media.tags;
    this.legs.teams.sipCallId = next.sipCallId;
    this.legs.teams.peer = next.peer;
    this.ctx.ladders.watch(next.sipCallId);
    if (oldMedia && oldMedia !== next.media.callId) {
      const figures = await this.ctx.relay.delete(oldMedia).catch(() => undefined);
      this.earlierMedia = mergeMediaStats(this.earlierMedia, figures);
    }
    if (old)
      setTimeout(() => {
        if (old.state === 'confirmed') void this.ctx.endpointOf('teams').dialogs.bye(old);
      }, byeOldAfterMs).unref();
  }

  /**
   * The relay's keys of this call: its Call-ID (the incoming leg's) and each side's tag there (the caller's From
   * tag for the incoming side, our To-tag toward the caller for the other, as `answerThroughRelay` named them).
   */
  protected mediaKeys(): { callId: string; tagOf(side: Side): string } | undefined {
    const callId = this.mediaCallId;
    if (callId === undefined) return undefined;
    const tags = this.mediaTags;
    if (tags) return { callId, tagOf: (side) => tags[side] };
    const callerTag = tagOf(this.incoming.request.headers.get('From')) ?? '';
    return {
      callId,
      tagOf: (side) => (side === this.inSide ? callerTag : this.incoming.localTag),
    };
  }

  /** The call as the live-calls view shows it (once its user is known). */
  info(): LiveCallInfo | undefined {
    if (!this.user) return undefined;
    return {
      id: this.id,
      accountId: this.user.accountId,
      serviceId: this.user.serviceId,
      userId: this.user.userId,
      direction: this.direction,
      from: this.from,
      to: this.to,
      startedAt: this.state.startedAt.toISOString(),
      state: this.state.live,
      ...(this.state.answeredAt && { answeredAt: this.state.answeredAt.toISOString() }),
    };
  }

  /** One of the call's dialogs ended (BYE from that side, session expiry, no ACK): end the other one too. */
  dialogEnded(side: Side, dialog: Dialog): void {
    if (this.state.phase === 'ending' || !this.moveTo('ending')) return; // our own BYE of the other leg
    const other = dialog === this.pbxDialog ? this.teamsDialog : this.pbxDialog;
    const otherSide: Side = dialog === this.pbxDialog ? 'teams' : 'pbx';
    this.pbxDialog = this.teamsDialog = undefined;
    this.legs.pbx.hungUpBy = side;
    this.legs.teams.hungUpBy = side;
    const bye = other ? this.ctx.endpointOf(otherSide).dialogs.bye(other) : Promise.resolve(undefined);
    void bye.then(() => this.finish('answered'));
  }

  /**
   * End the call from Callbridge (shutdown, a limit, a crossed CANCEL): BYE both dialogs (with `byeHeaders`, e.g.
   * a Reason), or refuse it while ringing.
   */
  async hangUp(result?: CallResult, byeHeaders: Record<string, string> = {}): Promise<void> {
    const wasAnswered = this.state.phase === 'answered';
    if (this.state.phase === 'ending' || !this.moveTo('ending')) return;
    for (const side of ['pbx', 'teams'] as const) this.legs[side].hungUpBy ??= 'callbridge';
    const dialogs = [this.pbxDialog, this.teamsDialog] as const;
    this.pbxDialog = this.teamsDialog = undefined;
    if (!wasAnswered) this.incoming.reject(480);
    await Promise.all([
      dialogs[0] && this.ctx.endpointOf('pbx').dialogs.bye(dialogs[0], 'local-bye', byeHeaders),
      dialogs[1] && this.ctx.endpointOf('teams').dialogs.bye(dialogs[1], 'local-bye', byeHeaders),
    ]);
    await this.finish(result ?? (wasAnswered ? 'answered' : 'failed'));
  }

  /** The user was found: the call is reported from now on. */
  protected known(user: CallUser): void {
    this.user = user;
    const info = this.info();
    if (info) this.safely(() => this.ctx.recorder.started(info), 'call recorder: started');
    this.reported = true;
  }

  /** Move the state machine and tell the recorder. */
  protected moveTo(phase: CallPhase): boolean {
    if (!this.state.move(phase)) return false;
    if (phase === 'answered') {
      // Answered: the ring timeout has nothing left to give up (a held call keeps no timer of it).
      clearTimeout(this.ringTimer);
      this.ringTimer = undefined;
      this.startDurationLimit();
    }
    const info = this.info();
    if (info && this.reported && phase !== 'ended')
      this.safely(() => this.ctx.recorder.changed(info), 'call recorder: changed');
    return true;
  }

  /** Start the service's ring timeout; `expired` gives up ringing. */
  protected startRingTimer(ms: number, expired: () => void): void {
    this.ringTimer = setTimeout(expired, ms);
    this.ringTimer.unref();
  }

  /**
   * Count the call against its user's and service's concurrent-call limits; true (and the call refused with a
   * Reason and the limit's code in the record) when one is full.
   */
  protected async refusedByLimits(user: CallUser): Promise<boolean> {
    const why = this.ctx.limits.admit(user, this.inSide);
    if (!why) {
      this.admitted = true;
      return false;
    }
    await this.refuse(why);
    return true;
  }

  /** The service's maximum call duration: when it runs out, BYE both legs with a Reason, recorded. */
  private startDurationLimit(): void {
    const ms = this.user?.settings.maxCallDurationMs;
    if (ms === null || ms === undefined) return;
    this.durationTimer = setTimeout(() => {
      const limit = ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
      const message = `The call reached the service's maximum duration (${limit}).`;
      this.refusal = { code: 'max_duration', message };
      for (const side of ['pbx', 'teams'] as const) this.legs[side].reason = message;
      // Q.850 cause 102, "recovery on timer expiry": a timer ended the call, not either party.
      void this.hangUp('answered', { Reason: `Q.850;cause=102;text="${message}"` });
    }, ms);
    this.durationTimer.unref();
  }

  /** Refuse the call on its incoming leg with why, and end it. */
  protected refuse(why: CallRefusal): Promise<void> {
    this.refusal = { code: why.code, message: why.message };
    this.legs[this.inSide].finalStatus = why.status;
    this.legs[this.inSide].reason = why.message;
    this.incoming.reject(why.status, { Reason: reasonHeader(why.status, why.message) });
    const refused = why.code.startsWith('user_') || why.code.endsWith('_call_limit') || REFUSED.has(why.code);
    return this.finish(refused ? 'refused' : 'failed');
  }

  /**
   * Pass the incoming leg's offer through the relay toward the other side; undefined (and the call refused with
   * why) when the relay is unavailable (503: rtpengine down or not configured) or refuses the offer (488).
   * `sdp`: an offer of our own instead of the incoming one (late offer: `late-offer.ts`).
   */
  protected async offerThroughRelay(toward: 'pbx' | 'teams', sdp?: string): Promise<string | undefined> {
    const status = this.ctx.relay.status();
    if (status.state === 'unavailable') {
      await this.refuse(refusal('media_unavailable', `No media relay: ${status.reason}`));
      return undefined;
    }
    const request = this.incoming.request;
    const callId = this.legs[this.inSide].sipCallId;
    try {
      const rewritten = await this.ctx.relay.offer({
        callId,
        fromTag: tagOf(request.headers.get('From')) ?? '',
        sdp: sdp ?? request.body.toString('utf8'),
        toward,
      });
      this.mediaCallId = callId;
      return rewritten;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const refused = isMediaError(error) && error.reason === 'relay_refused';
      await this.refuse(
        refused
          ? refusal('media_refused', `The media relay refused the offer: ${message}`)
          : refusal('media_unavailable', `The media relay did not answer: ${message}`),
      );
      return undefined;
    }
  }

  /**
   * Pass an answer (18x or 2xx SDP) from the other side back through the relay toward the incoming side. The relay
   * keys the call by the incoming leg, so the answer's To-tag is that leg's (ours): the far side's forks (Teams
   * rings each device; a 183 from one and the 200 from another) update one answer instead of adding monologues the
   * media would not follow (measured: no audio after a 183 and 200 from different forks with their own tags).
   */
  protected async answerThroughRelay(response: SipResponse): Promise<Buffer | undefined> {
    this.midCall.sdpFrom[this.inSide === 'pbx' ? 'teams' : 'pbx'] = response.body.toString();
    const sdp = await this.ctx.relay
      .answer({
        callId: this.legs[this.inSide].sipCallId,
        fromTag: tagOf(this.incoming.request.headers.get('From')) ?? '',
        toTag: this.incoming.localTag,
        sdp: response.body.toString('utf8'),
        toward: this.inSide,
      })
      .catch((error: unknown) => this.ctx.onError(error, `relay answer toward ${this.inSide}`));
    return sdp === undefined ? undefined : Buffer.from(sdp);
  }

  /**
   * The call is up (our 2xx ACKed): its ladder so far is deflated a few seconds later while it lasts
   * (`call-ladder.ts`), what comes later is added as it comes; the record still gets every message.
   */
  protected packLadder(): void {
    if (this.state.phase !== 'answered') return;
    for (const side of ['pbx', 'teams'] as const)
      if (this.legs[side].sipCallId !== '') this.ctx.ladders.packSoon(this.legs[side].sipCallId);
  }

  /** Record a leg's final response (status and Reason header or phrase). */
  protected legFinal(side: Side, response: SipResponse): void {
    this.legs[side].finalStatus = response.status;
    // A copy: a slice of the response would keep its whole text for as long as the call lasts.
    this.legs[side].reason = ownText(response.headers.get('Reason') ?? response.reason);
  }

  /** The call is over: stop timers, free the media, report it once. */
  protected async finish(result: CallResult): Promise<void> {
    if (!this.state.move('ended')) return;
    clearTimeout(this.ringTimer);
    clearTimeout(this.durationTimer);
    if (this.admitted && this.user) this.ctx.limits.release(this.user);
    this.ctx.forget(this, [this.pbxDialog, this.teamsDialog]);
    const last = this.mediaCallId
      ? await this.ctx.relay.delete(this.mediaCallId).catch(() => undefined)
      : undefined;
    const media = mergeMediaStats(this.earlierMedia, last);
    const ladder = [this.legs.pbx.sipCallId, this.legs.teams.sipCallId]
      .filter((id) => id !== '')
      .flatMap((id) => this.ctx.ladders.take(id))
      .sort((a, b) => a.atMs - b.atMs);
    const info = this.info();
    if (!info) return;
    const { state: _state, ...live } = info;
    const record: CallRecordInput = {
      ...live,
      ...(this.state.ringingAt && { ringingAt: this.state.ringingAt.toISOString() }),
      endedAt: (this.state.endedAt ?? new Date()).toISOString(),
      result,
      ...(this.refusal && { refusal: this.refusal }),
      legs: [this.legs.pbx, this.legs.teams].filter((leg) => leg.sipCallId !== ''),
      ...(media && { media }),
      ladder,
    };
    this.safely(() => this.ctx.recorder.ended(record), 'call recorder: ended');
  }

  protected safely(work: () => void, what: string): void {
    try {
      work();
    } catch (error) {
      this.ctx.onError(error, what);
    }
  }
}

/** A Reason header (RFC 3326) with our words, e.g. `SIP;cause=403;text="The user holds no licence"`. */
export function reasonHeader(status: number, text: string): string {
  return `SIP;cause=${status};text="${text.replace(/["\\\r\n]/g, ' ').slice(0, 200)}"`;
}
