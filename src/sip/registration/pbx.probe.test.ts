import { createSocket, type RemoteInfo } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { MiniRegistrar } from '../../../test/sip/support/mini-registrar.js';
import { until as waitUntil } from '../../../test/support/until.js';
import { SipStack } from '../stack/sip.stack.js';
import { pbxTargetKey, type PbxHealth } from './pbx.probe.js';
import { RegistrationAgent } from './registration.agent.js';
import type { RegistrationStatus, SipServiceConfig } from './registration.types.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

const until = (check: () => boolean, timeoutMs: number, what: string) =>
  waitUntil(check, timeoutMs, what, 10);

async function agentFor(probeIntervalMs: number) {
  // T1 50 ms: an OPTIONS or REGISTER nobody answers gives up after 64 x T1 = 3.2 s (Timer F).
  const stack = await SipStack.start({ host: '127.0.0.1', timers: { t1: 50, t2: 400, t4: 500 } });
  const states = new Map<string, RegistrationStatus>();
  const pbx = new Map<string, PbxHealth>();
  const agent = new RegistrationAgent(
    stack,
    { onState: (id, s) => states.set(id, s), onPbx: (key, health) => pbx.set(key, health) },
    { ratePerSecond: 200, probeIntervalMs, backoffBaseMs: 60_000, backoffMaxMs: 60_000 },
  );
  stops.push(async () => {
    await agent.stop();
    await stack.stop();
  });
  return { agent, states, pbx };
}

/** A UDP hop in front of a registrar that drops every OPTIONS, like a PBX firewall that only lets REGISTERs in. */
async function optionsDroppingHop(registrarPort: number): Promise<number> {
  const hop = createSocket('udp4');
  let client: RemoteInfo | undefined;
  hop.on('message', (data, from) => {
    if (from.port === registrarPort) {
      if (client) hop.send(data, client.port, client.address);
      return;
    }
    client = from;
    if (!data.subarray(0, 8).toString().startsWith('OPTIONS')) hop.send(data, registrarPort, '127.0.0.1');
  });
  await new Promise<void>((r) => hop.bind(0, '127.0.0.1', r));
  stops.push(() => new Promise((r) => hop.close(() => r())));
  return hop.address().port;
}

const user = (n: number, service: SipServiceConfig) => ({
  id: `user-${n}`,
  service,
  sipUsername: `10${n}`,
  authUsername: `10${n}`,
  password: 'secret',
});

describe('PBX probe (OPTIONS keep-alive)', () => {
  it('shows users unconfirmed while the PBX is silent and re-registers them all at once when it answers', async () => {
    let registrar = await MiniRegistrar.start({ quiet: true });
    const udpPort = registrar.port;
    const { agent, states, pbx } = await agentFor(200);
    const service: SipServiceConfig = {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: udpPort,
      transport: 'udp',
      expirySeconds: 3600, // the next refresh is ~40 minutes away: only the probe can bring them back soon
    };
    for (let n = 0; n < 20; n++) agent.upsert(user(n, service));
    await until(() => agent.stateCounts().registered === 20, 3000, 'all registered');
    await until(() => pbx.get(pbxTargetKey(service))?.reachable === true, 2000, 'PBX confirmed');
    // A second OPTIONS goes out only once the first was answered: the PBX is known to answer OPTIONS.
    await until(() => agent.probesSent >= 2, 2000, 'an OPTIONS answered');

    await registrar.stop(); // a PBX that keeps registrations in memory, gone
    await until(() => agent.stateCounts().unconfirmed === 20, 6000, 'all unconfirmed');
    const down = agent.pbxHealth(service)!;
    expect(down.reachable).toBe(false);
    expect(down.lastConfirmedAt).toBeGreaterThan(0);
    expect(states.get('user-3')).toMatchObject({
      state: 'unconfirmed',
      detail: { reason: expect.stringContaining('The PBX has not answered since') },
    });
    expect(states.get('user-3')!.detail.expiresAt).toBeDefined();

    registrar = await MiniRegistrar.startOn({ udpPort }, { quiet: true }); // back, with an empty table
    stops.push(() => registrar.stop());
    const took = await until(() => registrar.bindings.size === 20, 6000, 'all bound again');
    expect(took).toBeLessThan(6000); // far sooner than the hour's refresh
    await until(() => agent.stateCounts().registered === 20, 2000, 'all registered again');
    expect(pbx.get(pbxTargetKey(service))).toMatchObject({ reachable: true });
  });

  it('counts any answer as alive (a PBX that refuses OPTIONS with 405 is still there) and probes each target once', async () => {
    const registrar = await MiniRegistrar.start({ quiet: true });
    stops.push(() => registrar.stop());
    const { agent } = await agentFor(100);
    const service: SipServiceConfig = {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: registrar.port,
      transport: 'udp',
      expirySeconds: 3600,
    };
    for (let n = 0; n < 50; n++) agent.upsert(user(n, service));
    await until(() => agent.stateCounts().registered === 50, 3000, 'all registered');
    const before = agent.probesSent;
    await new Promise((r) => setTimeout(r, 550));
    const sent = agent.probesSent - before;
    expect(sent).toBeGreaterThanOrEqual(3); // one target, one OPTIONS per 100 ms tick, not one per user
    expect(sent).toBeLessThanOrEqual(7);
    expect(agent.pbxHealth(service)?.reachable).toBe(true);
    expect(agent.stateCounts().unconfirmed).toBe(0);
  });

  it('does not flap on a PBX that drops OPTIONS but answers REGISTERs: users stay registered, no re-registration storm', async () => {
    const registrar = await MiniRegistrar.start({ quiet: true });
    stops.push(() => registrar.stop());
    const { agent } = await agentFor(100);
    const service: SipServiceConfig = {
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: await optionsDroppingHop(registrar.port),
      transport: 'udp',
      expirySeconds: 3600,
    };
    for (let n = 0; n < 10; n++) agent.upsert(user(n, service));
    await until(() => agent.stateCounts().registered === 10, 3000, 'all registered');
    const registers = registrar.registers;
    await new Promise((r) => setTimeout(r, 4500)); // Timer F (3.2 s) of the first OPTIONS ran out
    expect(agent.probesSent).toBeGreaterThanOrEqual(2); // one ran out (one at a time per target), the next is out
    expect(agent.stateCounts().registered).toBe(10);
    expect(agent.stateCounts().unconfirmed).toBe(0);
    expect(registrar.registers).toBe(registers); // nobody re-registered
    expect(agent.pbxHealth(service)?.reachable).toBe(true); // REGISTER answers confirmed it
  });
});
