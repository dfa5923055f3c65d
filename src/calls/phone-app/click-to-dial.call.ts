import { randomUUID } from 'node:crypto';
import type { TeamsCallResult } from '../../edge/teams-failover.js';
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { CallOutcome } from '../../sip/dialog/endpoint.types.js';
import type { ReinviteAnswer } from '../../sip/dialog/endpoint.types.js';
import type { OutgoingCall } from '../../sip/dialog/outgoing-call.js';
import { serializeMessage } from '../../sip/message/message.serializer.js';
import { randomToken, type SipRequest, type SipResponse } from '../../sip/message/sip-message.js';
import type { CallContext, DialogOwner } from '../call-context.js';
import type { CallLegSummary, CallRecordInput, CallResult, LiveCallInfo } from '../call-record.types.js';
import { CallState } from '../call-state.js';
import type { CallUser } from '../call-user.js';
import { relayReinvite, type MidCallLegs } from '../mid-call.js';
import { PbxCall } from '../pbx-leg.js';
import { resultOf } from '../response-map.js';
import { placeholderOffer, type DialPhase, type DialProgress } from './dial-progress.js';
import { holdTowardPbx } from './phone-app-hold.js';
import { reachTeams } from './teams-reach.js';

type Side = 'pbx' | 'teams';

/**
 * Click-to-dial from the Phone App tab (issue 20): Callbridge calls the user's own Teams client through external
 * access, presenting the number dialled; when they answer, it INVITEs the PBX *as the user* (their digest
 * credentials, their registered Contact) for that number and bridges the two inside Callbridge (Microsoft takes
 * no REFER from us). Media passes rtpengine: Teams needs an offer before anyone else is known, so the relay is
 * first offered a placeholder for the PBX side; Teams' answer, rewritten toward the PBX, is the PBX's offer; the
 * PBX's answer then replaces the placeholder (a re-offer inside rtpengine, ports and keys unchanged).
 *
 * @example const call = new ClickToDialCall(ctx, user, '+442079460123'); void call.run();
 */
export class ClickToDialCall implements DialogOwner {
  readonly id = randomUUID();
  readonly state = new CallState();
  /** What the tab shows; `phase` moves calling-teams -> connecting -> ringing -> answered -> ended. */
  phase: DialPhase = 'calling-teams';
  failure: DialProgress['failure'];
  result: CallResult | undefined;
  private readonly mediaKey = `phone-app-${this.id}`;
  private readonly pbxTag = randomToken(12);
  private readonly teamsTag = randomToken(12);
  private readonly legs: Record<Side, CallLegSummary> = {
    pbx: { side: 'pbx', sipCallId: '' },
    teams: { side: 'teams', sipCallId: '' },
  };
  private readonly giveUp = new AbortController();
  private teamsAttempt: OutgoingCall | undefined;
  private pbxLeg: PbxCall | undefined;
  private teamsDialog: Dialog | undefined;
  private pbxDialog: Dialog | undefined;
  private teamsSdp = '';
  private mediaUsed = false;
  private ringTimer: NodeJS.Timeout | undefined;
  private timedOut = false;
  /** What re-INVITEs (hold, resume) see of this call: `mid-call.ts` passes them to the other leg. */
  private readonly midCall: MidCallLegs;

  constructor(
    private readonly ctx: CallContext,
    readonly user: CallUser,
    readonly number: string,
    private readonly onEnded: (call: ClickToDialCall) => void = () => undefined,
  ) {
    this.midCall = {
      ctx,
      sdpFrom: { pbx: undefined, teams: undefined },
      dialogOf: (side) => (side === 'pbx' ? this.pbxDialog : this.teamsDialog),
      media: () =>
        this.mediaUsed
          ? { callId: this.mediaKey, tagOf: (side) => (side === 'pbx' ? this.pbxTag : this.teamsTag) }
          : undefined,
      // The field's documented Phone App behaviour: a hold from the PBX reaches Teams as a=inactive.
      holdMode: () => 'inactive',
    };
  }

  /**
   * A re-INVITE on either leg once both are up (hold, resume): passed to the other leg through the relay
   * (`relayReinvite`). A hold from Teams (sendonly or inactive) reaches the PBX as `a=inactive`, so the PBX plays
   * its music on hold to the far party; the PBX's hold reaches Teams as `a=inactive` (hold mode 'inactive').
   */
  reinvited(side: Side, request: SipRequest): Promise<ReinviteAnswer | undefined> {
    // Not bridged yet (the PBX's answer is still going into the relay): the peer may try again shortly.
    if (this.state.phase !== 'answered' && request.body.length > 0)
      return Promise.resolve({ status: 500, headers: { 'Retry-After': '1' } });
    return relayReinvite(this.midCall, side, side === 'teams' ? holdTowardPbx(request) : request);
  }

  /** The call as the live view and the recorder see it: the Teams user calling the number through the PBX. */
  info(): LiveCallInfo {
    return {
      id: this.id,
      accountId: this.user.accountId,
      serviceId: this.user.serviceId,
      userId: this.user.userId,
      direction: 'teams-to-pbx',
      from: this.user.phoneApp?.address ?? this.user.number ?? '',
      to: this.number,
      startedAt: this.state.startedAt.toISOString(),
      state: this.state.live,
      ...(this.state.answeredAt && { answeredAt: this.state.answeredAt.toISOString() }),
    };
  }

  /** Ring the user's Teams client, then the number through the PBX, and bridge them. */
  async run(): Promise<void> {
    this.safely(() => this.ctx.recorder.started(this.info()), 'call recorder: started');
    if (this.user.refusal) return this.fail('callbridge', this.user.refusal.code, this.user.refusal.message);
    if (this.ctx.relay.status().state === 'unavailable')
      return this.fail('callbridge', 'media_unavailable', 'No media relay is available for calls now.');
    let offer: string;
    try {
      offer = await this.ctx.relay.offer({
        callId: this.mediaKey,
        fromTag: this.pbxTag,
        sdp: placeholderOffer(),
        toward: 'teams',
      });
      this.mediaUsed = true;
    } catch (error) {
      return this.fail(
        'callbridge',
        'media_unavailable',
        `The media relay did not answer: ${messageOf(error)}`,
      );
    }
    this.ringTimer = setTimeout(() => {
      this.timedOut = true;
      this.stopRinging();
    }, this.user.settings.ringTimeoutMs);
    this.ringTimer.unref();
    let result: TeamsCallResult;
    try {
      result = await reachTeams(this.ctx.teams, this.user, this.number, {
        sdp: Buffer.from(offer),
        signal: this.giveUp.signal,
        onAttempt: (call) => this.teamsAttempted(call),
      });
    } catch (error) {
      return this.fail('callbridge', 'teams_unreachable', messageOf(error));
    }
    this.legs.teams.peer = result.proxy;
    return this.teamsSettled(result.outcome);
  }

  /** End the call from the tab (the user: `teams`), or from Callbridge (operator, shutdown): BYE what is up, cancel what rings. */
  async hangUp(by: 'teams' | 'callbridge' = 'teams'): Promise<void> {
    if (this.state.phase === 'ending' || this.state.ended) return;
    this.legs.pbx.hungUpBy ??= by;
    this.legs.teams.hungUpBy ??= by;
    this.stopRinging();
    const dialogs = [this.pbxDialog, this.teamsDialog] as const;
    if (!dialogs[0] && !dialogs[1]) return; // still ringing: the settled outcome ends the call
    this.state.move('ending');
    this.pbxDialog = this.teamsDialog = undefined;
    await Promise.all([
      dialogs[0] && this.ctx.endpointOf('pbx').dialogs.bye(dialogs[0]),
      dialogs[1] && this.ctx.endpointOf('teams').dialogs.bye(dialogs[1]),
    ]);
    await this.finish(this.state.answeredAt ? 'answered' : 'cancelled');
  }

  /** A BYE (or session expiry) on one leg ends the other. */
  dialogEnded(side: Side, dialog: Dialog): void {
    if (this.state.phase === 'ending' || !this.state.move('ending')) return;
    const other = dialog === this.pbxDialog ? this.teamsDialog : this.pbxDialog;
    const otherSide: Side = dialog === this.pbxDialog ? 'teams' : 'pbx';
    this.pbxDialog = this.teamsDialog = undefined;
    this.legs.pbx.hungUpBy = this.legs.teams.hungUpBy = side;
    this.stopRinging();
    const bye = other ? this.ctx.endpointOf(otherSide).dialogs.bye(other) : Promise.resolve(undefined);
    void bye.then(() => this.finish(this.state.answeredAt ? 'answered' : 'cancelled'));
  }

  private teamsAttempted(call: OutgoingCall): void {
    this.teamsAttempt = call;
    const callId = call.request.headers.get('Call-ID') ?? '';
    this.legs.teams.sipCallId = callId;
    this.ctx.ladders.watch(callId);
    this.ctx.ladders.sent('teams', serializeMessage(call.request));
    if (this.giveUp.signal.aborted) call.cancel();
  }

  private stopRinging(): void {
    this.giveUp.abort();
    this.teamsAttempt?.cancel();
    this.pbxLeg?.cancel();
  }

  /** Teams answered (bridge to the PBX) or not (the call ends with Teams' answer). */
  private async teamsSettled(outcome: CallOutcome): Promise<void> {
    if (outcome.kind === 'failed')
      return this.timedOut
        ? this.fail('teams', 'no_answer', 'Teams did not answer within the ring timeout.', 'no-answer')
        : this.fail('callbridge', 'teams_unreachable', `Microsoft did not answer: ${outcome.error.message}`);
    this.legFinal('teams', outcome.response);
    if (outcome.kind === 'rejected') {
      const status = outcome.response.status;
      if (status === 487 && this.timedOut)
        return this.fail('teams', 'no_answer', 'Teams did not answer within the ring timeout.', 'no-answer');
      if (status === 487 && this.giveUp.signal.aborted) return this.finish('cancelled');
      const why = outcome.response.headers.get('Warning') ?? outcome.response.reason;
      return this.fail(
        'teams',
        `teams_${status}`,
        `Teams answered ${status}: ${why}`,
        resultOf(status),
        status,
      );
    }
    this.teamsDialog = outcome.dialog;
    this.ctx.track(outcome.dialog, this);
    if (this.giveUp.signal.aborted) return this.hangUp();
    this.teamsSdp = outcome.response.body.toString('utf8');
    this.midCall.sdpFrom.teams = this.teamsSdp;
    this.phase = 'connecting';
    const pbxOffer = await this.ctx.relay
      .answer({ ...this.tags, sdp: this.teamsSdp, toward: 'pbx' })
      .catch((error: unknown) => this.ctx.onError(error, 'relay answer toward the PBX'));
    if (pbxOffer === undefined) return this.hangUp();
    return this.callPbx(Buffer.from(pbxOffer));
  }

  /** INVITE the PBX as the user for the number dialled, its early media and answer into the relay. */
  private async callPbx(sdp: Buffer): Promise<void> {
    const user = this.user;
    const leg = (this.pbxLeg = new PbxCall({
      endpoint: this.ctx.pbx,
      resolver: this.ctx.resolver,
      pbx: user.pbx,
      dialled: this.number,
      sdp,
      contact: (protocol) => this.ctx.contactOf(user.userId, protocol),
      silenceMs: this.ctx.pbxSilenceMs,
      onProvisional: (response) => this.pbxProvisional(response),
    }));
    this.legs.pbx.sipCallId = leg.callId;
    this.ctx.ladders.watch(leg.callId);
    const outcome = await leg.start();
    this.legs.pbx.peer = leg.peer;
    if (outcome.kind !== 'answered' && (this.state.phase === 'ending' || this.state.ended)) {
      // Hung up (in Teams or the tab) while the number rang: the PBX leg was cancelled, the hang-up ends the call.
      if (outcome.kind === 'rejected') this.legFinal('pbx', outcome.response);
      return;
    }
    if (outcome.kind === 'failed') {
      const why = `The PBX did not answer: ${outcome.error.message}`;
      return this.endAfterPbx('callbridge', 'pbx_unreachable', why, this.timedOut ? 'no-answer' : 'failed');
    }
    this.legFinal('pbx', outcome.response);
    if (outcome.kind === 'rejected') {
      const status = outcome.response.status;
      const why = `The PBX answered ${status} ${outcome.response.reason}`;
      return this.endAfterPbx('pbx', `pbx_${status}`, why, resultOf(status), status);
    }
    this.pbxDialog = outcome.dialog;
    this.ctx.track(outcome.dialog, this);
    if (this.state.phase === 'ending' || !this.teamsDialog) return this.hangUp();
    const pbxSdp = outcome.response.body.toString('utf8');
    this.midCall.sdpFrom.pbx = pbxSdp;
    await this.pbxMedia(pbxSdp);
    this.state.move('answered');
    this.phase = 'answered';
    clearTimeout(this.ringTimer);
    this.safely(() => this.ctx.recorder.changed(this.info()), 'call recorder: changed');
  }

  private pbxProvisional(response: SipResponse): void {
    if (this.state.move('ringing')) this.phase = 'ringing';
    this.safely(() => this.ctx.recorder.changed(this.info()), 'call recorder: changed');
    if (response.body.length > 0) void this.pbxMedia(response.body.toString('utf8')); // early media
  }

  /** The PBX's SDP replaces the placeholder in the relay (re-offer, then Teams' answer again). */
  private async pbxMedia(sdp: string): Promise<void> {
    try {
      await this.ctx.relay.offer({ callId: this.mediaKey, fromTag: this.pbxTag, sdp, toward: 'teams' });
      await this.ctx.relay.answer({ ...this.tags, sdp: this.teamsSdp, toward: 'pbx' });
    } catch (error) {
      this.ctx.onError(error, 'relay update with the PBX media');
    }
  }

  private get tags() {
    return { callId: this.mediaKey, fromTag: this.pbxTag, toTag: this.teamsTag };
  }

  /** The PBX leg failed after Teams answered: BYE Teams, then end with the PBX's answer. */
  private async endAfterPbx(
    by: 'pbx' | 'callbridge',
    code: string,
    message: string,
    result: CallResult,
    status?: number,
  ): Promise<void> {
    const dialog = this.teamsDialog;
    this.teamsDialog = undefined;
    if (dialog) await this.ctx.endpointOf('teams').dialogs.bye(dialog);
    return this.fail(by, code, message, result, status);
  }

  private fail(
    by: 'pbx' | 'teams' | 'callbridge',
    code: string,
    message: string,
    result: CallResult = 'failed',
    status?: number,
  ): Promise<void> {
    this.failure = { by, code, message, ...(status !== undefined && { status }) };
    return this.finish(result, by === 'callbridge' ? { code, message } : undefined);
  }

  private legFinal(side: Side, response: SipResponse): void {
    this.legs[side].finalStatus = response.status;
    this.legs[side].reason = response.headers.get('Reason') ?? response.reason;
  }

  /** Report the call once, free the media, let the dialler keep the outcome for the tab. */
  private async finish(result: CallResult, refusal?: { code: string; message: string }): Promise<void> {
    if (!this.state.move('ended')) return;
    clearTimeout(this.ringTimer);
    this.ctx.forget(this, [this.pbxDialog, this.teamsDialog]);
    const media = this.mediaUsed
      ? await this.ctx.relay.delete(this.mediaKey).catch(() => undefined)
      : undefined;
    const ladder = [this.legs.teams.sipCallId, this.legs.pbx.sipCallId]
      .filter((id) => id !== '')
      .flatMap((id) => this.ctx.ladders.take(id))
      .sort((a, b) => a.at.localeCompare(b.at));
    const { state: _state, ...live } = this.info();
    const record: CallRecordInput = {
      ...live,
      ...(this.state.ringingAt && { ringingAt: this.state.ringingAt.toISOString() }),
      endedAt: (this.state.endedAt ?? new Date()).toISOString(),
      result,
      ...(refusal && { refusal }),
      legs: [this.legs.teams, this.legs.pbx].filter((leg) => leg.sipCallId !== ''),
      ...(media && { media }),
      ladder,
    };
    // The tab sees the end once the record is handed over, so its recent calls can list the call at once.
    this.result = result;
    this.phase = 'ended';
    this.safely(() => this.ctx.recorder.ended(record), 'call recorder: ended');
    this.onEnded(this);
  }

  private safely(work: () => void, what: string): void {
    try {
      work();
    } catch (error) {
      this.ctx.onError(error, what);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
