import { CallEndpoint } from '../../sip/dialog/call.endpoint.js';
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { ReinviteAnswer } from '../../sip/dialog/endpoint.types.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import type { OutgoingCall } from '../../sip/dialog/outgoing-call.js';
import { SipHeaders } from '../../sip/message/sip-headers.js';
import { randomToken, type SipRequest, type SipResponse } from '../../sip/message/sip-message.js';
import { TlsTransport } from '../../sip/transport/tls.transport.js';
import type { InboundMessage, SipSource, SipTarget } from '../../sip/transport/transport.types.js';
import { checkContact } from './contact-check.js';
import { calledNumber, uriUserOf } from './sip-numbers.js';
import {
  CONTACT_FQDN_REASON,
  MICROSOFT_ALLOW,
  MICROSOFT_SERVER,
  MICROSOFT_USER_AGENT,
  microsoftCasing,
  sdpRefusal,
  teamsOffer,
} from './microsoft-wire.js';
import {
  allowsRefer,
  buildRefer,
  answerReinvite,
  holdOffer,
  takeReferral,
  transferSucceeded,
  xmOf,
  type Referral,
} from './teams-transfer.js';
import { DEFAULT_BEHAVIOUR, ringTeamsUser, type TeamsUserBehaviour } from './teams-call.behaviour.js';
import type { TeamsDirectory } from './teams-directory.js';
import { TrunkHealth } from './trunk-health.js';

/** Options of the Teams Direct Routing emulator. */
export interface TeamsSipEmulatorOptions {
  host: string;
  /** TLS port (0 picks one). */
  port?: number;
  /** The proxy's certificate (sip, sip2, sip3.pstnhub.microsoft.com) and the CA the SBC's certificate comes from. */
  certFile: string;
  keyFile: string;
  caFile?: string;
  directory: TeamsDirectory;
  /** Where the SBC of an FQDN listens, for calls from Teams (tests: loopback). */
  sbcTarget?: (fqdn: string) => SipTarget | undefined;
  /** How often at most the proxy sends its own OPTIONS back to an SBC (Microsoft: about every minute). */
  probeIntervalMs?: number;
  /** Media address and port written in the emulated Teams SDP. */
  media?: { address: string; port: number };
  /**
   * The SDP of Teams' media processor for each offer and answer, when a real SRTP endpoint stands behind the
   * emulator (the B2BUA's audio tests: an RTP/SRTP peer); default the published shape with Microsoft's sample keys.
   */
  mediaSdp?: () => Buffer;
}

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
  /** A transfer to a number: the Call-ID of Microsoft's call toward the SBC for it. */
  onward?: string;
  /** The Referred-By of an INVITE that completes a transfer (as received). */
  referredBy?: string;
  /** The SBC's answer to the last hold or resume of the Teams user (its SDP is where the media goes now). */
  reinviteAnswer?: SipResponse;
}

/**
 * Microsoft's Direct Routing SIP proxy, emulated for tests and the demo (CALLS.md): mutual TLS, the Contact-FQDN
 * check (403), OPTIONS both ways with the 3-minute health, upper-case headers and Microsoft's Server / User-Agent,
 * only INVITE, ACK, OPTIONS, CANCEL, BYE and NOTIFY accepted (405 otherwise, REFER and UPDATE in dialogs too),
 * forking toward Teams devices, refusals of what Microsoft refuses, a control API (call, answer, decline, hang up)
 * and fault injection.
 *
 * @example const teams = await TeamsSipEmulator.start({ host: '127.0.0.1', certFile, keyFile, caFile, directory });
 */
export class TeamsSipEmulator {
  readonly health = new TrunkHealth();
  readonly faults: TeamsSipFaults = {
    inviteStatuses: [],
    retryAfterSeconds: 5,
    silentInvites: 0,
    dropOptions: false,
  };
  readonly behaviours = new Map<string, TeamsUserBehaviour>();
  readonly calls: EmulatedCall[] = [];
  readonly endpoint: CallEndpoint;
  /** REFERs sent, by the `x-m` of their Refer-To, until the SBC's INVITE for them comes. */
  private readonly referrals = new Map<string, Referral>();

  private constructor(
    private readonly options: TeamsSipEmulatorOptions,
    readonly transport: TlsTransport,
    private readonly box: { emulator?: TeamsSipEmulator },
  ) {
    this.endpoint = new CallEndpoint({
      transport: microsoftCasing(transport),
      userAgent: MICROSOFT_USER_AGENT,
      allow: MICROSOFT_ALLOW,
      contact: () => `sip:api-du-a-euwe.pstnhub.microsoft.com:443;x-i=${randomToken(12)}`,
      onInvite: (call) => this.receiveInvite(call),
      onRequest: (request, source) => this.receiveRequest(request, source),
      onReinvite: (dialog, request) => this.receiveReinvite(dialog, request),
      onDialogRequest: (dialog, request) => this.receiveInDialog(dialog, request),
      onDialogEnded: (dialog) => {
        const call = this.calls.find((c) => c.callId === dialog.callId);
        if (call) call.dialog = undefined;
      },
    });
    box.emulator = this;
  }

  /** Listen with the proxy certificate. */
  static async start(options: TeamsSipEmulatorOptions): Promise<TeamsSipEmulator> {
    const box: { emulator?: TeamsSipEmulator } = {};
    const transport = await TlsTransport.open({
      host: options.host,
      listenPort: options.port ?? 0,
      advertisedHost: 'sip.pstnhub.microsoft.com',
      certFile: options.certFile,
      keyFile: options.keyFile,
      caFile: options.caFile,
      onMessage: (inbound) => box.emulator?.receive(inbound),
    });
    return new TeamsSipEmulator(options, transport, box);
  }

  /** Who the Teams users are (the emulated tenants'). */
  get directory(): TeamsDirectory {
    return this.options.directory;
  }

  /** The TLS port. */
  get port(): number {
    return this.transport.local().port;
  }

  /** Set how a Teams user's clients answer (by number). */
  setBehaviour(number: string, behaviour: Partial<TeamsUserBehaviour>): void {
    this.behaviours.set(number, { ...DEFAULT_BEHAVIOUR, ...this.behaviours.get(number), ...behaviour });
  }

  /** Control API: a Teams user calls a number through the SBC of `sbcFqdn` (the customer's subdomain). */
  callFromTeams(
    fromNumber: string,
    toNumber: string,
    sbcFqdn: string,
    replacing?: Dialog,
    /** More headers, e.g. History-Info of a forwarded call or simultaneous ring. */
    extra: Record<string, string> = {},
  ): EmulatedCall {
    const target = this.options.sbcTarget?.(sbcFqdn);
    if (!target) throw new Error(`No SBC address known for ${sbcFqdn}`);
    const media = this.options.media ?? { address: '127.0.0.1', port: 40_000 };
    // Replacing a call (call queues), Teams sends to the SBC's Contact of that call, which has no number.
    const uri = replacing?.remoteTarget ?? `sip:${toNumber}@${sbcFqdn}:5061;user=phone;transport=tls`;
    const headers = new SipHeaders()
      .append('From', `<sip:${fromNumber}@sip.pstnhub.microsoft.com:5061;user=phone>;tag=${randomToken(32)}`)
      .append('To', `<sip:${toNumber}@${sbcFqdn}:5061;user=phone>`)
      .append('Call-ID', `${randomToken(8)}-${randomToken(4)}-${randomToken(4)}-${randomToken(12)}`)
      .append('CSeq', '1 INVITE')
      .append('Supported', 'timer')
      .append('Session-Expires', '3600')
      .append('Min-SE', '90')
      .append('Content-Type', 'application/sdp');
    for (const [name, value] of Object.entries(extra)) headers.append(name, value);
    // RFC 3891: the tags as the SBC sees its dialog (to-tag: the SBC's own tag, from-tag: ours).
    if (replacing)
      headers.append(
        'Replaces',
        `${replacing.callId};to-tag=${replacing.remoteTag};from-tag=${replacing.localTag}`,
      );
    const request: SipRequest = {
      kind: 'request',
      method: 'INVITE',
      uri,
      headers,
      body: this.options.mediaSdp?.() ?? teamsOffer(media.address, media.port),
    };
    const outgoing = this.endpoint.invite(request, { target: { ...target, serverName: sbcFqdn } });
    const call: EmulatedCall = {
      sbcFqdn,
      from: fromNumber,
      to: toNumber,
      callId: headers.get('Call-ID')!,
      direction: 'from-teams',
      status: undefined,
      refusal: undefined,
      outgoing,
    };
    this.calls.push(call);
    void outgoing.outcome.then((outcome) => {
      call.status = outcome.kind === 'failed' ? 408 : outcome.response.status;
      if (outcome.kind === 'answered') {
        call.dialog = outcome.dialog;
        call.peerAllow = outcome.response;
      }
    });
    return call;
  }

  /** Control API: Teams replaces an established call (call queues): a new INVITE with Replaces naming it. */
  replace(callId: string): EmulatedCall {
    const old = this.find(callId);
    if (!old.dialog) throw new Error(`Call ${callId} is not established`);
    return this.callFromTeams(old.from ?? '', old.to ?? '', old.sbcFqdn ?? '', old.dialog);
  }

  /** Control API: answer a call ringing with outcome `manual`. */
  answer(callId: string): void {
    const call = this.find(callId);
    const media = this.options.media ?? { address: '127.0.0.1', port: 40_000 };
    void call.incoming
      ?.accept({ body: this.options.mediaSdp?.() ?? teamsOffer(media.address, media.port) })
      .then((dialog) => {
        call.status = 200;
        call.dialog = dialog;
      });
  }

  /** Control API: hold (re-INVITE with `a=inactive`); resolves with the SBC's answer status. */
  async hold(callId: string): Promise<number> {
    const call = this.find(callId);
    if (!call.dialog) throw new Error(`Call ${callId} is not established`);
    const base = this.options.mediaSdp?.();
    const offer = base ? Buffer.concat([base, Buffer.from('a=inactive\r\n')]) : holdOffer(this.media);
    call.reinviteAnswer = await this.endpoint.dialogs.reinvite(call.dialog, offer);
    const status = call.reinviteAnswer.status;
    if (status >= 200 && status < 300) call.held = true;
    return status;
  }

  /** Control API: resume a held call (re-INVITE with the ordinary sendrecv offer). */
  async resume(callId: string): Promise<number> {
    const call = this.find(callId);
    if (!call.dialog) throw new Error(`Call ${callId} is not established`);
    const offer = this.options.mediaSdp?.() ?? teamsOffer(this.media.address, this.media.port);
    call.reinviteAnswer = await this.endpoint.dialogs.reinvite(call.dialog, offer);
    const status = call.reinviteAnswer.status;
    if (status >= 200 && status < 300) call.held = false;
    return status;
  }

  /**
   * Control API: the Teams user transfers the call to another Teams user (org id) or to a number (`4:<number>`,
   * Teams' MRI of a phone number; the Refer-To shape is unverified). When the SBC listed REFER in
   * Allow, a REFER goes to the SBC on a connection Microsoft opens itself (CALLS.md); otherwise Teams transfers
   * internally ('internal'): the SBC sees only a re-INVITE moving the media (and may see NOTIFYs).
   */
  async transfer(callId: string, targetOrgId: string): Promise<number | 'internal'> {
    const call = this.find(callId);
    if (!call.dialog) throw new Error(`Call ${callId} is not established`);
    if (!allowsRefer(call.peerAllow)) {
      // Teams transfers itself: the call's media moves to the target's client, re-INVITEd on the same dialog.
      const moved = this.options.mediaSdp?.() ?? teamsOffer(this.media.address, this.media.port + 2);
      call.reinviteAnswer = await this.endpoint.dialogs.reinvite(call.dialog, moved);
      return 'internal';
    }
    const refer = buildRefer(call.dialog, targetOrgId, randomToken(8));
    const referTo = refer.headers.get('Refer-To') ?? '';
    this.referrals.set(xmOf(referTo) ?? '', {
      callId,
      referTo,
      referredBy: refer.headers.get('Referred-By') ?? '',
      teamsUser: (call.direction === 'to-teams' ? call.to : call.from) ?? '',
      sbcFqdn: call.sbcFqdn ?? '',
    });
    const sbc = this.options.sbcTarget?.(call.sbcFqdn ?? '');
    if (!sbc) throw new Error(`No SBC address known for ${call.sbcFqdn ?? 'this call'}`);
    return (await this.endpoint.request(refer, { target: { ...sbc, serverName: call.sbcFqdn } })).status;
  }

  /** Control API: decline (603) a ringing call. */
  decline(callId: string): void {
    const call = this.find(callId);
    call.incoming?.reject(603);
    call.status = 603;
  }

  /** Control API: hang up an established call (BYE) or cancel one still ringing from Teams. */
  async hangUp(callId: string): Promise<void> {
    const call = this.find(callId);
    if (call.dialog) await this.endpoint.dialogs.bye(call.dialog);
    else call.outgoing?.cancel();
  }

  /** Stop listening and drop every connection. */
  async stop(): Promise<void> {
    this.endpoint.stop();
    await this.transport.close();
  }

  private get media(): { address: string; port: number } {
    return this.options.media ?? { address: '127.0.0.1', port: 40_000 };
  }

  /** A call by Call-ID (throws when unknown). */
  find(callId: string): EmulatedCall {
    const call = this.calls.find((c) => c.callId === callId);
    if (!call) throw new Error(`No emulated call ${callId}`);
    return call;
  }

  private receive(inbound: InboundMessage): void {
    const message = inbound.message;
    if (message.kind === 'request' && message.method === 'INVITE' && this.faults.silentInvites > 0) {
      if (message.headers.get('To')?.includes('tag=') !== true) {
        this.faults.silentInvites--;
        return;
      }
    }
    if (message.kind === 'request' && message.method === 'OPTIONS' && this.faults.dropOptions) return;
    this.endpoint.receive(inbound);
  }

  private receiveRequest(request: SipRequest, source: SipSource): SipResponse | undefined {
    if (request.method !== 'OPTIONS') return undefined;
    const check = checkContact(
      request,
      this.transport.peerNames(source.flow ?? ''),
      this.options.directory,
      false,
    );
    if (!check.ok)
      return this.endpoint.respond(
        request,
        403,
        { Warning: `399 sip.pstnhub.microsoft.com "${check.why}"` },
        undefined,
        CONTACT_FQDN_REASON,
      );
    const record = this.health.optionsReceived(check.fqdn);
    const interval = this.options.probeIntervalMs ?? 60_000;
    if (record.lastProbeAt === undefined || Date.now() - record.lastProbeAt >= interval) {
      this.health.probeAnswered(check.fqdn, 0);
      void this.probe(check.fqdn, source);
    }
    return this.endpoint.respond(request, 200, { Allow: MICROSOFT_ALLOW, Server: MICROSOFT_SERVER });
  }

  /** Microsoft's own OPTIONS to the SBC's Contact FQDN, on the connection the SBC opened. */
  private async probe(fqdn: string, source: SipSource): Promise<void> {
    const uri = `sip:${fqdn}:5061;transport=tls`;
    const headers = new SipHeaders()
      .append('From', `<sip:sip.pstnhub.microsoft.com:5061;transport=tls>;tag=${randomToken(12)}`)
      .append('To', `<${uri}>`)
      .append('Call-ID', randomToken(24))
      .append('CSeq', '1 OPTIONS');
    const request: SipRequest = { kind: 'request', method: 'OPTIONS', uri, headers, body: Buffer.alloc(0) };
    const status = await this.endpoint
      .request(request, {
        target: { protocol: 'tls', address: source.address, port: source.port },
        flow: source,
      })
      .then((r) => r.status)
      .catch(() => 0);
    this.health.probeAnswered(fqdn, status);
  }

  /**
   * A re-INVITE from the SBC: refused as a first INVITE would be (488 for sendonly: Microsoft knows only
   * `a=inactive`), else answered with the media processor's SDP, `a=inactive` when the offer is a hold.
   */
  private receiveReinvite(dialog: Dialog, request: SipRequest): ReinviteAnswer {
    const call = this.calls.find((c) => c.callId === dialog.callId);
    if (call) (call.reinvites ??= []).push(request);
    return answerReinvite(
      request,
      () => this.options.mediaSdp?.() ?? teamsOffer(this.media.address, this.media.port),
    );
  }

  /**
   * NOTIFY about a transfer: kept for tests; a final 2xx sipfrag ends the transferor's call (Microsoft sends BYE
   * for the original leg once the transfer succeeded). Other methods: the endpoint's default (405 for REFER).
   */
  private receiveInDialog(dialog: Dialog, request: SipRequest): SipResponse | undefined {
    if (request.method !== 'NOTIFY') return undefined;
    const call = this.calls.find((c) => c.callId === dialog.callId);
    if (call) (call.notifies ??= []).push(request.body.toString());
    if (transferSucceeded(request)) setTimeout(() => void this.endpoint.dialogs.bye(dialog), 50).unref();
    return undefined;
  }

  /**
   * A transfer to a phone number: Microsoft routes it like the transferring user's own call to that number
   * (Online Voice Routing: for a Direct Routing user, back through the SBC) and answers the SBC's INVITE once that
   * call is answered, bridging the two itself. `call.onward` is the call toward the SBC.
   */
  private transferToNumber(
    incoming: IncomingCall,
    call: EmulatedCall,
    number: string,
    referral: Referral,
  ): void {
    call.to = number;
    incoming.ring(180);
    const onward = this.callFromTeams(referral.teamsUser, number, referral.sbcFqdn);
    call.onward = onward.callId;
    incoming.onCancel = () => void this.hangUp(onward.callId);
    void onward.outgoing!.outcome.then((outcome) => {
      if (outcome.kind !== 'answered') {
        call.status = outcome.kind === 'rejected' ? outcome.response.status : 408;
        return incoming.reject(call.status);
      }
      const sdp = this.options.mediaSdp?.() ?? teamsOffer(this.media.address, this.media.port);
      incoming.accept({ body: sdp }).then(
        (dialog) => {
          call.status = 200;
          call.dialog = dialog;
        },
        () => undefined,
      );
    });
  }

  private receiveInvite(incoming: IncomingCall): void {
    const request = incoming.request;
    const call: EmulatedCall = {
      callId: request.headers.get('Call-ID') ?? '',
      from: uriUserOf(request.headers.get('From')),
      to: calledNumber(request.uri),
      direction: 'to-teams',
      status: undefined,
      refusal: undefined,
      incoming,
      peerAllow: request,
    };
    this.calls.push(call);
    const refuse = (status: number, why: string, headers: Record<string, string> = {}): void => {
      call.status = status;
      call.refusal = why;
      incoming.reject(status, { Warning: `399 sip.pstnhub.microsoft.com "${why}"`, ...headers });
    };
    const check = checkContact(
      request,
      this.transport.peerNames(incoming.source.flow ?? ''),
      this.options.directory,
      true,
    );
    if (!check.ok) return refuse(403, check.why);
    call.sbcFqdn = check.fqdn;
    if (request.headers.has('Replaces')) return refuse(403, 'Replaces is not supported toward Teams');
    const sdp = sdpRefusal(request.body, request.headers.get('Content-Type'));
    if (sdp) return refuse(488, sdp);
    const injected = this.faults.inviteStatuses.shift();
    if (injected !== undefined)
      return refuse(
        injected,
        'injected fault',
        injected === 503 ? { 'Retry-After': String(this.faults.retryAfterSeconds) } : {},
      );
    let number = calledNumber(request.uri);
    const xm = xmOf(request.uri);
    if (xm !== undefined) {
      call.referredBy = request.headers.get('Referred-By');
      const referral = takeReferral(this.referrals, xm, call.referredBy);
      if ('why' in referral) return refuse(referral.status, referral.why);
      if (xm.startsWith('4:')) return this.transferToNumber(incoming, call, xm.slice(2), referral);
      number = this.options.directory.userById?.(check.tenantId!, xm.replace(/^8:orgid:/, ''))?.number;
      call.to = number;
    }
    const user =
      number === undefined ? undefined : this.options.directory.userByNumber(check.tenantId!, number);
    if (!user)
      return refuse(404, `no Teams user with ${number ?? 'that number'} in the tenant of ${check.fqdn}`);
    if (/;opaque=app:voicemail/i.test(request.uri)) {
      // A voicemail deposit: the user's voicemail takes the call at once, no Teams client rings.
      call.voicemail = true;
      const greeting = this.options.mediaSdp?.() ?? teamsOffer(this.media.address, this.media.port);
      void incoming.accept({ body: greeting }).then(
        (dialog) => {
          call.status = 200;
          call.dialog = dialog;
        },
        () => undefined,
      );
      return;
    }
    const behaviour = this.behaviours.get(user.number) ?? DEFAULT_BEHAVIOUR;
    const stop = ringTeamsUser(
      incoming,
      behaviour,
      this.media,
      (dialog) => {
        call.status = 200;
        call.dialog = dialog;
      },
      this.options.mediaSdp?.(),
    );
    incoming.onCancel = () => {
      stop();
      call.status = 487;
    };
  }
}
