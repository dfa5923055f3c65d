import type { OutgoingCall } from '../sip/dialog/outgoing-call.js';
import { SipHeaders } from '../sip/message/sip-headers.js';
import { randomToken, type SipRequest, type SipResponse } from '../sip/message/sip-message.js';
import type { TeamsCallResult } from './teams-failover.js';
import type { TeamsEdge } from './teams-edge.js';

/** A call to a Teams user through external access (the Phone App, issue 20). */
export interface FederatedCallRequest {
  /** The Teams user's SIP address (their UPN, `adele@contoso.com`): federation addresses people, not numbers. */
  address: string;
  /** Who the Teams user sees calling: the number dialled, or the PBX caller's number or extension. */
  caller: string;
  /** Our SDP offer (SRTP toward Microsoft, as on Direct Routing). */
  sdp: Buffer;
  onProvisional?: (response: SipResponse, proxy: string) => void;
  onAttempt?: (call: OutgoingCall, proxy: string) => void;
  signal?: AbortSignal;
}

/**
 * INVITE a Teams user from the Phone App domain through Microsoft's federation edge: Request-URI and To the
 * user's SIP address, From `<caller>@<Phone App domain>` with the caller as display name, Contact in the Phone App
 * domain (the edge's contact follows the From host), so that the tenant's external access settings decide
 * (603 when they block the domain). One edge, no failover: its answer, or silence, is final.
 *
 * @example await callTeamsFederated(edge, { address: 'adele@contoso.com', caller: '+442079460123', sdp });
 */
export async function callTeamsFederated(
  edge: TeamsEdge,
  request: FederatedCallRequest,
): Promise<TeamsCallResult> {
  const federation = edge.options.settings.federation;
  if (!federation) throw new Error('External access calls are off: no Phone App domain is configured.');
  const uri = `sip:${request.address}`;
  const user = request.caller.replace(/[^\w+.*#-]/g, '') || 'anonymous';
  const display = request.caller.replace(/["\\\r\n]/g, '');
  const headers = new SipHeaders()
    .append('From', `"${display}" <sip:${user}@${federation.domain}>;tag=${randomToken(16)}`)
    .append('To', `<${uri}>`)
    .append('Call-ID', randomToken(32))
    .append('CSeq', '1 INVITE')
    .append('Supported', 'timer')
    .append('Content-Type', 'application/sdp');
  const invite: SipRequest = { kind: 'request', method: 'INVITE', uri, headers, body: request.sdp };
  const proxy = federation.edge.host;
  const call = edge.endpoint.invite(invite, { target: await edge.targetOf(federation.edge) });
  request.onAttempt?.(call, proxy);
  let heard = false;
  const silence = setTimeout(() => !heard && call.abort(), edge.options.settings.failoverAfterMs);
  call.onProvisional = (response) => {
    heard = true;
    clearTimeout(silence);
    request.onProvisional?.(response, proxy);
  };
  if (request.signal?.aborted) call.cancel();
  const outcome = await call.outcome;
  clearTimeout(silence);
  const result = outcome.kind === 'failed' ? 'failed' : String(outcome.response.status);
  return { outcome, proxy, attempts: [{ proxy, result }], call };
}
