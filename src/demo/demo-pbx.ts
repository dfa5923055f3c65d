import { CallEndpoint } from '../sip/dialog/call.endpoint.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import { createResponse } from '../sip/message/response.factory.js';
import { parseSipUri } from '../sip/message/sip-uri.js';
import { SipStack } from '../sip/stack/sip.stack.js';
import type { TransportProtocol } from '../sip/transport/transport.types.js';
import { DEMO_EXTENSIONS, echoMedia, toneMedia, type DemoMedia } from './demo-extensions.js';
import { DemoRegistrar, type DemoBinding } from './demo-registrar.js';

/** Where the demo PBX listens and who may register. */
export interface DemoPbxOptions {
  /** Loopback by default: the demo PBX serves only the Callbridge beside it. */
  host?: string;
  port?: number;
  /** The password of a SIP username, or undefined when the PBX has no such extension. */
  passwordOf: (username: string) => string | undefined;
  /** An answered demo call is ended after this long (default 10 minutes). */
  maxCallMs?: number;
}

/**
 * A small PBX for the demo (`npm start`), on our own SIP stack: a digest registrar (the demo service's users
 * register here, so their registrations turn green) and two answering extensions, 2000 (a tone) and 2001 (an
 * echo), which a Teams user of the emulator can call through Callbridge. Demo and test code only, like the
 * emulator: the product never imports it. It does not route calls between extensions or to registered users.
 *
 * @example const pbx = await DemoPbx.start({ passwordOf: (u) => book.get(u) }); service.proxyPort = pbx.port;
 */
export class DemoPbx {
  readonly registrar: DemoRegistrar;
  readonly counters = { answered: 0, refused: 0 };
  private readonly calls = new Map<string, { media: DemoMedia; timer: NodeJS.Timeout }>();

  private constructor(
    private readonly stack: SipStack,
    readonly endpoint: CallEndpoint,
    registrar: DemoRegistrar,
    private readonly options: DemoPbxOptions,
  ) {
    this.registrar = registrar;
  }

  static async start(options: DemoPbxOptions): Promise<DemoPbx> {
    const host = options.host ?? '127.0.0.1';
    const stack = await SipStack.start({
      host,
      udpPort: options.port ?? 0,
      tcpPort: options.port ?? 0,
      userAgent: 'Callbridge demo PBX',
    });
    const registrar = new DemoRegistrar(options.passwordOf);
    const box: { pbx?: DemoPbx } = {};
    const transport = stack.attachCalls((inbound) => box.pbx?.endpoint.receive(inbound));
    const endpoint = new CallEndpoint({
      transport,
      userAgent: 'Callbridge demo PBX',
      contact: (protocol: TransportProtocol, request) => {
        const local = transport.local(protocol);
        const user = userOf(request?.uri) ?? 'pbx';
        return `sip:${user}@${local.host}:${local.port}${protocol === 'udp' ? '' : `;transport=${protocol}`}`;
      },
      onInvite: (call) => void box.pbx?.answer(call),
      onRequest: (request) =>
        request.method === 'REGISTER'
          ? registrar.handle(request)
          : request.method === 'OPTIONS'
            ? createResponse(request, 200, { Allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER' })
            : undefined,
      onDialogEnded: (dialog) => box.pbx?.ended(dialog.id),
    });
    box.pbx = new DemoPbx(stack, endpoint, registrar, options);
    return box.pbx;
  }

  /** The UDP (and TCP) port the PBX listens on. */
  get port(): number {
    return this.stack.local('udp').port;
  }

  get host(): string {
    return this.stack.local('udp').host;
  }

  /** The answering extensions in words, for the welcome text. */
  extensionsText(): string {
    const { tone, echo } = DEMO_EXTENSIONS;
    return `extensions ${tone.number} (${tone.label}) and ${echo.number} (${echo.label})`;
  }

  /** Extensions registered now. */
  registrations(): DemoBinding[] {
    return this.registrar.list();
  }

  /** Calls answered and still up. */
  get activeCalls(): number {
    return this.calls.size;
  }

  async stop(): Promise<void> {
    for (const id of [...this.calls.keys()]) this.ended(id);
    this.endpoint.stop();
    await this.stack.stop();
  }

  /** A call to 2000 or 2001 is answered with a tone or an echo; any other number is 404. */
  private async answer(call: IncomingCall): Promise<void> {
    const dialled = userOf(call.request.uri);
    const kind =
      dialled === DEMO_EXTENSIONS.tone.number
        ? toneMedia
        : dialled === DEMO_EXTENSIONS.echo.number
          ? echoMedia
          : undefined;
    if (!kind) {
      this.counters.refused++;
      return call.reject(404, {
        Reason: 'SIP;cause=404;text="The demo PBX answers 2000 (tone) and 2001 (echo)"',
      });
    }
    if (call.request.body.length === 0) {
      this.counters.refused++;
      return call.reject(488, { Reason: 'SIP;cause=488;text="The demo PBX needs an SDP offer"' });
    }
    let media: DemoMedia;
    try {
      media = await kind(call.request.body.toString(), this.host);
    } catch {
      this.counters.refused++;
      return call.reject(488);
    }
    call.ring(180);
    const dialog = await call.accept({ body: Buffer.from(media.answer) }).catch(() => undefined);
    if (!dialog) return media.close();
    this.counters.answered++;
    const timer = setTimeout(() => {
      void this.endpoint.dialogs.bye(dialog).catch(() => undefined);
    }, this.options.maxCallMs ?? 600_000);
    this.calls.set(dialog.id, { media, timer });
  }

  private ended(id: string): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    clearTimeout(call.timer);
    call.media.close();
  }
}

function userOf(uri: string | undefined): string | undefined {
  try {
    return uri === undefined ? undefined : parseSipUri(uri).user;
  } catch {
    return undefined;
  }
}
