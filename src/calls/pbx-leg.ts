import { buildAuthorization, chooseChallenge } from '../sip/auth/digest.js';
import type { CallEndpoint } from '../sip/dialog/call.endpoint.js';
import type { Dialog } from '../sip/dialog/dialog.js';
import type { CallOutcome } from '../sip/dialog/endpoint.types.js';
import type { OutgoingCall } from '../sip/dialog/outgoing-call.js';
import type { SipResolver } from '../sip/dns/sip.resolver.js';
import { SipHeaders } from '../sip/message/sip-headers.js';
import { randomToken, type SipRequest, type SipResponse } from '../sip/message/sip-message.js';
import { SipError } from '../sip/sip.error.js';
import type { SipTarget } from '../sip/transport/transport.types.js';
import type { PbxIdentity } from './call-user.js';

/** Challenge rounds per INVITE: one answer, and one more for a stale nonce; a third challenge is a wrong password. */
const MAX_AUTH_ROUNDS = 2;

/** A call to the PBX as one user. */
export interface PbxCallRequest {
  endpoint: CallEndpoint;
  resolver: SipResolver;
  pbx: PbxIdentity;
  /** The user part of the Request-URI: what the Teams user dialled. */
  dialled: string;
  sdp: Buffer;
  /** The Contact the user registered with (so the PBX's in-dialog requests come back to this call). */
  contact: (protocol: SipTarget['protocol']) => string;
  /** Nothing heard from the PBX for this long: give up (the caller on Teams must hear within 10 s). */
  silenceMs: number;
  onProvisional: (response: SipResponse, dialog: Dialog | undefined) => void;
  /** Headers added to the INVITE (Diversion mapped from Teams' History-Info). */
  headers?: Record<string, string>;
}

/** What a call toward the PBX side is to the bridged call: this leg, or a carrier trunk's (src/calls/trunk). */
export interface PbxLeg {
  readonly callId: string;
  peer: string | undefined;
  start(): Promise<CallOutcome>;
  cancel(): void;
}

/**
 * INVITE the PBX *as the user*, like their desk phone (CALLS.md): From their AOR, Contact their registered
 * Contact, through the service's proxy and transport (RFC 3263), digest with their own credentials on 401/407
 * (the new INVITE keeps Call-ID and From-tag, CSeq rises). A PBX that says nothing within `silenceMs` (not even
 * 100 Trying) is given up, so the Teams caller gets an answer while Microsoft still waits.
 *
 * @example const leg = new PbxCall(request); const outcome = await leg.start(); leg.cancel();
 */
export class PbxCall implements PbxLeg {
  readonly callId = randomToken(24);
  readonly fromTag = randomToken(12);
  /** The INVITE ringing now (the last one sent). */
  current: OutgoingCall | undefined;
  /** Where the INVITE went, for the call record. */
  peer: string | undefined;
  private cancelled = false;

  constructor(private readonly request: PbxCallRequest) {}

  /** Send the INVITE (and its authenticated repeat); resolves with the final outcome. */
  async start(): Promise<CallOutcome> {
    const { pbx } = this.request;
    let targets: SipTarget[];
    try {
      targets = await this.request.resolver.resolve({
        host: pbx.proxyHost ?? pbx.sipDomain,
        port: pbx.proxyPort,
        protocol: pbx.transport,
      });
    } catch (error) {
      return { kind: 'failed', error: asSipError(error) };
    }
    let outcome: CallOutcome = { kind: 'failed', error: new SipError('sip_dns_failed', 'No PBX address.') };
    for (const target of targets) {
      this.peer = `${target.address}:${target.port}`;
      outcome = await this.attempt(target);
      // RFC 3263: a target that never answered is skipped for the next one; any answer is the PBX's.
      if (outcome.kind !== 'failed' || this.cancelled || outcome.error.code === 'sip_stack_stopped') break;
    }
    return outcome;
  }

  /** Give up ringing (the Teams caller cancelled, the ring timeout ran out). */
  cancel(): void {
    this.cancelled = true;
    this.current?.cancel();
  }

  private async attempt(target: SipTarget): Promise<CallOutcome> {
    let authorization: { name: string; value: string } | undefined;
    for (let round = 0, cseq = 1; ; round++, cseq++) {
      const invite = this.build(target, cseq, authorization);
      const call = this.request.endpoint.invite(invite, { target });
      this.current = call;
      if (this.cancelled) call.cancel();
      let heard = false;
      const silence = setTimeout(() => !heard && call.abort(), this.request.silenceMs);
      call.onProvisional = (response, dialog) => {
        heard = true;
        clearTimeout(silence);
        if (response.status > 100) this.request.onProvisional(response, dialog);
      };
      const outcome = await call.outcome;
      clearTimeout(silence);
      if (outcome.kind !== 'rejected' || this.cancelled) return outcome;
      const status = outcome.response.status;
      if ((status !== 401 && status !== 407) || round >= MAX_AUTH_ROUNDS) return outcome;
      authorization = this.answer(outcome.response, invite.uri);
      if (!authorization) return outcome;
    }
  }

  private build(
    target: SipTarget,
    cseq: number,
    authorization: { name: string; value: string } | undefined,
  ): SipRequest {
    const { pbx, dialled } = this.request;
    const uri = `sip:${dialled}@${pbx.sipDomain}`;
    const headers = new SipHeaders()
      .append('From', `<sip:${pbx.sipUsername}@${pbx.sipDomain}>;tag=${this.fromTag}`)
      .append('To', `<${uri}>`)
      .append('Call-ID', this.callId)
      .append('CSeq', `${cseq} INVITE`)
      .append('Contact', `<${this.request.contact(target.protocol)}>`)
      .append('Supported', 'timer')
      .append('Content-Type', 'application/sdp');
    for (const [name, value] of Object.entries(this.request.headers ?? {})) headers.append(name, value);
    if (authorization) headers.append(authorization.name, authorization.value);
    return { kind: 'request', method: 'INVITE', uri, headers, body: this.request.sdp };
  }

  /** The Authorization (401) or Proxy-Authorization (407) answering a challenge; undefined when unanswerable. */
  private answer(response: SipResponse, uri: string): { name: string; value: string } | undefined {
    const proxy = response.status === 407;
    try {
      const challenge = chooseChallenge(
        response.headers.getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'),
      );
      const { authUsername, password } = this.request.pbx;
      const value = buildAuthorization(challenge, {
        username: authUsername,
        password,
        method: 'INVITE',
        uri,
        nonceCount: 1,
        body: this.request.sdp,
      });
      return { name: proxy ? 'Proxy-Authorization' : 'Authorization', value };
    } catch {
      return undefined;
    }
  }
}

function asSipError(error: unknown): SipError {
  if (error instanceof SipError) return error;
  return new SipError('sip_dns_failed', error instanceof Error ? error.message : String(error));
}
