import type { TeamsCallResult } from '../edge/teams-failover.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import type { OutgoingCall } from '../sip/dialog/outgoing-call.js';
import { serializeMessage } from '../sip/message/message.serializer.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import { parseNameAddr } from '../sip/message/sip-uri.js';
import { tagOf } from '../sip/dialog/dialog.js';
import { BridgedCall, reasonHeader } from './bridged-call.js';
import type { CallContext } from './call-context.js';
import { refusal, type CallUser } from './call-user.js';
import { reachTeams } from './phone-app/teams-reach.js';
import { finalStatusAcross, resultOf, RingbackFilter } from './response-map.js';
import { forwardedToVoicemail } from './voicemail.js';
import { presentedCaller, type PresentedCaller } from './caller-id.js';
import { placeholderOffer } from './late-offer.js';
import { forwardedOnNoAnswer, waitBeforeTeams } from './voicemail-race.js';

const PBX_VOICEMAIL =
  "The PBX forwarded a call nobody answered; the service's call settings leave those to the PBX's voicemail.";

/**
 * A call from a PBX extension to a Teams user (CALLS.md "The path of one call"): the PBX rang the Contact we
 * registered for the user; the call goes to Microsoft for the user's +E.164 number from the customer's
 * subdomain (the edge fails over sip -> sip2 -> sip3), the offer through the relay toward Teams, every 18x and the
 * answer back through the relay toward the PBX. CANCEL from the PBX and the service's ring timeout cancel the
 * Teams leg; Teams' final answers are mapped (603 stays 603, never retried).
 *
 * @example void new PbxToTeamsCall(ctx, incoming, userId).run();
 */
export class PbxToTeamsCall extends BridgedCall {
  private attempt: OutgoingCall | undefined;
  private readonly giveUp = new AbortController();
  private pbxCancelled = false;
  private ringback = new RingbackFilter('pass-through');
  private timedOut = false;
  /** The PBX sent an INVITE without SDP: our 200 carries the offer, its ACK the answer (`late-offer.ts`). */
  private readonly lateOffer: boolean;
  /** Responses toward the PBX in order (an 18x's SDP passes through the relay first). */
  private toPbx: Promise<void> = Promise.resolve();

  constructor(
    ctx: CallContext,
    incoming: IncomingCall,
    private readonly userId: string,
  ) {
    super(ctx, 'pbx-to-teams', incoming, 'pbx', callerOf(incoming.request), calledOf(incoming.request));
    this.lateOffer = incoming.request.body.length === 0;
    incoming.onCancel = () => {
      this.pbxCancelled = true;
      this.legs.pbx.finalStatus = 487;
      this.stopTeams();
    };
  }

  /** The caller as Teams sees them: the PBX's caller in +E.164 read in the service's country, and their privacy. */
  protected presentedCaller(user: CallUser): PresentedCaller {
    return presentedCaller(this.incoming.request, user.country);
  }

  /** Find the user, pass the offer through the relay, call Teams and bridge what comes back. */
  async run(): Promise<void> {
    const user = await this.ctx.directory.find(this.userId);
    if (!user)
      return this.refuse(refusal('unknown_contact', 'No Callbridge user has this Contact any more.'));
    this.known(user);
    if (this.pbxCancelled) return this.finish('cancelled');
    if (user.refusal) return this.refuse(user.refusal);
    if (await this.refusedByLimits(user)) return;
    if (!user.settings.pbxNoAnswerToTeamsVoicemail && forwardedOnNoAnswer(this.incoming.request))
      return this.refuse(refusal('pbx_voicemail_preferred', PBX_VOICEMAIL));
    if (!user.number && !user.phoneApp)
      return this.refuse(refusal('no_teams_number', 'The user has no Teams number to call.'));
    this.to = user.phoneApp?.address ?? user.number ?? ''; // a Phone App user is reached at their SIP address
    const caller = this.presentedCaller(user);
    this.from = caller.number;
    this.ringback = new RingbackFilter(user.settings.ringback);
    const placeholder = this.lateOffer ? placeholderOffer(this.incoming.source.address) : undefined;
    const offer = await this.offerThroughRelay('teams', placeholder);
    if (offer === undefined) return;
    if (this.pbxCancelled) return this.finish('cancelled');
    this.startRingTimer(user.settings.ringTimeoutMs, () => {
      this.timedOut = true;
      this.stopTeams();
    });
    await waitBeforeTeams(user.settings.teamsRingDelayMs, this.giveUp.signal);
    if (this.pbxCancelled) return this.finish('cancelled');
    if (this.timedOut) return this.noAnswer();
    let result: TeamsCallResult;
    try {
      result = await reachTeams(this.ctx.teams, user, this.from, {
        ...(caller.privacy && { privacy: true }),
        sdp: Buffer.from(offer),
        // Remembered by the edge, so that Teams replacing this call (INVITE with Replaces) finds the user.
        route: { kind: 'found', accountId: user.accountId, serviceId: user.serviceId, userId: user.userId },
        voicemail: forwardedToVoicemail(this.incoming.request, user.pbx.sipUsername),
        signal: this.giveUp.signal,
        onAttempt: (call) => this.attempted(call),
        onProvisional: (response) => this.provisional(response),
      });
    } catch (error) {
      return this.refuse(
        refusal('teams_unreachable', error instanceof Error ? error.message : String(error)),
      );
    }
    this.legs.teams.peer = result.proxy;
    this.attempt = undefined; // settled: nothing left to cancel, and a held call keeps no INVITE transaction
    await this.toPbx;
    return this.settled(result);
  }

  private attempted(call: OutgoingCall): void {
    this.attempt = call;
    const callId = call.request.headers.get('Call-ID') ?? '';
    this.legs.teams.sipCallId = callId;
    this.ctx.ladders.watch(callId);
    this.ctx.ladders.sent('teams', serializeMessage(call.request)); // it left before its Call-ID was watched
    if (this.giveUp.signal.aborted) call.cancel();
  }

  private stopTeams(): void {
    this.giveUp.abort();
    this.attempt?.cancel();
  }

  /** An 18x from Teams: ringing, and early media through the relay when it has SDP. */
  private provisional(response: SipResponse): void {
    if (response.status <= 100) return;
    this.moveTo('ringing');
    const step = this.ringback.next(response.status, response.body.length > 0);
    if (step.kind === 'drop') return;
    this.toPbx = this.toPbx.then(async () => {
      if (this.state.phase !== 'ringing') return;
      // With a late offer an 18x carries no SDP: it would be an offer in an unreliable provisional.
      const body = step.withSdp && !this.lateOffer ? await this.answerThroughRelay(response) : undefined;
      this.incoming.ring(step.status === 183 && !body ? 180 : step.status, body ? { body } : {});
    });
  }

  private async settled({ outcome }: TeamsCallResult): Promise<void> {
    if (outcome.kind === 'failed') {
      if (this.pbxCancelled) return this.finish('cancelled');
      if (this.timedOut) return this.noAnswer();
      return this.refuse(refusal('teams_unreachable', `Microsoft did not answer: ${outcome.error.message}`));
    }
    this.legFinal('teams', outcome.response);
    if (outcome.kind === 'rejected') {
      if (this.pbxCancelled) return this.finish('cancelled');
      if (this.timedOut) return this.noAnswer();
      const status = finalStatusAcross(outcome.response.status);
      this.legs.pbx.finalStatus = status;
      const reason = outcome.response.headers.get('Reason');
      this.incoming.reject(status, reason ? { Reason: reason } : {});
      return this.finish(resultOf(outcome.response.status));
    }
    this.teamsDialog = outcome.dialog;
    this.ctx.track(outcome.dialog, this);
    if (this.pbxCancelled) return this.hangUp('cancelled'); // crossed: the PBX gave up as Teams answered
    const body = await this.answerThroughRelay(outcome.response);
    if (!body || this.state.ended) return this.hangUp();
    const accepted = this.incoming.accept({ body });
    this.pbxDialog = this.incoming.dialog;
    if (this.pbxDialog) this.ctx.track(this.pbxDialog, this);
    this.legs.pbx.finalStatus = 200;
    this.moveTo('answered');
    try {
      await accepted;
    } catch {
      return this.hangUp();
    }
    if (this.lateOffer) await this.answerFromAck(outcome.response);
    this.incoming.ack = undefined; // read (late offer) or not needed: a held call keeps no parsed ACK
    this.packLadder();
  }

  /** Late offer: the PBX's answer came in its ACK; it replaces the placeholder in the relay. */
  private async answerFromAck(teamsAnswer: SipResponse): Promise<void> {
    const sdp = this.incoming.ack?.body.toString('utf8') ?? '';
    if (!sdp.startsWith('v=0')) {
      // RFC 3261 13.2.1: the ACK must then carry the answer; without one the call has no media toward the PBX.
      const why = 'The PBX answered our offer with an ACK without SDP (late offer needs its answer there).';
      this.legs.pbx.reason = why;
      return this.hangUp('failed', { Reason: reasonHeader(488, why) });
    }
    const tags = {
      callId: this.legs.pbx.sipCallId,
      fromTag: tagOf(this.incoming.request.headers.get('From')) ?? '',
    };
    try {
      await this.ctx.relay.offer({ ...tags, sdp, toward: 'teams' });
      await this.ctx.relay.answer({
        ...tags,
        toTag: this.incoming.localTag,
        sdp: teamsAnswer.body.toString('utf8'),
        toward: 'pbx',
      });
    } catch (error) {
      this.ctx.onError(error, 'relay: the answer in the PBX ACK');
      return this.hangUp('failed');
    }
  }

  private noAnswer(): Promise<void> {
    this.legs.pbx.finalStatus = 480;
    this.incoming.reject(480, { Reason: reasonHeader(480, 'No answer within the ring timeout') });
    return this.finish('no-answer');
  }
}

/** The caller's number as Teams should show it: P-Asserted-Identity's user, else From's. */
function callerOf(request: SipRequest): string {
  for (const value of [request.headers.first('P-Asserted-Identity'), request.headers.get('From')]) {
    const user = userOf(value);
    if (user) return user;
  }
  return 'anonymous';
}

function calledOf(request: SipRequest): string {
  return userOf(request.headers.get('To')) ?? '';
}

function userOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNameAddr(value).uri.user || undefined;
  } catch {
    return undefined;
  }
}
