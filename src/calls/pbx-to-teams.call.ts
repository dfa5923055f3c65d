import type { TeamsCallResult } from '../edge/teams-failover.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import type { OutgoingCall } from '../sip/dialog/outgoing-call.js';
import { serializeMessage } from '../sip/message/message.serializer.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import { parseNameAddr } from '../sip/message/sip-uri.js';
import { BridgedCall, reasonHeader } from './bridged-call.js';
import type { CallContext } from './call-context.js';
import { refusal } from './call-user.js';
import { finalStatusAcross, resultOf, RingbackFilter } from './response-map.js';
import { forwardedToVoicemail } from './voicemail.js';

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
  /** Responses toward the PBX in order (an 18x's SDP passes through the relay first). */
  private toPbx: Promise<void> = Promise.resolve();

  constructor(
    ctx: CallContext,
    incoming: IncomingCall,
    private readonly userId: string,
  ) {
    super(ctx, 'pbx-to-teams', incoming, 'pbx', callerOf(incoming.request), calledOf(incoming.request));
    incoming.onCancel = () => {
      this.pbxCancelled = true;
      this.legs.pbx.finalStatus = 487;
      this.stopTeams();
    };
  }

  /** Find the user, pass the offer through the relay, call Teams and bridge what comes back. */
  async run(): Promise<void> {
    const user = await this.ctx.directory.find(this.userId);
    if (!user)
      return this.refuse(refusal('unknown_contact', 'No Callbridge user has this Contact any more.'));
    this.known(user);
    if (this.pbxCancelled) return this.finish('cancelled');
    if (user.refusal) return this.refuse(user.refusal);
    if (!user.number) return this.refuse(refusal('no_teams_number', 'The user has no Teams number to call.'));
    this.to = user.number;
    this.ringback = new RingbackFilter(user.settings.ringback);
    if (this.incoming.request.body.length === 0)
      return this.refuse(refusal('no_offer', 'The PBX sent no SDP offer (late offer is not bridged yet).'));
    const offer = await this.offerThroughRelay('teams');
    if (offer === undefined) return;
    if (this.pbxCancelled) return this.finish('cancelled');
    this.startRingTimer(user.settings.ringTimeoutMs, () => {
      this.timedOut = true;
      this.stopTeams();
    });
    let result: TeamsCallResult;
    try {
      result = await this.ctx.teams.callTeams({
        customerFqdn: user.customerFqdn,
        from: this.from,
        to: user.number,
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
      const body = step.withSdp ? await this.answerThroughRelay(response) : undefined;
      this.incoming.ring(step.status, body ? { body } : {});
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
    await accepted.catch(() => this.hangUp());
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
