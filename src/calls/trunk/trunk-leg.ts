import { buildAuthorization, chooseChallenge } from '../../sip/auth/digest.js';
import type { CallOutcome } from '../../sip/dialog/endpoint.types.js';
import type { OutgoingCall } from '../../sip/dialog/outgoing-call.js';
import { SipHeaders } from '../../sip/message/sip-headers.js';
import { randomToken, type SipRequest, type SipResponse } from '../../sip/message/sip-message.js';
import { SipError } from '../../sip/sip.error.js';
import type { SipTarget } from '../../sip/transport/transport.types.js';
import type { PbxCallRequest, PbxLeg } from '../pbx-leg.js';
import { filterCodecs } from './trunk-codecs.js';
import type { TrunkLine } from './trunk-line.js';
import { toWire } from './trunk-number-format.js';

/** Challenge rounds per address: one answer, one more for a stale nonce; a third challenge means wrong credentials. */
const MAX_AUTH_ROUNDS = 2;

/** Who the call is from, as the trunk should show it. */
export interface TrunkCallerId {
  /** +E.164: the user's number or the service number they show. */
  number: string;
  /** The Teams caller withheld their number (Privacy: id, or an anonymous From). */
  withheld: boolean;
}

/**
 * A call out through a carrier trunk for a trunk user (issue 19): the dialled number and the caller ID written the
 * trunk's way, From the caller ID (anonymous when withheld), P-Asserted-Identity with the real number and
 * `Privacy: id` when the trunk expects them, the offer cut to the trunk's codecs, digest with the trunk's
 * credentials on 401/407, and failover: an address that does not answer (or answers 503) is marked unhealthy and
 * the next one is tried; any other answer is the carrier's and ends the attempt.
 *
 * @example const leg = new TrunkLeg(request, line, { number: '+441235123400', withheld: false }); await leg.start();
 */
export class TrunkLeg implements PbxLeg {
  readonly callId = randomToken(24);
  readonly fromTag = randomToken(12);
  current: OutgoingCall | undefined;
  peer: string | undefined;
  /** The addresses tried, in order (`host:port`), for the call record and tests. */
  readonly tried: string[] = [];
  private cancelled = false;

  constructor(
    private readonly request: PbxCallRequest,
    private readonly line: TrunkLine,
    private readonly caller: TrunkCallerId,
  ) {}

  async start(): Promise<CallOutcome> {
    let outcome: CallOutcome = {
      kind: 'failed',
      error: new SipError(
        'sip_dns_failed',
        `No address of the trunk resolves (${this.line.settings.domain}).`,
      ),
    };
    for (const { label, target } of this.line.callTargets()) {
      this.peer = `${target.address}:${target.port}`;
      this.tried.push(label);
      outcome = await this.attempt(target);
      if (this.cancelled) break;
      const address = this.line.addresses.find((a) => a.label === label);
      const down = outcome.kind === 'failed' || outcome.response.status === 503;
      if (address && down) {
        address.healthy = false;
        address.checkedAt = new Date().toISOString();
        address.reason =
          outcome.kind === 'failed' ? outcome.error.message : `Answered 503 to a call (${this.callId}).`;
      }
      if (!down || (outcome.kind === 'failed' && outcome.error.code === 'sip_stack_stopped')) break;
    }
    return outcome;
  }

  cancel(): void {
    this.cancelled = true;
    this.current?.cancel();
  }

  private async attempt(target: SipTarget): Promise<CallOutcome> {
    let authorization: { name: string; value: string } | undefined;
    const sdp = filterCodecs(this.request.sdp, this.line.settings.codecs);
    for (let round = 0, cseq = 1; ; round++, cseq++) {
      const invite = this.build(target, cseq, sdp, authorization);
      const call = this.request.endpoint.invite(invite, { target });
      this.current = call;
      if (this.cancelled) call.cancel();
      let heard = false;
      let silent = false;
      const silence = setTimeout(() => {
        if (heard) return;
        silent = true;
        call.abort();
      }, this.request.silenceMs);
      call.onProvisional = (response, dialog) => {
        heard = true;
        clearTimeout(silence);
        if (response.status > 100) this.request.onProvisional(response, dialog);
      };
      const outcome = await call.outcome;
      clearTimeout(silence);
      if (silent && outcome.kind === 'failed') {
        // Our own give-up on a silent address, not a stopped stack: the next address is tried.
        const why = `No answer from ${target.address}:${target.port} within ${this.request.silenceMs} ms.`;
        return { kind: 'failed', error: new SipError('sip_transaction_timeout', why) };
      }
      if (outcome.kind !== 'rejected' || this.cancelled) return outcome;
      const status = outcome.response.status;
      if ((status !== 401 && status !== 407) || round >= MAX_AUTH_ROUNDS) return outcome;
      authorization = this.answer(outcome.response, invite.uri, sdp);
      if (!authorization) return outcome;
    }
  }

  private build(
    target: SipTarget,
    cseq: number,
    sdp: Buffer,
    authorization: { name: string; value: string } | undefined,
  ): SipRequest {
    const { settings, wire } = this.line;
    const dialled = toWire(this.request.dialled, wire);
    const uri = `sip:${dialled}@${settings.domain}${/^\+?\d+$/.test(dialled) ? ';user=phone' : ''}`;
    const caller = toWire(this.caller.number, wire);
    const fromUser = this.caller.withheld ? 'anonymous' : caller;
    const headers = new SipHeaders()
      .append('From', `<sip:${fromUser}@${settings.domain}>;tag=${this.fromTag}`)
      .append('To', `<${uri}>`)
      .append('Call-ID', this.callId)
      .append('CSeq', `${cseq} INVITE`)
      .append('Contact', `<${this.request.contact(target.protocol)}>`)
      .append('Supported', 'timer')
      .append('Content-Type', 'application/sdp');
    if (settings.assertIdentity) {
      headers.append('P-Asserted-Identity', `<sip:${caller}@${settings.domain};user=phone>`);
      if (this.caller.withheld) headers.append('Privacy', 'id');
    }
    if (authorization) headers.append(authorization.name, authorization.value);
    return { kind: 'request', method: 'INVITE', uri, headers, body: sdp };
  }

  private answer(
    response: SipResponse,
    uri: string,
    sdp: Buffer,
  ): { name: string; value: string } | undefined {
    const { username, authUsername } = this.line.settings;
    const password = this.line.password;
    if (!username || password === null) return undefined; // an IP trunk has no credentials to answer with
    const proxy = response.status === 407;
    try {
      const challenge = chooseChallenge(
        response.headers.getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate'),
      );
      const value = buildAuthorization(challenge, {
        username: authUsername ?? username,
        password,
        method: 'INVITE',
        uri,
        nonceCount: 1,
        body: sdp,
      });
      return { name: proxy ? 'Proxy-Authorization' : 'Authorization', value };
    } catch {
      return undefined;
    }
  }
}
