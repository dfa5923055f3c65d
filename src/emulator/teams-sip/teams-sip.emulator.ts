import { CallEndpoint } from '../../sip/dialog/call.endpoint.js';
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import { SipHeaders } from '../../sip/message/sip-headers.js';
import { randomToken, type SipRequest, type SipResponse } from '../../sip/message/sip-message.js';
import { TlsTransport } from '../../sip/transport/tls.transport.js';
import type { InboundMessage, SipSource, SipTarget } from '../../sip/transport/transport.types.js';
import { checkContact } from './contact-check.js';
import { federatedTarget, type FederatedTarget } from './federation.js';
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
import { forwardingOf, type ForwardedCallRequest } from './teams-forwarding.js';
import { TeamsMidCall } from './teams-mid-call.js';
import { xmOf } from './teams-transfer.js';
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

import type { EmulatedCall, TeamsSipFaults } from './teams-sip.types.js';

export type { EmulatedCall, TeamsSipFaults } from './teams-sip.types.js';

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
  private readonly midCall: TeamsMidCall;

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
      onReinvite: (dialog, request) => this.midCall.receiveReinvite(dialog, request),
      onDialogRequest: (dialog, request) => this.midCall.receiveInDialog(dialog, request),
      onDialogEnded: (dialog) => {
        const call = this.calls.find((c) => c.callId === dialog.callId);
        if (call) call.dialog = undefined;
      },
    });
    this.midCall = new TeamsMidCall({
      endpoint: this.endpoint,
      calls: this.calls,
      find: (callId) => this.find(callId),
      sdp: (offset = 0) => options.mediaSdp?.() ?? teamsOffer(this.media.address, this.media.port + offset),
      sbcTarget: (fqdn) => options.sbcTarget?.(fqdn),
      callFromTeams: (from, to, sbcFqdn) => this.callFromTeams(from, to, sbcFqdn),
      hangUp: (callId) => this.hangUp(callId),
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
    /** More Request-URI parameters (`;cause=302` on a forwarded call, RFC 4458). */
    uriParams = '',
  ): EmulatedCall {
    const target = this.options.sbcTarget?.(sbcFqdn);
    if (!target) throw new Error(`No SBC address known for ${sbcFqdn}`);
    const media = this.options.media ?? { address: '127.0.0.1', port: 40_000 };
    // Replacing a call (call queues), Teams sends to the SBC's Contact of that call, which has no number.
    const uri =
      replacing?.remoteTarget ?? `sip:${toNumber}@${sbcFqdn}:5061;user=phone;transport=tls${uriParams}`;
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

  /**
   * Control API: a call for Teams user `call.user` that their forwarding or simultaneous ring sends to
   * `call.target` through the SBC of `sbcFqdn`, with History-Info as Microsoft sends it (`teams-forwarding.ts`).
   */
  forwardFromTeams(call: ForwardedCallRequest, sbcFqdn: string): EmulatedCall {
    const { headers, uriParams } = forwardingOf(call);
    return this.callFromTeams(call.caller, call.target, sbcFqdn, undefined, headers, uriParams);
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
  hold(callId: string): Promise<number> {
    return this.midCall.hold(callId);
  }

  /** Control API: resume a held call (re-INVITE with the ordinary sendrecv offer). */
  resume(callId: string): Promise<number> {
    return this.midCall.resume(callId);
  }

  /** Control API: the Teams user transfers the call (`TeamsMidCall.transfer`). */
  transfer(callId: string, targetOrgId: string): Promise<number | 'internal'> {
    return this.midCall.transfer(callId, targetOrgId);
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
    const peerNames = this.transport.peerNames(incoming.source.flow ?? '');
    const federated = federatedTarget(request, peerNames, this.options.directory);
    if (federated) return this.receiveFederated(incoming, call, federated, refuse);
    const check = checkContact(request, peerNames, this.options.directory, true);
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
      const referred = this.midCall.referred(incoming, call, xm);
      if (referred === 'handled') return;
      if ('why' in referred) return refuse(referred.status, referred.why);
      number = this.options.directory.userById?.(check.tenantId!, referred.orgId)?.number;
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
    this.ring(incoming, call, user.number);
  }

  /**
   * A call from another organisation to a person's SIP address (external access): refused as the tenant's
   * settings say (603, or 480 for a user not in Teams Only mode), else the user's clients ring as for any call.
   */
  private receiveFederated(
    incoming: IncomingCall,
    call: EmulatedCall,
    target: FederatedTarget,
    refuse: (status: number, why: string) => void,
  ): void {
    call.federated = true;
    if (!target.ok) return refuse(target.status, target.why);
    call.sbcFqdn = target.fromDomain;
    call.to = target.user.number;
    const sdp = sdpRefusal(incoming.request.body, incoming.request.headers.get('Content-Type'));
    if (sdp) return refuse(488, sdp);
    this.ring(incoming, call, target.user.number);
  }

  /** Ring a Teams user's clients as their behaviour (by number, or SIP address for federated calls) says. */
  private ring(incoming: IncomingCall, call: EmulatedCall, key: string): void {
    const behaviour = this.behaviours.get(key) ?? DEFAULT_BEHAVIOUR;
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
