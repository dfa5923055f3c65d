import type { OutgoingCall } from '../sip/dialog/outgoing-call.js';
import type { CallOutcome } from '../sip/dialog/endpoint.types.js';
import { SipHeaders } from '../sip/message/sip-headers.js';
import { randomToken, type SipRequest, type SipResponse } from '../sip/message/sip-message.js';
import type { FoundRoute, TeamsEdge } from './teams-edge.js';

/** A call toward a Teams user, in the carrier model. */
export interface TeamsCallRequest {
  /** The customer's subdomain (`contoso.sbc.example.com`): Microsoft finds the tenant from it. */
  customerFqdn: string;
  /** +E.164 of the caller (the PBX extension's number) and of the Teams user. */
  from: string;
  to: string;
  /**
   * The caller hides their identity (RFC 3323): From anonymous, the number in P-Asserted-Identity (RFC 3325) with
   * `Privacy: id`, as Microsoft documents for anonymous calls to Direct Routing.
   */
  privacy?: boolean;
  /** Our SDP offer (always present: Microsoft refuses delayed offer). */
  sdp: Buffer;
  /** Whose call this is: remembered, so that Teams replacing it (INVITE with Replaces) finds the same user. */
  route?: FoundRoute;
  onProvisional?: (response: SipResponse, proxy: string) => void;
  /** Each INVITE as it leaves, so that the caller can CANCEL the attempt ringing now (the B2BUA). */
  onAttempt?: (call: OutgoingCall, proxy: string) => void;
  /** Aborted: the caller gave up (CANCEL, ring timeout); no further proxy is tried. */
  signal?: AbortSignal;
  /**
   * A transfer from Teams (CALLS.md "Transfer"): the REFER's Refer-To as Request-URI and To instead of `to`'s
   * number, and headers copied byte for byte (Referred-By: Microsoft answers 400 to a changed one).
   */
  referTo?: string;
  headers?: Record<string, string>;
  /** A voicemail deposit: `;opaque=app:voicemail` on the Request-URI (CALLS.md "Our INVITE toward Teams"). */
  voicemail?: boolean;
}

/** How the call went, and where it was tried. */
export interface TeamsCallResult {
  outcome: CallOutcome;
  proxy: string;
  attempts: { proxy: string; result: string }[];
  call: OutgoingCall;
}

/**
 * Try Microsoft's proxies in order (healthy ones first): a 503 (Retry-After or not), a 500/504, a connection
 * failure or no provisional within `failoverAfterMs` moves on to the next; any other answer (603 above all: the
 * person declined) is final. One Call-ID and From-tag for all attempts, CSeq rising, as a forking proxy would.
 */
/**
 * The From of a caller who hides their identity (RFC 3323 section 4.1.1.3). Without a number to assert, the host
 * is the customer's subdomain: Microsoft finds the tenant from our FQDN, which then has no other header to be in.
 */
function anonymousFrom(request: TeamsCallRequest): string {
  const host = request.from === 'anonymous' ? request.customerFqdn : 'anonymous.invalid';
  return `"Anonymous" <sip:anonymous@${host}>`;
}

export async function callTeamsWithFailover(
  edge: TeamsEdge,
  request: TeamsCallRequest,
): Promise<TeamsCallResult> {
  const settings = edge.options.settings;
  const proxies = [...settings.proxies].sort(
    (a, b) => Number(edge.health.isHealthy(b.host)) - Number(edge.health.isHealthy(a.host)),
  );
  const callId = randomToken(32);
  const fromTag = randomToken(16);
  if (request.route) edge.rememberRoute(callId, request.route);
  const attempts: TeamsCallResult['attempts'] = [];
  let last: TeamsCallResult | undefined;
  for (const [index, proxy] of proxies.entries()) {
    const uri =
      request.referTo ??
      `sip:${request.to}@${proxy.host}:${proxy.port};user=phone;transport=tls${request.voicemail ? ';opaque=app:voicemail' : ''}`;
    const caller = `<sip:${request.from}@${request.customerFqdn}:${edge.port};user=phone>`;
    const headers = new SipHeaders()
      .append('From', `${request.privacy ? anonymousFrom(request) : caller};tag=${fromTag}`)
      .append('To', request.referTo ? `<${request.referTo}>` : `<sip:${request.to}@${proxy.host};user=phone>`)
      .append('Call-ID', callId)
      .append('CSeq', `${index + 1} INVITE`)
      .append('Supported', 'timer')
      .append('Content-Type', 'application/sdp');
    if (request.privacy && request.from !== 'anonymous')
      headers.append('P-Asserted-Identity', caller).append('Privacy', 'id');
    for (const [name, value] of Object.entries(request.headers ?? {})) headers.append(name, value);
    const invite: SipRequest = { kind: 'request', method: 'INVITE', uri, headers, body: request.sdp };
    let call: OutgoingCall;
    try {
      call = edge.endpoint.invite(invite, { target: await edge.targetOf(proxy) });
    } catch (error) {
      edge.health.failed(proxy.host, 0, String(error));
      attempts.push({ proxy: proxy.host, result: 'unresolvable' });
      continue;
    }
    request.onAttempt?.(call, proxy.host);
    let heard = false;
    const silence = setTimeout(() => !heard && call.abort(), settings.failoverAfterMs);
    call.onProvisional = (response) => {
      heard = true;
      clearTimeout(silence);
      request.onProvisional?.(response, proxy.host);
    };
    const outcome = await call.outcome;
    clearTimeout(silence);
    last = { outcome, proxy: proxy.host, attempts, call };
    const result =
      outcome.kind === 'failed' ? (heard ? 'failed' : 'no answer') : String(outcome.response.status);
    attempts.push({ proxy: proxy.host, result });
    if (!shouldFailOver(outcome, heard) || request.signal?.aborted) return last;
    const wasHealthy = edge.health.isHealthy(proxy.host);
    edge.health.failed(
      proxy.host,
      outcome.kind === 'rejected' ? outcome.response.status : 0,
      `call: ${result}`,
    );
    edge.notifyIfChanged(proxy.host, wasHealthy);
    edge.counters.failovers++;
  }
  if (!last) throw new Error('No Microsoft proxy could be resolved: check CALLBRIDGE_TEAMS_PROXIES.');
  return last;
}

/** 503/500/504 or silence: next proxy. Everything else (2xx, 4xx, 603) is the answer. */
function shouldFailOver(outcome: CallOutcome, heard: boolean): boolean {
  if (outcome.kind === 'failed') return !heard || outcome.error.code === 'sip_transport_failed';
  if (outcome.kind === 'answered') return false;
  return [500, 503, 504].includes(outcome.response.status);
}
