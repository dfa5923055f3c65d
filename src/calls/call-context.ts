import type { TeamsCallRequest, TeamsCallResult } from '../edge/teams-failover.js';
import type { FederatedCallRequest } from '../edge/teams-federation.js';
import type { MediaRelay } from '../media/media-relay.js';
import type { CallEndpoint } from '../sip/dialog/call.endpoint.js';
import type { Dialog } from '../sip/dialog/dialog.js';
import type { ReinviteAnswer } from '../sip/dialog/endpoint.types.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import type { SipRequest, SipResponse } from '../sip/message/sip-message.js';
import type { SipResolver } from '../sip/dns/sip.resolver.js';
import type { TransportProtocol } from '../sip/transport/transport.types.js';
import type { CallLadders } from './call-ladder.js';
import type { CallLimits } from './call-limits.js';
import type { CallRecorder } from './call-record.types.js';
import type { CallUserDirectory } from './call-user.js';

/** The Teams edge as the B2BUA uses it (`TeamsEdge` fits). */
export interface TeamsSide {
  readonly endpoint: CallEndpoint;
  callTeams(request: TeamsCallRequest): Promise<TeamsCallResult>;
  /** A call to a Teams user through external access (Phone App users, issue 20); absent: refused. */
  callFederated?(request: FederatedCallRequest): Promise<TeamsCallResult>;
}

/** Something that ends with the dialog it is registered for (a bridged call), and takes its mid-call requests. */
export interface DialogOwner {
  dialogEnded(side: 'pbx' | 'teams', dialog: Dialog): void;
  /** A re-INVITE on one of its dialogs (hold, resume): answered once the other leg answered. */
  reinvited?(side: 'pbx' | 'teams', request: SipRequest): Promise<ReinviteAnswer | undefined>;
  /** An INVITE with Replaces from Teams naming one of its dialogs (RFC 3891). */
  replacedBy?(incoming: IncomingCall): Promise<void>;
  /** Another in-dialog request (REFER from Teams); undefined: the dialog layer's default answer. */
  dialogRequest?(side: 'pbx' | 'teams', dialog: Dialog, request: SipRequest): SipResponse | undefined;
}

/** What every call of one B2BUA shares. */
export interface CallContext {
  /** The PBX side: the call endpoint on the registration stack's sockets. */
  pbx: CallEndpoint;
  teams: TeamsSide;
  /** The call endpoint of a side (the PBX's, or the edge's toward Microsoft). */
  endpointOf(side: 'pbx' | 'teams'): CallEndpoint;
  relay: MediaRelay;
  recorder: CallRecorder;
  directory: CallUserDirectory;
  ladders: CallLadders;
  /** Concurrent calls per user and per service (the services' call settings). */
  limits: CallLimits;
  resolver: SipResolver;
  /** The Contact a user registered with, on a transport (`sip:cb…@host:port`). */
  contactOf: (userId: string, protocol: TransportProtocol) => string;
  /** How long the PBX may stay silent on a call from Teams before Teams is answered 503. */
  pbxSilenceMs: number;
  /** Hold a dialog for a call, so that its BYE (or session expiry) reaches the call. */
  track(dialog: Dialog, owner: DialogOwner): void;
  /** A dialog is no longer the call's (a transfer replaced it): its end ends nothing. */
  untrack(dialog: Dialog): void;
  /** The call ended: forget it and its dialogs. */
  forget(owner: DialogOwner, dialogs: (Dialog | undefined)[]): void;
  onError: (error: unknown, what: string) => void;
}
