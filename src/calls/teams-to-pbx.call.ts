import type { EdgeRouteLookup } from '../edge/teams-edge.js';
import type { Dialog } from '../sip/dialog/dialog.js';
import type { CallOutcome } from '../sip/dialog/endpoint.types.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import type { SipResponse } from '../sip/message/sip-message.js';
import { parseNameAddr, parseSipUri } from '../sip/message/sip-uri.js';
import { BridgedCall, reasonHeader } from './bridged-call.js';
import type { CallContext } from './call-context.js';
import { refusal } from './call-user.js';
import { diversionFromHistoryInfo } from './diversion.js';
import { PbxCall, type PbxCallRequest, type PbxLeg } from './pbx-leg.js';
import { finalStatusAcross, resultOf } from './response-map.js';

type Route = Extract<EdgeRouteLookup, { kind: 'found' }>;

/**
 * A call from a Teams user to an extension or an outside number through the PBX (CALLS.md): the edge found the
 * user by the customer's subdomain and the caller's number; Callbridge INVITEs the PBX as that user (From their
 * AOR, their digest credentials, their registered Contact) for the number dialled, the offer through the relay
 * toward the PBX, 18x and the answer back toward Teams. CANCEL from Teams and the ring timeout cancel the PBX
 * leg; a PBX silent for `pbxSilenceMs` is answered 503 to Teams (well inside Microsoft's 10 s).
 *
 * @example void new TeamsToPbxCall(ctx, incoming, route).run();
 */
export class TeamsToPbxCall extends BridgedCall {
  private leg: PbxLeg | undefined;
  private teamsCancelled = false;
  private timedOut = false;
  private toTeams: Promise<void> = Promise.resolve();

  constructor(
    ctx: CallContext,
    incoming: IncomingCall,
    private readonly route: Route,
  ) {
    super(ctx, 'teams-to-pbx', incoming, 'teams', callerOf(incoming), dialledOf(incoming));
    incoming.onCancel = () => {
      this.teamsCancelled = true;
      this.legs.teams.finalStatus = 487;
      this.leg?.cancel();
    };
  }

  protected override teamsRoute(): Route {
    return this.route;
  }

  /** Find the user, pass the offer through the relay, INVITE the PBX as the user and bridge what comes back. */
  async run(): Promise<void> {
    const user = await this.ctx.directory.find(this.route.userId);
    if (!user) return this.refuse(refusal('user_not_callable', 'The user is no longer configured.'));
    this.known(user);
    if (this.teamsCancelled) return this.finish('cancelled');
    if (user.refusal) return this.refuse(user.refusal);
    if (await this.refusedByLimits(user)) return;
    const offer = await this.offerThroughRelay('pbx');
    if (offer === undefined) return;
    if (this.teamsCancelled) return this.finish('cancelled');
    const leg = (this.leg = this.pbxLeg({
      endpoint: this.ctx.pbx,
      resolver: this.ctx.resolver,
      pbx: user.pbx,
      dialled: this.to,
      sdp: Buffer.from(offer),
      contact: (protocol) => this.ctx.contactOf(user.userId, protocol),
      silenceMs: this.ctx.pbxSilenceMs,
      onProvisional: (response) => this.provisional(response),
      headers: divertedFrom(this.incoming, user.pbx.sipDomain, this.to),
    }));
    this.legs.pbx.sipCallId = leg.callId;
    this.ctx.ladders.watch(leg.callId);
    this.startRingTimer(user.settings.ringTimeoutMs, () => {
      this.timedOut = true;
      leg.cancel();
    });
    const outcome = await leg.start();
    this.legs.pbx.peer = leg.peer;
    await this.toTeams;
    return this.settled(outcome);
  }

  /** The leg toward the PBX side: the user's PBX here; a carrier trunk for trunk users (TeamsToTrunkCall). */
  protected pbxLeg(request: PbxCallRequest): PbxLeg {
    return new PbxCall(request);
  }

  /** An 18x from the PBX: ringing toward Teams, early media through the relay when it has SDP. */
  private provisional(response: SipResponse): void {
    this.moveTo('ringing');
    this.toTeams = this.toTeams.then(async () => {
      if (this.state.phase !== 'ringing') return;
      const body = response.body.length > 0 ? await this.answerThroughRelay(response) : undefined;
      this.incoming.ring(response.status === 183 && !body ? 180 : response.status, body ? { body } : {});
    });
  }

  private async settled(outcome: CallOutcome): Promise<void> {
    if (outcome.kind === 'failed') {
      if (this.teamsCancelled) return this.finish('cancelled');
      if (this.timedOut) return this.noAnswer();
      const why = `The PBX did not answer: ${outcome.error.message}`;
      return this.refuse(refusal('pbx_unreachable', why));
    }
    this.legFinal('pbx', outcome.response);
    if (outcome.kind === 'rejected') {
      if (this.teamsCancelled) return this.finish('cancelled');
      if (this.timedOut) return this.noAnswer();
      const status = finalStatusAcross(outcome.response.status);
      this.legs.teams.finalStatus = status;
      const reason = outcome.response.headers.get('Reason');
      this.incoming.reject(status, reason ? { Reason: reason } : {});
      return this.finish(resultOf(outcome.response.status));
    }
    return this.answered(outcome.dialog, outcome.response);
  }

  private async answered(dialog: Dialog, response: SipResponse): Promise<void> {
    this.pbxDialog = dialog;
    this.ctx.track(dialog, this);
    if (this.teamsCancelled) return this.hangUp('cancelled');
    const body = await this.answerThroughRelay(response);
    if (!body || this.state.ended) return this.hangUp();
    const accepted = this.incoming.accept({ body });
    this.teamsDialog = this.incoming.dialog;
    if (this.teamsDialog) this.ctx.track(this.teamsDialog, this);
    this.legs.teams.finalStatus = 200;
    this.moveTo('answered');
    await accepted.then(
      () => this.packLadder(),
      () => this.hangUp(),
    );
  }

  private noAnswer(): Promise<void> {
    this.legs.teams.finalStatus = 480;
    this.incoming.reject(480, { Reason: reasonHeader(480, 'No answer within the ring timeout') });
    return this.finish('no-answer');
  }
}

/**
 * Forwarded or simultaneous ring from Teams: its History-Info as the Diversion the PBX understands (`dialled`, the
 * Request-URI's target, is where the call is going, not a diversion).
 */
function divertedFrom(incoming: IncomingCall, pbxDomain: string, dialled: string): Record<string, string> {
  const history = incoming.request.headers.getAll('History-Info');
  const diversion = diversionFromHistoryInfo(history, pbxDomain, dialled);
  return diversion ? { Diversion: diversion } : {};
}

function callerOf(incoming: IncomingCall): string {
  const request = incoming.request;
  for (const value of [request.headers.first('P-Asserted-Identity'), request.headers.get('From')]) {
    try {
      const user = value === undefined ? undefined : parseNameAddr(value).uri.user;
      if (user) return user;
    } catch {
      continue;
    }
  }
  return 'anonymous';
}

/** What the Teams user dialled: the Request-URI's user part. */
function dialledOf(incoming: IncomingCall): string {
  try {
    return parseSipUri(incoming.request.uri).user ?? '';
  } catch {
    return '';
  }
}
