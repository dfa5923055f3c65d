import { SipHeaders } from '../../sip/message/sip-headers.js';
import { randomToken, type SipRequest } from '../../sip/message/sip-message.js';
import { isSipError } from '../../sip/sip.error.js';
import type { SipStack } from '../../sip/stack/sip.stack.js';
import type { TrunkLine, TrunkTarget } from './trunk-line.js';

/**
 * OPTIONS pings to every address of every trunk (issue 19): any final answer (even 404 or 405, which carriers send
 * to OPTIONS they do not serve) proves the address up; no answer (Timer F on UDP, a refused connection) marks it
 * unhealthy, so calls try it last. One ping per address at a time; `changed` hears each change of health.
 *
 * @example const pinger = new TrunkOptionsPinger(stack, () => trunks.all(), (line) => writer.health(line));
 * pinger.start(30_000);
 */
export class TrunkOptionsPinger {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<TrunkTarget>();
  /** OPTIONS sent, for tests and metrics. */
  sent = 0;

  constructor(
    private readonly stack: SipStack,
    private readonly lines: () => readonly TrunkLine[],
    private readonly checked: (line: TrunkLine) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.pingAll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Ping every address of every trunk once (also the first round at start). */
  async pingAll(): Promise<void> {
    await Promise.all(
      this.lines().map(async (line) => {
        await Promise.all(line.addresses.map((address) => this.ping(line, address)));
        this.checked(line);
      }),
    );
  }

  private async ping(line: TrunkLine, address: TrunkTarget): Promise<void> {
    if (this.inFlight.has(address) || address.targets.length === 0) return;
    this.inFlight.add(address);
    let reason: string | null = 'No answer';
    try {
      for (const target of address.targets) {
        try {
          this.sent++;
          await this.stack.request(this.options(line, target.protocol), target);
          reason = null;
          break;
        } catch (error) {
          if (isSipError(error) && error.code === 'sip_stack_stopped') return;
          reason = `${error instanceof Error ? error.message : String(error)} (${target.address}:${target.port})`;
        }
      }
      address.healthy = reason === null;
      address.reason = reason;
      address.checkedAt = new Date().toISOString();
    } finally {
      this.inFlight.delete(address);
    }
  }

  private options(line: TrunkLine, protocol: 'udp' | 'tcp' | 'tls'): SipRequest {
    const local = this.stack.local(protocol);
    const uri = `sip:${line.settings.domain}`;
    const headers = new SipHeaders()
      .append('From', `<sip:callbridge@${local.host}>;tag=${randomToken(10)}`)
      .append('To', `<${uri}>`)
      .append('Call-ID', randomToken(20))
      .append('CSeq', '1 OPTIONS')
      .append('Accept', 'application/sdp');
    return { kind: 'request', method: 'OPTIONS', uri, headers, body: Buffer.alloc(0) };
  }
}
