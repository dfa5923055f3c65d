import { SipResolver } from '../dns/sip.resolver.js';
import type { SipResponse } from '../message/sip-message.js';
import type { SipStack } from '../stack/sip.stack.js';
import type { LocalEndpoint } from '../transport/transport.types.js';
import { answerIncoming } from '../stack/incoming-request.handler.js';
import { RegisterExchange, type ExchangeOutcome } from './register.exchange.js';
import { RegisterPacer } from './register.pacer.js';
import { PbxProbe, pbxTargetKey, type PbxHealth } from './pbx.probe.js';
import { contactToken, Registration } from './registration.record.js';
import {
  backoffDelayMs,
  grantedExpires,
  isFinalFailure,
  minExpiresSeconds,
  refreshDelayMs,
  retryAfterSeconds,
  successState,
} from './registration.rules.js';
import { RegistrationBook } from './registration.book.js';
import type {
  RegistrationAgentOptions,
  RegistrationConfig,
  RegistrationCounters,
  RegistrationStateName,
  RegistrationStatePort,
  RegistrationStatus,
  RegistrationStopSummary,
  SipServiceConfig,
} from './registration.types.js';
import { TimerHeap } from './timer.heap.js';

/**
 * The registration agent (the `sip` role's half of issue 7): keeps every configured user registered to its PBX
 * "like a desk phone". `upsert` adds or changes a user (a change re-registers at once, an unchanged config is a
 * no-op), `remove` unregisters (Expires: 0) and forgets, `stop` ends everything. State changes go to the port.
 *
 * @example
 * const stack = await SipStack.start({ host: '0.0.0.0', advertisedHost: '192.0.2.10', udpPort: 5060 });
 * const agent = new RegistrationAgent(stack, { onState: (id, s) => queue.write(id, s) }, { ratePerSecond: 200 });
 * for (const user of users) agent.upsert(toRegistrationConfig(user));
 */
export class RegistrationAgent {
  readonly counters: RegistrationCounters = { attempts: 0, successes: 0, failures: 0, unregisters: 0 };
  private readonly book: RegistrationBook;
  private readonly heap: TimerHeap<Registration>;
  private readonly pacer: RegisterPacer<Registration>;
  private readonly exchange: RegisterExchange;
  private readonly removals = new Map<Registration, () => void>();
  private readonly probe: PbxProbe;
  /** PBX targets found unreachable: when one answers again, its users re-register at once. */
  private readonly downTargets = new Set<string>();
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxRetryAfterMs: number;
  private stopped = false;

  constructor(
    private readonly stack: SipStack,
    private readonly port: RegistrationStatePort,
    options: RegistrationAgentOptions = {},
    resolver: SipResolver = new SipResolver(),
  ) {
    const rate = options.ratePerSecond ?? 200;
    this.backoffBaseMs = options.backoffBaseMs ?? 2000;
    this.backoffMaxMs = options.backoffMaxMs ?? 300_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 3_600_000;
    this.book = new RegistrationBook((id, status) => this.port.onState(id, status));
    this.exchange = new RegisterExchange(stack, resolver);
    this.probe = new PbxProbe(stack, resolver, {
      intervalMs: options.probeIntervalMs ?? 30_000,
      onChange: (key, health) => this.pbxChanged(key, health),
      // Only with a listener: every answered REGISTER confirms its PBX, and a snapshot for nobody is waste.
      onChecked: port.onPbx && ((key, health) => this.port.onPbx?.(key, health)),
    });
    this.probe.start(() => this.book.servicesInUse());
    this.heap = new TimerHeap((due) => due.forEach((reg) => this.queue(reg)));
    this.pacer = new RegisterPacer(
      rate,
      options.burst ?? Math.max(1, rate / 10),
      options.maxInFlight ?? 500,
      (reg) => this.attempt(reg),
    );
    stack.setRequestHandler((request) =>
      answerIncoming(request, (user) => this.book.byToken(user) !== undefined),
    );
    stack.onFlowClosed = (flow) => this.flowClosed(flow);
    stack.onTargetUp = (flow) => this.targetUp(flow);
  }

  /** Add or change a user's registration. Unchanged configuration: nothing happens. */
  upsert(input: RegistrationConfig): void {
    if (this.stopped) return;
    const config = this.book.normalize(input);
    const existing = this.book.byId(config.id);
    if (existing && !existing.removing && this.book.sameConfig(existing.config, config)) return;
    if (existing && this.book.sameIdentity(existing.config, config))
      return this.reconfigure(existing, config);
    if (existing) void this.remove(config.id);
    const reg = new Registration(config, this.book.uniqueToken(config.id, contactToken));
    this.book.add(reg);
    if (config.enabled === false) return this.book.setState(reg, disabledStatus(config));
    this.book.setState(reg, { state: 'pending', detail: {} });
    this.queue(reg);
  }

  /** Unregister a user (Expires: 0 when it holds a binding) and forget it. Resolves when done. */
  remove(id: string): Promise<void> {
    const reg = this.book.byId(id);
    if (!reg) return Promise.resolve();
    this.book.delete(reg);
    this.heap.cancel(reg);
    if (reg.expiresAt <= Date.now() && !reg.busy) return Promise.resolve();
    reg.removing = true;
    reg.generation++;
    return new Promise((resolve) => {
      this.removals.set(reg, resolve);
      this.queue(reg);
    });
  }

  /**
   * Remove the binding another node holds for a user at the PBX (its Contact at `contactAt`: same user part,
   * that node's address), e.g. a dead node whose users this node took over. A REGISTER with Expires: 0 for that
   * Contact only, on a Call-ID of its own, paced like every REGISTER; our own binding is untouched. Resolves true
   * when answered or given up, false when the user is not held here (nothing sent).
   */
  unbindContact(id: string, contactAt: LocalEndpoint): Promise<boolean> {
    const current = this.book.byId(id);
    if (!current || this.stopped) return Promise.resolve(false);
    const reg = new Registration(current.config, current.token);
    reg.contactAt = contactAt;
    reg.removing = true;
    return new Promise((resolve) => {
      this.removals.set(reg, () => resolve(true));
      this.queue(reg);
    });
  }

  /**
   * Try a failed registration again now (e.g. an administrator's "retry" after fixing the PBX side, which a
   * final failure otherwise waits for). False when the user is unknown or not failed.
   */
  retry(id: string): boolean {
    const reg = this.book.byId(id);
    if (!reg || reg.state !== 'failed' || this.stopped) return false;
    reg.failures = 0;
    this.heap.cancel(reg);
    this.book.setState(reg, { state: 'pending', detail: {} });
    this.queue(reg);
    return true;
  }

  /** Current status of a user, undefined when unknown. */
  status(id: string): RegistrationStatus | undefined {
    const reg = this.book.byId(id);
    return reg ? this.book.statusOf(reg) : undefined;
  }

  /** Registrations per state, for metrics. */
  stateCounts(): Readonly<Record<RegistrationStateName, number>> {
    return this.book.counts;
  }

  /** The user id a Request-URI user part (our Contact token) belongs to, for routing incoming calls later. */
  userForContact(contactUser: string): string | undefined {
    return this.book.byToken(contactUser)?.config.id;
  }

  /** User ids held. */
  ids(): string[] {
    return this.book.userIds();
  }

  /** Registrations held. */
  get size(): number {
    return this.book.size;
  }

  /** Whether the PBX a service registers to answers, and since when (undefined before the first verdict). */
  pbxHealth(service: SipServiceConfig): PbxHealth | undefined {
    return this.probe.health(pbxTargetKey(service));
  }

  /** OPTIONS probes sent so far. */
  get probesSent(): number {
    return this.probe.sent;
  }

  /** Attempts queued by the pacer and running. */
  get backlog(): { waiting: number; inFlight: number } {
    return { waiting: this.pacer.waiting, inFlight: this.pacer.inFlight };
  }

  /** Challenges answered so far. */
  get challengesAnswered(): number {
    return this.exchange.challenges;
  }

  /**
   * Stop: no more attempts. With `unregister`, every user holding a binding is unregistered first (Expires: 0,
   * paced like every REGISTER), waiting `timeoutMs` at most. Says which users were held and which of them still
   * had an unregistration under way when the wait ran out (their bindings stay at the PBX until they expire).
   */
  async stop(options: { unregister?: boolean; timeoutMs?: number } = {}): Promise<RegistrationStopSummary> {
    const held = this.book.userIds();
    const done = new Set<string>();
    if (options.unregister) {
      const now = Date.now();
      const bound = held.filter((id) => {
        const reg = this.book.byId(id)!;
        if (reg.expiresAt > now) return true;
        this.drop(reg);
        done.add(id);
        return false;
      });
      const all = Promise.all(bound.map((id) => this.remove(id).then(() => done.add(id))));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((r) => (timer = setTimeout(r, options.timeoutMs ?? 10_000)));
      await Promise.race([all, timeout]);
      clearTimeout(timer);
    }
    const unfinished = options.unregister ? held.filter((id) => !done.has(id)) : [];
    this.stopped = true;
    this.probe.stop();
    this.heap.clear();
    this.pacer.stop();
    for (const resolve of this.removals.values()) resolve();
    this.removals.clear();
    return { held, unfinished };
  }

  /**
   * Forget a registration that holds no binding, without waiting for an attempt in flight (a dead PBX would keep
   * a stop waiting for Timer F): should that attempt still bind, it is unregistered at once (see `attempt`).
   */
  private drop(reg: Registration): void {
    this.book.delete(reg);
    this.heap.cancel(reg);
    if (!reg.busy) return;
    reg.removing = true;
    reg.generation++;
  }

  private reconfigure(reg: Registration, config: RegistrationConfig): void {
    reg.config = config;
    reg.generation++;
    reg.failures = 0;
    reg.minExpires = 0;
    reg.challenge = undefined;
    reg.nonce = undefined;
    reg.ha1 = undefined;
    reg.ha1Shape = undefined;
    this.heap.cancel(reg);
    if (config.enabled === false && reg.expiresAt <= Date.now() && !reg.busy) {
      this.book.setState(reg, disabledStatus(config));
      return;
    }
    if (config.enabled !== false) this.book.setState(reg, { state: 'pending', detail: {} });
    this.queue(reg);
  }

  private queue(reg: Registration): void {
    if (this.stopped || reg.queued || reg.busy) return;
    reg.queued = true;
    this.pacer.enqueue(reg);
  }

  private async attempt(reg: Registration): Promise<void> {
    reg.queued = false;
    if (!reg.removing && this.book.byId(reg.config.id) !== reg) return;
    reg.busy = true;
    const generation = reg.generation;
    const unregister = reg.removing || reg.config.enabled === false;
    const expires = unregister ? 0 : Math.max(reg.config.service.expirySeconds, reg.minExpires);
    this.counters.attempts++;
    // The refresh only starts after the binding ran out: the node is behind (pacing backlog, overload).
    if (!unregister && reg.state === 'registered' && reg.expiresAt > 0 && Date.now() > reg.expiresAt) {
      this.book.setState(reg, this.book.boundStatus(reg, 'expiring'));
    }
    let outcome: ExchangeOutcome;
    try {
      outcome = await this.exchange.run(reg, expires);
    } catch {
      outcome = { kind: 'unreachable', status: 503, reason: 'The SIP stack stopped' };
    } finally {
      reg.busy = false;
    }
    if (this.stopped) return;
    if (outcome.kind === 'response') this.probe.confirm(reg.config.service);
    else if (!unregister) this.probe.suspect(reg.config.service);
    if (generation !== reg.generation) {
      // Removed meanwhile and this attempt bound nothing: there is no binding to take back, so no Expires: 0.
      const bound = outcome.kind === 'response' && outcome.response.status < 300 && !unregister;
      if (reg.removing && !bound && reg.expiresAt <= Date.now()) return this.finishUnregister(reg, false);
      return this.queue(reg); // changed meanwhile: start over
    }
    if (unregister) return this.finishUnregister(reg);
    if (outcome.kind === 'response' && outcome.response.status < 300) {
      const granted = grantedExpires(outcome.response, reg.token, expires);
      // A 2xx that grants no time holds no binding: refreshing at once would loop, so back off like a failure.
      if (granted > 0) return this.succeeded(reg, granted);
      outcome = {
        kind: 'unreachable',
        status: 500,
        reason: 'The PBX accepted the REGISTER but granted no expiry',
      };
    }
    if (
      outcome.kind === 'response' &&
      outcome.response.status === 423 &&
      this.raiseExpiry(reg, outcome.response)
    ) {
      return this.queue(reg);
    }
    this.failed(reg, outcome);
  }

  private succeeded(reg: Registration, granted: number): void {
    const now = Date.now();
    const state = successState(reg.expiresAt, reg.failures > 0, now);
    this.counters.successes++;
    reg.failures = 0;
    reg.expiresAt = now + granted * 1000;
    reg.lastSuccessAt = now;
    this.book.setState(reg, this.book.boundStatus(reg, state));
    this.heap.schedule(reg, now + refreshDelayMs(granted, Math.random()));
  }

  private raiseExpiry(reg: Registration, response: SipResponse): boolean {
    const min = minExpiresSeconds(response);
    if (min === undefined || min <= Math.max(reg.minExpires, reg.config.service.expirySeconds)) return false;
    reg.minExpires = min;
    return true;
  }

  private failed(reg: Registration, outcome: ExchangeOutcome): void {
    const now = Date.now();
    const status = outcome.kind === 'response' ? outcome.response.status : outcome.status;
    const reason = outcome.kind === 'response' ? outcome.response.reason : outcome.reason;
    this.counters.failures++;
    reg.failures++;
    if (outcome.kind === 'response' && isFinalFailure(status)) {
      reg.expiresAt = 0;
      this.book.setState(reg, {
        state: 'failed',
        detail: { statusCode: status, reason, final: true, ...this.book.lastSuccess(reg) },
      });
      return;
    }
    let delay = backoffDelayMs(reg.failures, this.backoffBaseMs, this.backoffMaxMs, Math.random());
    const retryAfter = outcome.kind === 'response' ? retryAfterSeconds(outcome.response) : undefined;
    if (retryAfter !== undefined) delay = Math.min(this.maxRetryAfterMs, Math.max(delay, retryAfter * 1000));
    this.heap.schedule(reg, now + delay);
    // While the PBX still holds our binding the user stays registered (unconfirmed when the PBX stopped
    // answering); retries run in the background.
    if (reg.expiresAt > now) {
      if (!this.probe.isReachable(reg.config.service)) this.unconfirm(reg);
      return;
    }
    const retryAt = new Date(now + delay).toISOString();
    this.book.setState(reg, {
      state: 'failed',
      detail: { statusCode: status, reason, final: false, retryAt, ...this.book.lastSuccess(reg) },
    });
  }

  /** An unregistration is done (`sent`: an Expires: 0 went out; false: there was no binding to take back). */
  private finishUnregister(reg: Registration, sent = true): void {
    if (sent) this.counters.unregisters++;
    reg.expiresAt = 0;
    const resolve = this.removals.get(reg);
    if (resolve) {
      this.removals.delete(reg);
      resolve();
      return;
    }
    this.book.setState(reg, disabledStatus(reg.config));
  }

  /**
   * A PBX target stopped answering: its users holding a binding show `unconfirmed` (the PBX may have lost it:
   * many keep registrations in memory). It answers again: every user of it not waiting for an administrator
   * re-registers now, through the pacer, rather than at its next refresh.
   */
  private pbxChanged(key: string, health: PbxHealth): void {
    if (this.stopped) return;
    if (health.reachable === false) {
      this.downTargets.add(key);
      this.book.forEach((reg) => {
        if (pbxTargetKey(reg.config.service) === key) this.unconfirm(reg);
      });
      return;
    }
    if (!this.downTargets.delete(key)) return;
    this.book.forEach((reg) => {
      if (reg.busy || reg.queued || reg.config.enabled === false) return;
      if (pbxTargetKey(reg.config.service) !== key) return;
      if (reg.state === 'failed' && this.book.statusOf(reg).detail.final === true) return;
      this.heap.cancel(reg);
      this.queue(reg);
    });
  }

  /** Registered or expiring becomes unconfirmed: the PBX is silent and may have lost the binding. */
  private unconfirm(reg: Registration): void {
    if (reg.state !== 'registered' && reg.state !== 'expiring') return;
    this.book.setState(
      reg,
      this.book.unconfirmedStatus(reg, this.probe.health(pbxTargetKey(reg.config.service))),
    );
  }

  /**
   * A TCP/TLS target that did not answer connects again: its users waiting in backoff (not final failures)
   * register now, through the pacer, instead of each waiting out its own backoff.
   */
  private targetUp(flow: string): void {
    if (this.stopped) return;
    this.book.forEach((reg) => {
      if (reg.busy || reg.queued || reg.config.enabled === false || reg.failures === 0) return;
      if (this.exchange.flowOf(reg.config.service) !== flow) return;
      if (reg.state === 'failed' && this.book.statusOf(reg).detail.final === true) return;
      this.heap.cancel(reg);
      this.queue(reg);
    });
  }

  /** A TCP/TLS connection to a PBX closed: its registrations re-register over a new one, spread over 2 s. */
  private flowClosed(flow: string): void {
    if (this.stopped) return;
    const now = Date.now();
    this.book.forEach((reg) => {
      if (
        reg.expiresAt > now &&
        !reg.busy &&
        !reg.queued &&
        this.exchange.flowOf(reg.config.service) === flow
      ) {
        this.heap.schedule(reg, now + Math.random() * 2000);
      }
    });
  }
}

/** The disabled state, with why when the caller said (no licence, registration turned off). */
function disabledStatus(config: RegistrationConfig): RegistrationStatus {
  return { state: 'disabled', detail: config.disabledReason ? { reason: config.disabledReason } : {} };
}
