import { Counter, Gauge, type Registry } from 'prom-client';
import type { SipStack, SipStackCounters } from '../stack/sip.stack.js';
import type { RegistrationAgent } from './registration.agent.js';
import type { RegistrationCounters, RegistrationStateName } from './registration.types.js';

const STATES: RegistrationStateName[] = [
  'registered',
  'expiring',
  'unconfirmed',
  'pending',
  'failed',
  'disabled',
];

/** A prom-client counter that mirrors a monotonically increasing number read at scrape time. */
function mirrorCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      if (value > last) this.inc(value - last);
      last = value;
    },
  });
}

/**
 * Register the SIP metrics on a prom-client registry (values are read at scrape time, nothing runs between
 * scrapes): registrations per state, REGISTER attempts / successes / failures / unregisters / challenges, the
 * pacer's backlog, and the stack's message counters.
 *
 * @example
 * const registry = new Registry();
 * registerSipMetrics(registry, agent, stack);
 * reply.type(registry.contentType).send(await registry.metrics());
 */
export function registerSipMetrics(registry: Registry, agent: RegistrationAgent, stack: SipStack): void {
  new Gauge({
    name: 'callbridge_sip_registrations',
    help: 'Users by registration state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = agent.stateCounts();
      for (const state of STATES) this.set({ state }, counts[state]);
    },
  });
  new Gauge({
    name: 'callbridge_sip_register_backlog',
    help: 'REGISTER attempts waiting for the pacer (waiting) and running (in_flight).',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const { waiting, inFlight } = agent.backlog;
      this.set({ kind: 'waiting' }, waiting);
      this.set({ kind: 'in_flight' }, inFlight);
    },
  });
  const agentCounters: Record<keyof RegistrationCounters, string> = {
    attempts: 'REGISTER attempts started (each may include a challenge round).',
    successes: 'REGISTER attempts answered 2xx.',
    failures: 'REGISTER attempts that failed (error response, timeout, refused connection).',
    unregisters: 'Unregistrations (Expires: 0) completed.',
  };
  for (const [key, help] of Object.entries(agentCounters) as [keyof RegistrationCounters, string][]) {
    mirrorCounter(registry, `callbridge_sip_register_${key}_total`, help, () => agent.counters[key]);
  }
  mirrorCounter(
    registry,
    'callbridge_sip_auth_challenges_total',
    'Digest challenges answered.',
    () => agent.challengesAnswered,
  );
  const stackCounters: Record<keyof SipStackCounters, string> = {
    requestsSent: 'SIP requests sent (first transmissions).',
    retransmissions: 'SIP request retransmissions (Timer E).',
    responsesReceived: 'SIP responses received.',
    strayResponses: 'SIP responses matching no transaction (dropped).',
    timeouts: 'Client transactions that timed out (Timer F).',
    transportErrors: 'Sends that failed at the transport (refused, reset).',
    requestsReceived: 'SIP requests received from peers.',
    discarded: 'Received messages discarded as unparsable.',
  };
  for (const [key, help] of Object.entries(stackCounters) as [keyof SipStackCounters, string][]) {
    const name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    mirrorCounter(registry, `callbridge_sip_${name}_total`, help, () => stack.counters[key]);
  }
  registerConnectionMetrics(registry, stack);
  new Gauge({
    name: 'callbridge_sip_client_transactions',
    help: 'Client transactions in flight or absorbing retransmissions.',
    registers: [registry],
    collect() {
      this.set(stack.clientTransactionCount);
    },
  });
}

/** TCP/TLS connections: inbound held, refused over a cap, closed idle (issue 14); outgoing attempts, targets down. */
function registerConnectionMetrics(registry: Registry, stack: SipStack): void {
  const connections = stack.connections;
  new Gauge({
    name: 'callbridge_sip_tcp_inbound_connections',
    help: 'TCP/TLS connections peers opened to us, held now.',
    registers: [registry],
    collect() {
      this.set(connections.inboundConnectionCount);
    },
  });
  new Gauge({
    name: 'callbridge_sip_tcp_targets_down',
    help: 'PBX TCP/TLS targets that do not answer (one probe connection at a time, backing off).',
    registers: [registry],
    collect() {
      this.set(connections.targetsDown);
    },
  });
  mirrorCounter(
    registry,
    'callbridge_sip_tcp_inbound_refused_total',
    'Inbound TCP/TLS connections closed on arrival: per-address or global cap reached.',
    () => connections.streamStats.refused,
  );
  mirrorCounter(
    registry,
    'callbridge_sip_tcp_idle_closed_total',
    'Inbound TCP/TLS connections closed after the idle timeout.',
    () => connections.streamStats.idleClosed,
  );
  mirrorCounter(
    registry,
    'callbridge_sip_tcp_connect_attempts_total',
    'Outgoing TCP/TLS connection attempts (first tries and probes of targets that are down).',
    () => connections.streamStats.connectAttempts,
  );
}
