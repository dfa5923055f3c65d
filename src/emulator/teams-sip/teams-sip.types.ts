import type { Dialog } from '../../sip/dialog/dialog.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import type { OutgoingCall } from '../../sip/dialog/outgoing-call.js';
import type { SipRequest, SipResponse } from '../../sip/message/sip-message.js';

/** Faults the tests inject, like the Graph emulator's. */
export interface TeamsSipFaults {
  /** Final statuses for the next INVITEs, in order (e.g. [503]): sent right after 100 Trying. */
  inviteStatuses: number[];
  /** Retry-After on an injected 503. */
  retryAfterSeconds: number;
  /** Swallow the next N INVITEs without any answer (not even 100): the SBC times out. */
  silentInvites: number;
  /** Swallow every OPTIONS (the SBC sees timeouts, Microsoft marks it unhealthy). */
  dropOptions: boolean;
}

/** A call the emulator handled, for tests and the control API. */
export interface EmulatedCall {
  callId: string;
  direction: 'to-teams' | 'from-teams';
  status: number | undefined;
  refusal: string | undefined;
  incoming?: IncomingCall;
  outgoing?: OutgoingCall;
  dialog?: Dialog;
  /** The SBC's INVITE or 200 (its Allow decides whether Teams sends REFER). */
  peerAllow?: SipRequest | SipResponse;
  /** The SBC FQDN of the call (the customer's subdomain). */
  sbcFqdn?: string;
  /** Calling and called numbers (+E.164), as the control API lists them. */
  from?: string;
  to?: string;
  /** On hold by the Teams user (re-INVITE with `a=inactive`). */
  held?: boolean;
  /** Re-INVITEs the SBC sent in this call (hold and resume from the PBX side), in order. */
  reinvites?: SipRequest[];
  /** NOTIFY bodies (sipfrag) the SBC sent in this call about a transfer. */
  notifies?: string[];
  /** A voicemail deposit (`;opaque=app:voicemail`): answered by the user's voicemail. */
  voicemail?: boolean;
  /** A call from another organisation (external access) to a person's SIP address, not a Direct Routing call. */
  federated?: boolean;
  /** A transfer to a number: the Call-ID of Microsoft's call toward the SBC for it. */
  onward?: string;
  /** The Referred-By of an INVITE that completes a transfer (as received). */
  referredBy?: string;
  /** The SBC's answer to the last hold or resume of the Teams user (its SDP is where the media goes now). */
  reinviteAnswer?: SipResponse;
}
