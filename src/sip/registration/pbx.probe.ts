import { SipHeaders } from '../message/sip-headers.js';
import { randomToken, type SipRequest } from '../message/sip-message.js';
import { SipResolver } from '../dns/sip.resolver.js';
import { isSipError } from '../sip.error.js';
import type { SipStack } from '../stack/sip.stack.js';
import type { SipServiceConfig } from './registration.types.js';

/** What the agent and the sip role know about one PBX target: does it answer, and since when. */
export interface PbxHealth {
  /** undefined until the first probe or REGISTER answered or failed. */
  reachable: boolean | undefined;
  /** Last time the PBX answered anything (OPTIONS or REGISTER), ms since epoch; 0 when never. */
  lastConfirmedAt: number;
  /** Last probe that ended (answered or not), ms since epoch; 0 when none yet. */
  lastCheckedAt: number;
  /** Why it counts as unreachable (the transaction's error), when it does. */
  reason?: string;
}

interface ProbeTarget extends PbxHealth {
  service: SipServiceConfig;
  key: string;
  inFlight: boolean;
  /** It answered an OPTIONS since we started: its silence to OPTIONS means something. */
  answersOptions: boolean;
}

/** Tuning of the probe. */
export interface PbxProbeOptions {
  /** Interval of the OPTIONS keep-alive per target (ms). */
  intervalMs: number;
  /** Told when a target turns reachable or unreachable (also on its first verdict). */
  onChange: (key: string, health: PbxHealth) => void;
  /** Told after every probe or confirmation (for persisting "last confirmed"). */
  onChecked?: (key: string, health: PbxHealth) => void;
}

/**
 * The key of the PBX target a service registers to: transport, proxy (or domain) and port. Services with the
 * same key share one probe.
 *
 * @example pbxTargetKey({ sipDomain: 'pbx.example.com', transport: 'udp', expirySeconds: 3600 }) // 'udp:pbx.example.com:'
 */
export function pbxTargetKey(service: SipServiceConfig): string {
  return `${service.transport}:${service.proxyHost ?? service.sipDomain}:${service.proxyPort ?? ''}`;
}

/**
 * OPTIONS keep-alive to every distinct PBX target the registrations use (SIP.md "A registration that tells the
 * truth"). Any final answer (even 404 or 405: many PBXs refuse OPTIONS to the domain) proves the PBX is up; no
 * answer from every DNS target (Timer F on UDP, a refused connection on TCP/TLS) counts it unreachable. A REGISTER
 * answered or lost tells the same, so the agent reports those too (`confirm`, `suspect`). Some PBXs (or their
 * firewalls) drop OPTIONS from registering clients: until a target has answered an OPTIONS, only a probe after a
 * lost REGISTER can find it unreachable, or such a PBX would flip between unreachable and reachable (and
 * re-register everyone) at every interval.
 *
 * @example
 * const probe = new PbxProbe(stack, resolver, { intervalMs: 30_000, onChange: (key, h) => agent.pbxChanged(key, h) });
 * probe.start(() => services);
 */
export class PbxProbe {
  private readonly targets = new Map<string, ProbeTarget>();
  /**
   * The target of a service object (services are interned by the agent's book): every answered REGISTER confirms
   * its target, and this spares building the key string for each.
   */
  private readonly byService = new WeakMap<SipServiceConfig, ProbeTarget>();
  private timer: NodeJS.Timeout | undefined;
  private servicesInUse: () => Iterable<SipServiceConfig> = () => [];
  /** OPTIONS sent, for tests and metrics. */
  sent = 0;

  constructor(
    private readonly stack: SipStack,
    private readonly resolver: SipResolver,
    private readonly options: PbxProbeOptions,
  ) {}

  /** Probe the targets of `servicesInUse()` every interval (targets no longer in use are forgotten). */
  start(servicesInUse: () => Iterable<SipServiceConfig>): void {
    this.servicesInUse = servicesInUse;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Health of a target key, undefined when not probed. */
  health(key: string): PbxHealth | undefined {
    const target = this.targets.get(key);
    return target && { ...snapshot(target) };
  }

  /** The PBX behind `service` answered (a REGISTER got a response). */
  confirm(service: SipServiceConfig): void {
    this.answered(this.targetOf(service));
  }

  /** A REGISTER to `service` got no answer: probe now rather than at the next interval. */
  suspect(service: SipServiceConfig): void {
    const target = this.targetOf(service);
    if (target.reachable !== false) void this.probe(target, true);
  }

  /** True unless the target was found unreachable. */
  isReachable(service: SipServiceConfig): boolean {
    return this.targets.get(pbxTargetKey(service))?.reachable !== false;
  }

  private tick(): void {
    const inUse = new Map<string, SipServiceConfig>();
    for (const service of this.servicesInUse()) inUse.set(pbxTargetKey(service), service);
    for (const key of this.targets.keys()) if (!inUse.has(key)) this.targets.delete(key);
    for (const service of inUse.values()) void this.probe(this.targetOf(service));
  }

  private targetOf(service: SipServiceConfig): ProbeTarget {
    const known = this.byService.get(service);
    if (known && this.targets.get(known.key) === known) return known;
    const key = pbxTargetKey(service);
    let target = this.targets.get(key);
    if (!target) {
      target = {
        service,
        key,
        reachable: undefined,
        lastConfirmedAt: 0,
        lastCheckedAt: 0,
        inFlight: false,
        answersOptions: false,
      };
      this.targets.set(key, target);
    }
    this.byService.set(service, target);
    return target;
  }

  /** `afterLostRegister`: a REGISTER to it went unanswered, so silence counts even from an OPTIONS-deaf PBX. */
  private async probe(target: ProbeTarget, afterLostRegister = false): Promise<void> {
    if (target.inFlight) return;
    target.inFlight = true;
    try {
      const error = await this.ask(target.service);
      if (error === undefined) {
        target.answersOptions = true;
        this.answered(target);
      } else if (target.answersOptions || afterLostRegister) this.unanswered(target, error);
      else target.lastCheckedAt = Date.now();
    } finally {
      target.inFlight = false;
    }
  }

  /** Send OPTIONS to each DNS target in turn; undefined when one answered, else why none did. */
  private async ask(service: SipServiceConfig): Promise<string | undefined> {
    const location = {
      host: service.proxyHost ?? service.sipDomain,
      port: service.proxyPort,
      protocol: service.transport,
    };
    let why = 'No SIP server to try';
    try {
      for (const target of await this.resolver.resolve(location)) {
        try {
          this.sent++;
          await this.stack.request(this.optionsFor(service, target.protocol), target);
          return undefined;
        } catch (error) {
          if (!isSipError(error) || error.code === 'sip_stack_stopped') return 'The SIP stack stopped';
          why = `${error.message} (${target.address}:${target.port})`;
        }
      }
    } catch (error) {
      why = isSipError(error) ? error.message : 'DNS lookup failed';
    }
    return why;
  }

  private optionsFor(service: SipServiceConfig, protocol: SipServiceConfig['transport']): SipRequest {
    const local = this.stack.local(protocol);
    const uri = `sip:${service.sipDomain}`;
    const headers = new SipHeaders()
      .append('From', `<sip:callbridge@${local.host}>;tag=${randomToken(10)}`)
      .append('To', `<${uri}>`)
      .append('Call-ID', randomToken(20))
      .append('CSeq', '1 OPTIONS')
      .append('Accept', 'application/sdp');
    return { kind: 'request', method: 'OPTIONS', uri, headers, body: Buffer.alloc(0) };
  }

  private answered(target: ProbeTarget): void {
    const now = Date.now();
    const was = target.reachable;
    target.reachable = true;
    target.lastConfirmedAt = now;
    target.lastCheckedAt = now;
    delete target.reason;
    if (was !== true) this.options.onChange(target.key, snapshot(target));
    this.options.onChecked?.(target.key, snapshot(target));
  }

  private unanswered(target: ProbeTarget, reason: string): void {
    const was = target.reachable;
    target.reachable = false;
    target.lastCheckedAt = Date.now();
    target.reason = reason;
    if (was !== false) this.options.onChange(target.key, snapshot(target));
    this.options.onChecked?.(target.key, snapshot(target));
  }
}

function snapshot(target: ProbeTarget): PbxHealth {
  return {
    reachable: target.reachable,
    lastConfirmedAt: target.lastConfirmedAt,
    lastCheckedAt: target.lastCheckedAt,
    ...(target.reason !== undefined && { reason: target.reason }),
  };
}
