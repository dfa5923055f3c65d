import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.js';
import type { SipUri } from '../message/sip-uri.js';
import type { TimerSettings } from '../transaction/timer-settings.js';
import type { LocalEndpoint, SipSource, SipTarget, TransportProtocol } from '../transport/transport.types.js';
import type { Dialog } from './dialog.js';
import type { IncomingCall } from './incoming-call.js';

/** What the call endpoint needs from the transports: `TransportLayer` and `TlsTransport` both fit. */
export interface EndpointTransport {
  send(target: SipTarget, data: Buffer): Promise<void>;
  /** Send back over the flow a message came in on (falls back to its address when the flow is gone). */
  reply(source: SipSource, data: Buffer): Promise<void>;
  local(protocol: TransportProtocol): LocalEndpoint;
}

/** Where a request goes: a resolved target, or an open flow (a connection the peer may have opened). */
export interface Hop {
  target: SipTarget;
  flow?: SipSource;
}

/** Options of a call endpoint. */
export interface CallEndpointOptions {
  transport: EndpointTransport;
  timers?: Partial<TimerSettings>;
  /** Timer C in ms (ringing without a final answer); default 181 s. */
  timerCMs?: number;
  /** User-Agent on requests, Server on responses. */
  userAgent?: string;
  /** Headers added to every request and response we create, e.g. Microsoft's `X-MS-SBC`. */
  extraHeaders?: Readonly<Record<string, string>>;
  /** Our Contact URI for dialogs on a transport, e.g. `sip:sbc.example.com:5061;transport=tls`. */
  contact: (protocol: TransportProtocol, request?: SipRequest) => string;
  /** Methods we accept (Allow); default INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY. */
  allow?: string;
  /** Where a URI leads (DNS); default: literal IPs and `dns.lookup` for names, port and transport from the URI. */
  resolve?: (uri: SipUri) => Promise<SipTarget>;
  /** Smallest session interval we accept (RFC 4028 Min-SE); default 90 s. */
  minSessionExpires?: number;
  /**
   * Take INVITEs with Replaces (RFC 3891): the named dialog is attached to the new call (`replaces`), none gets
   * 481. Off by default: the request then reaches `onInvite` as it came (Microsoft's side refuses Replaces).
   */
  acceptReplaces?: boolean;
  /** A new call arrived (100 Trying is already sent). */
  onInvite?: (call: IncomingCall) => void;
  /** An out-of-dialog request other than INVITE (default: OPTIONS 200, others 405). */
  onRequest?: (request: SipRequest, source: SipSource) => SipResponse | undefined;
  /** An in-dialog request other than INVITE, BYE, ACK and CANCEL (NOTIFY, REFER, INFO); default 200 / 405. */
  onDialogRequest?: (dialog: Dialog, request: SipRequest, source: SipSource) => SipResponse | undefined;
  /**
   * A re-INVITE of a confirmed dialog (hold, resume, refresh); default (or undefined): 200 with our last SDP. A
   * promise lets a B2BUA ask the other leg first (the re-INVITE stays in progress meanwhile: glare answers 491).
   */
  onReinvite?: (
    dialog: Dialog,
    request: SipRequest,
  ) => ReinviteAnswer | Promise<ReinviteAnswer | undefined> | undefined;
  /**
   * Sees every message: parsed as it arrives, as bytes as it leaves (retransmissions included). The B2BUA keeps
   * the ladders of its calls with it; it must be cheap and must not throw.
   */
  capture?: (direction: 'in' | 'out', message: SipMessage | Buffer) => void;
  /** A dialog ended: BYE either way, session timer expiry, an unacknowledged 2xx. */
  onDialogEnded?: (dialog: Dialog, reason: DialogEndReason) => void;
}

/** How we answer a re-INVITE. */
export interface ReinviteAnswer {
  status: number;
  body?: Buffer;
  headers?: Record<string, string>;
}

/** Why a dialog ended. */
export type DialogEndReason = 'local-bye' | 'remote-bye' | 'session-expired' | 'no-ack' | 'stopped';

/** How an outgoing call ended its INVITE transaction. */
export type CallOutcome =
  | { kind: 'answered'; response: SipResponse; dialog: Dialog }
  | { kind: 'rejected'; response: SipResponse }
  | { kind: 'failed'; error: import('../sip.error.js').SipError };
