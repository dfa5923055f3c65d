/**
 * How Microsoft's Direct Routing proxy sends the SBC a call that a Teams user's rule sent there, built from
 * Microsoft's "Direct Routing - SIP protocol" page (sections "History-Info header" and "Call forwarding"): a
 * History-Info entry per number the request went through, each `sip:<number>@sip.pstnhub.microsoft.com:5061`
 * with `user=phone`, the Reason (RFC 3326) escaped as a URI header with its cause, `index` per RFC 7044; on
 * forwarding the Request-URI carries RFC 4458's `cause`. The From stays the original caller's. A simultaneous ring
 * is a second branch of the same call: the user's entry has no Reason (their Teams clients still ring), the
 * branch toward the SBC descends from it (`index=1.1`, `mp=1`).
 */

/** A call for a Teams user that Microsoft sends on to another number (through the SBC). */
export interface ForwardedCallRequest {
  /** The original caller, e.g. a PSTN number: the From of the INVITE the SBC gets. */
  caller: string;
  /** The Teams user whose rule fired (+E.164). */
  user: string;
  /** Where the rule sends the call (the number the SBC is asked to reach). */
  target: string;
  /** `forward` (call forwarding: Teams no longer rings the user) or `simultaneous-ring` (it rings both). */
  kind: 'forward' | 'simultaneous-ring';
  /** Why a forward fired (RFC 4458): 302 immediately (default), 486 busy, 408 no answer, 480 unavailable. */
  cause?: 302 | 408 | 480 | 486;
}

const REASON_TEXT: Record<number, string> = {
  302: 'Moved temporarily',
  408: 'Request timeout',
  480: 'Temporarily unavailable',
  486: 'Busy here',
};

const MICROSOFT = 'sip.pstnhub.microsoft.com:5061';

/** The History-Info header and Request-URI parameters of a forwarded or simultaneously rung call. */
export function forwardingOf(call: ForwardedCallRequest): {
  headers: Record<string, string>;
  uriParams: string;
} {
  const target = `<sip:${call.target}@${MICROSOFT};user=phone`;
  if (call.kind === 'simultaneous-ring') {
    return {
      headers: {
        'History-Info': `<sip:${call.user}@${MICROSOFT};user=phone>;index=1,${target}>;index=1.1;mp=1`,
      },
      uriParams: '',
    };
  }
  const cause = call.cause ?? 302;
  const reason = encodeURIComponent(`SIP;cause=${cause};text="${REASON_TEXT[cause]}"`);
  return {
    headers: {
      'History-Info': `<sip:${call.user}@${MICROSOFT};user=phone?Reason=${reason}>;index=1,${target};cause=${cause}>;index=1.1;mp=1`,
    },
    uriParams: `;cause=${cause}`,
  };
}
