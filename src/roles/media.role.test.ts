import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPort, RtpengineDaemon, rtpengineInstalled } from '../../test/support/rtpengine-daemon.js';
import { until } from '../../test/support/until.js';
import { loadConfig } from '../config/config.js';
import { RtpPeer } from '../media/peer/rtp-peer.js';
import type { RtpengineRelay } from '../media/rtpengine-relay.js';
import { Registry } from 'prom-client';
import { registerMediaMetrics } from '../media/media.metrics.js';
import { startMediaRole, type MediaRole } from './media.role.js';

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(String((JSON.parse(chunk.toString()) as { msg: string }).msg));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sets up a relayed PBX <-> Teams call with two peers sending tone. */
async function relayedCall(relay: RtpengineRelay, callId: string) {
  const pbx = await RtpPeer.open({ toneHz: 400 });
  const teams = await RtpPeer.open({ srtp: true, toneHz: 1000 });
  teams.setRemote(await relay.offer({ callId, fromTag: 'pbx', sdp: pbx.sdp(), toward: 'teams' }));
  pbx.setRemote(
    await relay.answer({ callId, fromTag: 'pbx', toTag: 'teams', sdp: teams.sdp(), toward: 'pbx' }),
  );
  pbx.start();
  teams.start();
  await until(() => pbx.counts.received > 10 && teams.counts.received > 10, 3000, 'media both ways');
  return { pbx, teams, close: () => [pbx, teams].forEach((peer) => peer.close()) };
}

describe('media role without rtpengine', () => {
  it('refuses calls with a reason that says what to install or set, and logs it at start', async () => {
    const { logger, lines } = capturingLogger();
    const role = await startMediaRole(
      loadConfig({ env: { CALLBRIDGE_RTPENGINE_BINARY: '/nonexistent/rtpengine' } }),
      logger,
    );
    const status = role.relay.status();
    expect(status).toMatchObject({
      state: 'unavailable',
      reason: expect.stringContaining('rtpengine is not installed'),
    });
    expect(status.state === 'unavailable' && status.reason).toMatch(/CALLBRIDGE_RTPENGINE=udp:host:port/);
    const metrics = new Registry();
    registerMediaMetrics(metrics, role);
    expect(await metrics.getSingleMetricAsString('callbridge_rtpengine_up')).toMatch(
      /^callbridge_rtpengine_up 0$/m,
    );
    expect(
      lines.some((line) =>
        line.startsWith('media relay unavailable, calls are refused: rtpengine is not installed'),
      ),
    ).toBe(true);
    await role.stop();
  });

  it('refuses a port range that is upside down', async () => {
    const { logger } = capturingLogger();
    const config = loadConfig({
      env: { CALLBRIDGE_RTPENGINE_PORT_MIN: '40000', CALLBRIDGE_RTPENGINE_PORT_MAX: '30000' },
    });
    await expect(startMediaRole(config, logger)).rejects.toThrow(/PORT_MIN \(40000\) must be below/);
  });
});

describe.skipIf(!rtpengineInstalled())('managed rtpengine', () => {
  let role: MediaRole;
  const log = capturingLogger();

  beforeAll(async () => {
    const portMin = 20000 + 2 * Math.floor(Math.random() * 19000);
    role = await startMediaRole(
      loadConfig({
        env: {
          CALLBRIDGE_RTPENGINE_PORT_MIN: String(portMin),
          CALLBRIDGE_RTPENGINE_PORT_MAX: String(portMin + 99),
        },
      }),
      log.logger,
    );
  });
  afterAll(async () => {
    await role?.stop();
  });

  it('runs rtpengine as a child and is available', () => {
    expect(role.managed?.pid).toBeGreaterThan(0);
    expect(role.relay.status()).toMatchObject({
      state: 'available',
      relay: expect.stringMatching(/^rtpengine udp:127\.0\.0\.1:\d+$/),
    });
  });

  it('restarts a child that dies; the calls it relayed are lost, new ones work', async () => {
    const metrics = new Registry();
    registerMediaMetrics(metrics, role);
    const gauge = async (name: string) => metrics.getSingleMetricAsString(name);
    expect(await gauge('callbridge_rtpengine_up')).toMatch(/^callbridge_rtpengine_up 1$/m);
    expect(await gauge('callbridge_rtpengine_restarts')).toMatch(/^callbridge_rtpengine_restarts 0$/m);
    const call = await relayedCall(role.relay, 'before-crash');
    const pid = role.managed?.pid ?? 0;
    process.kill(pid, 'SIGKILL');
    await until(() => role.managed?.restarts === 1, 4000, 'restarted');
    await until(() => role.relay.status().state === 'available', 8000, 'available after the restart');
    expect(role.managed?.pid).not.toBe(pid);
    expect(await gauge('callbridge_rtpengine_restarts')).toMatch(/^callbridge_rtpengine_restarts 1$/m);
    expect(await gauge('callbridge_rtpengine_up')).toMatch(/^callbridge_rtpengine_up 1$/m);
    expect(log.lines.some((line) => /^rtpengine exited \(SIGKILL\); restarting in \d+ ms$/.test(line))).toBe(
      true,
    );
    // What userspace rtpengine really does: the new process knows nothing of the old calls, their ports are closed.
    expect(await role.relay.query('before-crash')).toBeUndefined();
    const received = call.pbx.counts.received + call.teams.counts.received;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(call.pbx.counts.received + call.teams.counts.received).toBe(received);
    call.close();
    const after = await relayedCall(role.relay, 'after-crash');
    after.close();
    await role.relay.delete('after-crash');
  });

  it('stops the child on shutdown and does not restart it', async () => {
    const pid = role.managed?.pid ?? 0;
    await role.stop();
    expect(alive(pid)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(role.managed?.pid).toBeUndefined();
  });
});

describe.skipIf(!rtpengineInstalled())('managed rtpengine when serve is killed', () => {
  it('goes with it (no orphan holding the ports)', async () => {
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/managed-rtpengine.process.ts', String(await freeUdpPort()), '21000'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve) =>
      holder.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    await until(() => alive(pid), 2000, 'rtpengine running');
    holder.kill('SIGKILL');
    await until(() => !alive(pid), 3000, 'rtpengine ended with its parent');
  });
});

describe.skipIf(!rtpengineInstalled())('external rtpengine whose control path is lost mid-call', () => {
  let daemon: RtpengineDaemon;
  let front: Socket;
  let back: Socket;
  let cut = false;

  beforeAll(async () => {
    daemon = await RtpengineDaemon.start();
    // A control-path relay the test can cut, as a firewall or a network fault between Callbridge and rtpengine would.
    front = createSocket('udp4');
    back = createSocket('udp4');
    await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => back.bind(0, '127.0.0.1', resolve));
    let client: { address: string; port: number } | undefined;
    front.on('message', (message, from) => {
      client = from;
      if (!cut) back.send(message, daemon.target.port, daemon.target.host);
    });
    back.on('message', (message) => client && !cut && front.send(message, client.port, client.address));
  });
  afterAll(async () => {
    front?.close();
    back?.close();
    await daemon?.stop();
  });

  it('keeps media of calls already relayed, turns unavailable and refuses new offers typed', async () => {
    const { logger, lines } = capturingLogger();
    const role = await startMediaRole(
      loadConfig({ env: { CALLBRIDGE_RTPENGINE: `udp:127.0.0.1:${front.address().port}` } }),
      logger,
    );
    try {
      expect(role.managed).toBeUndefined();
      expect(role.relay.status().state).toBe('available');
      const call = await relayedCall(role.relay, 'mid-call');
      cut = true;
      await until(() => role.relay.status().state === 'unavailable', 4000, 'unavailable');
      expect(lines.at(-1)).toMatch(
        /^media relay unavailable, calls are refused: rtpengine at udp:127\.0\.0\.1:\d+ did not answer "ping"/,
      );
      const before = { pbx: call.pbx.counts.received, teams: call.teams.counts.received };
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(call.pbx.counts.received - before.pbx).toBeGreaterThan(10);
      expect(call.teams.counts.received - before.teams).toBeGreaterThan(10);
      expect(call.teams.counts.authFailures).toBe(0);
      const sdp = call.pbx.sdp();
      call.close();
      await expect(
        role.relay.offer({ callId: 'new', fromTag: 'f', sdp, toward: 'teams' }),
      ).rejects.toMatchObject({ code: 'upstream_failed', reason: 'relay_unavailable' });
      cut = false;
      await until(() => role.relay.status().state === 'available', 4000, 'available again');
    } finally {
      await role.stop();
    }
  });
});
