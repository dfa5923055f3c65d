import type { EdgeRouteLookup } from '../edge/teams-edge.js';
import type { MediaRelay } from '../media/media-relay.js';
import { CALL_METHODS, CallEndpoint } from '../sip/dialog/call.endpoint.js';
import type { Dialog } from '../sip/dialog/dialog.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import { SipResolver } from '../sip/dns/sip.resolver.js';
import { parseSipUri } from '../sip/message/sip-uri.js';
import type { SipStack } from '../sip/stack/sip.stack.js';
import type { TransportProtocol } from '../sip/transport/transport.types.js';
import type { BridgedCall } from './bridged-call.js';
import type { CallContext, DialogOwner, TeamsSide } from './call-context.js';
import { CallLadders } from './call-ladder.js';
import { CallLimits } from './call-limits.js';
import type { CallRecorder } from './call-record.types.js';
import type { CallUserDirectory } from './call-user.js';
import { PbxToTeamsCall } from './pbx-to-teams.call.js';
import { PhoneAppDialler } from './phone-app/phone-app-dialler.js';
import { TeamsToPbxCall } from './teams-to-pbx.call.js';
import type { TrunkCalls } from './trunk/trunk-calls.js';

/** What the B2BUA is built from. */
export interface B2buaOptions {
  /** The registration stack: the PBX rings the Contacts registered on it, so calls share its sockets. */
  stack: SipStack;
  /** The Teams edge (or later, `connectTeams`); without it calls from the PBX are refused 503. */
  teams?: TeamsSide;
  relay: MediaRelay;
  recorder: CallRecorder;
  directory: CallUserDirectory;
  /** The user whose registered Contact has this user part (`RegistrationAgent.userForContact`). */
  userForContact: (contactUser: string) => string | undefined;
  /** The Contact user part registered for a user (`contactToken`). */
  contactTokenOf: (userId: string) => string;
  /**
   * List REFER in our Allow toward Microsoft, so Teams sends us its transfers (CALLS.md "Transfer"); off, Teams
   * transfers internally and we take its re-INVITEs and NOTIFYs. Default off, as most Teams SBC setups start.
   */
  teamsRefer?: boolean;
  /** How long the PBX may stay silent on a call from Teams (default 8 s: Microsoft moves on after 10 s). */
  pbxSilenceMs?: number;
  resolver?: SipResolver;
  /** Trunk services' carrier trunks (issue 19): their calls in, and trunk users' calls out. */
  trunks?: TrunkCalls;
  userAgent?: string;
  onError?: (error: unknown, what: string) => void;
}

/**
 * The B2BUA (issue 17): one call object per call with both legs (`PbxToTeamsCall`, `TeamsToPbxCall`). The PBX
 * side is a call endpoint on the registration stack's sockets (the PBX rings the Contact registered for the
 * user, whose user part names them); the Teams side is the edge's endpoint. Dialogs of both sides are held by
 * id, so a BYE or a session expiry on one leg ends the other.
 *
 * @example const b2bua = B2bua.attach({ stack, teams: edge, relay, recorder, directory, ... });
 * edge.options.onCall = (call, route) => b2bua.fromTeams(call, route);
 */
export class B2bua {
  readonly pbx: CallEndpoint;
  readonly ladders = new CallLadders();
  readonly limits = new CallLimits();
  /** The Phone App's click-to-dial calls (issue 20), on this B2BUA's legs and relay. */
  readonly phoneApp: PhoneAppDialler;
  readonly counters = { fromPbx: 0, fromTeams: 0, unknownContact: 0, fromTrunk: 0 };
  private readonly calls = new Set<BridgedCall>();
  private readonly dialogs = new Map<string, DialogOwner>();
  private readonly ctx: CallContext;
  private teams: TeamsSide | undefined;

  private constructor(private readonly options: B2buaOptions) {
    const box: { endpoint?: CallEndpoint } = {};
    const transport = options.stack.attachCalls((inbound) => box.endpoint?.receive(inbound));
    const contact = (protocol: TransportProtocol, user: string) => {
      const local = transport.local(protocol);
      return `sip:${user}@${local.host}:${local.port}${protocol === 'udp' ? '' : `;transport=${protocol}`}`;
    };
    this.pbx = box.endpoint = new CallEndpoint({
      transport,
      userAgent: options.userAgent ?? 'Callbridge',
      // Our answers carry the Contact the PBX rang (the user's), so its in-dialog requests come back to it.
      contact: (protocol, request) => contact(protocol, requestUser(request?.uri) ?? 'callbridge'),
      capture: this.ladders.capture('pbx'),
      onInvite: (call) => this.fromPbx(call),
      onDialogEnded: (dialog) => this.dialogEnded('pbx', dialog),
      onReinvite: (dialog, request) => this.dialogs.get(dialog.id)?.reinvited?.('pbx', request),
      onDialogRequest: (dialog, request) =>
        this.dialogs.get(dialog.id)?.dialogRequest?.('pbx', dialog, request),
    });
    const teamsNow = (): TeamsSide => this.teams ?? missingTeams();
    this.ctx = {
      pbx: this.pbx,
      get teams(): TeamsSide {
        return teamsNow();
      },
      endpointOf: (side) => (side === 'pbx' || !this.teams ? this.pbx : this.teams.endpoint),
      relay: options.relay,
      recorder: options.recorder,
      directory: options.directory,
      ladders: this.ladders,
      limits: this.limits,
      resolver: options.resolver ?? new SipResolver(),
      contactOf: (userId, protocol) => contact(protocol, options.contactTokenOf(userId)),
      pbxSilenceMs: options.pbxSilenceMs ?? 8000,
      track: (dialog, owner) => void this.dialogs.set(dialog.id, owner),
      untrack: (dialog) => void this.dialogs.delete(dialog.id),
      forget: (owner, dialogs) => {
        this.calls.delete(owner as BridgedCall);
        for (const dialog of dialogs) if (dialog) this.dialogs.delete(dialog.id);
      },
      onError: options.onError ?? (() => undefined),
    };
    this.phoneApp = new PhoneAppDialler(() => this.ctx, options.directory);
    if (options.teams) this.connectTeams(options.teams);
  }

  /**
   * Bridge to the Teams edge (started after the sip role): its dialogs' ends and messages reach the calls. Its
   * endpoint's hooks are set here because the edge is built without knowing about calls (a role of its own).
   */
  connectTeams(teams: TeamsSide): void {
    this.teams = teams;
    const teamsOptions = teams.endpoint.options;
    const previous = teamsOptions.onDialogEnded;
    teamsOptions.capture = this.ladders.capture('teams');
    if (this.options.teamsRefer) teamsOptions.allow = `${CALL_METHODS}, REFER`;
    teamsOptions.onDialogEnded = (dialog, reason) => {
      previous?.(dialog, reason);
      this.dialogEnded('teams', dialog);
    };
    teamsOptions.onReinvite = (dialog, request) => this.dialogs.get(dialog.id)?.reinvited?.('teams', request);
    teamsOptions.onDialogRequest = (dialog, request) =>
      this.dialogs.get(dialog.id)?.dialogRequest?.('teams', dialog, request);
  }

  /** Take the calls of the stack's sockets (from now on the stack hands every INVITE to the B2BUA). */
  static attach(options: B2buaOptions): B2bua {
    return new B2bua(options);
  }

  /** Calls in progress. */
  get activeCalls(): number {
    return this.calls.size;
  }

  /** A call from Teams for a known user (the edge's `onCall`). */
  fromTeams(incoming: IncomingCall, route: Extract<EdgeRouteLookup, { kind: 'found' }>): void {
    this.counters.fromTeams++;
    if (incoming.replaces) {
      // RFC 3891: the call whose Teams leg is named takes the new dialog; a dialog not of a call here: 481.
      const owner = this.dialogs.get(incoming.replaces.id);
      if (!owner?.replacedBy) return incoming.reject(481);
      void owner.replacedBy(incoming).catch((error: unknown) => {
        this.ctx.onError(error, 'Replaces from Teams');
        incoming.reject(500);
      });
      return;
    }
    const viaTrunk = this.options.trunks?.outbound(this.ctx, incoming, route);
    this.run(viaTrunk ?? new TeamsToPbxCall(this.ctx, incoming, route));
  }

  /**
   * End one call in progress by its id (the live-calls view's `LiveCallControl`, for a platform operator); false
   * when no such call is in progress here.
   */
  async hangUp(callId: string): Promise<boolean> {
    const call = [...this.calls].find((candidate) => candidate.id === callId);
    if (!call) return this.phoneApp.hangUpById(callId);
    await call.hangUp();
    return true;
  }

  /**
   * End every call (shutdown): BYE both legs of answered calls, refuse ringing ones. Run before the edge closes
   * (`stopEdgeRole`): the BYEs toward Teams need its connections.
   */
  async endCalls(): Promise<void> {
    await Promise.all([...this.calls].map((call) => call.hangUp()));
    await this.phoneApp.stop();
  }

  /** End every call, then stop the PBX side's endpoint. */
  async stop(): Promise<void> {
    await this.endCalls();
    this.pbx.stop();
  }

  /** The PBX rang a Contact of ours: the user part names the Callbridge user. */
  private fromPbx(incoming: IncomingCall): void {
    const userId = this.options.userForContact(requestUser(incoming.request.uri) ?? '');
    const fromTrunk = this.options.trunks?.inbound(this.ctx, incoming, userId);
    if (fromTrunk) {
      this.counters.fromTrunk++;
      if (!this.teams)
        return incoming.reject(503, { Reason: 'SIP;cause=503;text="The Teams edge is not configured"' });
      return this.run(fromTrunk);
    }
    if (!userId) {
      this.counters.unknownContact++;
      return incoming.reject(404);
    }
    this.counters.fromPbx++;
    if (!this.teams)
      return incoming.reject(503, { Reason: 'SIP;cause=503;text="The Teams edge is not configured"' });
    this.run(new PbxToTeamsCall(this.ctx, incoming, userId));
  }

  private run(call: PbxToTeamsCall | TeamsToPbxCall): void {
    this.calls.add(call);
    call.run().catch((error: unknown) => {
      this.ctx.onError(error, 'call failed');
      void call.hangUp();
    });
  }

  private dialogEnded(side: 'pbx' | 'teams', dialog: Dialog): void {
    const owner = this.dialogs.get(dialog.id);
    if (!owner) return;
    this.dialogs.delete(dialog.id);
    owner.dialogEnded(side, dialog);
  }
}

function requestUser(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  try {
    return parseSipUri(uri).user;
  } catch {
    return undefined;
  }
}

/** Stands in for the Teams side when the edge is off: never reached (calls from the PBX are refused first). */
function missingTeams(): TeamsSide {
  return {
    get endpoint(): CallEndpoint {
      throw new Error('The Teams edge is not configured.');
    },
    callTeams: () => Promise.reject(new Error('The Teams edge is not configured.')),
  };
}
