/**
 * Issue 17 "Measure", the calls: (1) calls per second through Callbridge (sipp's UAC as the PBX side ringing the
 * Contact registered for a user, the B2BUA, real userspace rtpengine, the Teams edge over mutual TLS, the Teams SIP
 * emulator answering) against Kamailio as a stateful proxy with its rtpengine module (sipp UAC -> Kamailio ->
 * sipp UAS) in the same run; (2) the delay Callbridge adds between the INVITE in from the PBX and the INVITE out to
 * Microsoft, p50/p95 at `--delay-cps`; (3) calls held, signalling only (a pass-through relay), heap per call.
 * The concurrent calls with media (200 through rtpengine) are bench/media-relay.bench.ts.
 *
 *   node --expose-gc --import tsx bench/calls.bench.ts [--cps 200] [--seconds 60] [--probe-cps 400]
 *     [--probe-seconds 15] [--delay-cps 100] [--delay-seconds 20] [--held 5000] [--hold-ms 500]
 *
 * The emulator (Microsoft's side) runs in this process, so Callbridge's rates and memory include both ends of the
 * Teams leg; Kamailio's run has sipp on both ends. Prints a summary and one JSON line: {"bench":"calls", ...}.
 *
 * Measured on the shared 2-core development machine (six engineers at once), at reduced sizes, 500 ms calls:
 *
 * | run (load, 1 min) | Callbridge sustained | Callbridge probe | Kamailio + rtpengine | delay p50 / p95 | held |
 * | --- | --- | --- | --- | --- | --- |
 * | 200/s 20 s, probe 400/s 10 s, delay 100/s 20 s (13-18) | 143/s, 984 of 4,000 failed | 157/s, 608 failed | 109/s (20 failed); probe 61/s (1,956 failed) | 73.5 / 902 ms (291 of 1,000 failed) | 2,000: 37.9 KB heap, 17.8 KB RSS per call |
 * | 100/s 20 s, probe 200/s 10 s, delay 100/s 10 s (8-10) | 96.7/s, 0 of 2,000 failed | 135/s, 486 failed | 15.7/s (1,206 failed); probe 0/s | 17.7 / 328 ms (6 of 1,000 failed) | 5,000: 35.2 KB heap, 16.0 KB RSS per call |
 * | own rtpengine for Kamailio from here; 100/s 10 s, probe 200/s 5 s, delay 100/s 5 s (6.5) | 95/s, 0 failed | 181/s, 0 failed | 86.7/s (0 failed); probe 153/s (0 failed) | 1.23 / 3.25 ms | 500: 32.4 KB heap |
 * | 200/s 30 s, probe 400/s 5 s, delay 100/s 10 s (3.5-8) | 196/s, 0 of 6,000 failed | 162/s, 379 of 2,000 failed | 190/s (0 failed); probe 85/s (2 failed) | 6.26 / 83.3 ms | 5,000: 33.0 KB heap, 4.6 KB RSS per call |
 *
 * The rates are successful calls over sipp's wall time (start-up and the last calls' 500 ms included), so a clean
 * 200/s run reads 196/s. 200 calls/s held for 30 s without a failure once the machine was quieter (load 3.5-8); the
 * 60 s run was not repeated at that load. The probe at 400/s is past what either setup carries here: Kamailio's
 * probe is limited by sipp and rtpengine sharing the two cores with it (85/s), so the "ratio" is no measure of
 * Kamailio's ceiling; at the same offered 200/s both carried it (196/s and 190/s). Not met: p95 <= 5 ms (met only
 * at load 6.5: 3.25 ms) and <= 10 KB per held call: about 33 KB of heap, which holds both ends of the Teams leg (the
 * emulator's dialogs and calls are in this process) and each call's ladder capture. The first two runs shared one
 * rtpengine between the Callbridge and Kamailio phases; sessions left by Callbridge's failed calls took Kamailio's
 * ports, which the third run onwards avoids.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import type { MediaRelay } from '../src/media/media-relay.js';
import { RtpengineRelay } from '../src/media/rtpengine-relay.js';
import type { SipMessage } from '../src/sip/message/sip-message.js';
import { contactToken } from '../src/sip/registration/registration.record.js';
import { ALICE, startCallHarness } from '../test/calls/support/b2bua-harness.js';
import { freePort } from '../test/sip/support/kamailio.js';
import { createTeamsPki } from '../test/sip/support/teams-pki.js';
import { RtpengineDaemon } from '../test/support/rtpengine-daemon.js';
import { startKamailioProxy, sippLoad, type SippLoad } from './calls/kamailio-rtpengine.js';
import { percentile } from './support/bench-timing.js';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const CPS = arg('cps', 200);
const SECONDS = arg('seconds', 60);
const PROBE_CPS = arg('probe-cps', 400);
const PROBE_SECONDS = arg('probe-seconds', 15);
const DELAY_CPS = arg('delay-cps', 100);
const DELAY_SECONDS = arg('delay-seconds', 20);
const HELD = arg('held', 5000);
const HOLD_MS = arg('hold-ms', 500);

const load = () =>
  execFileSync('uptime')
    .toString()
    .trim()
    .replace(/^.*load average:\s*/, '');
const dir = await mkdtemp(join(tmpdir(), 'callbridge-calls-bench-'));
const pki = await createTeamsPki();
const daemon = await RtpengineDaemon.start({ ports: 20_000 });
const relay = await RtpengineRelay.open({ target: daemon.target });

/** The B2BUA (with the given relay) and what sipp needs to ring the user's Contact. */
async function callbridge(media: MediaRelay) {
  const h = await startCallHarness(pki, { relay: media });
  for (const proxy of h.proxies) proxy.setBehaviour(ALICE.number, { devices: 1, earlyMedia: false });
  const port = h.b2bua.pbx.options.transport.local('udp').port;
  return { h, target: `127.0.0.1:${port}`, service: contactToken(h.userId) };
}

/** Stamps of the first INVITE seen per Call-ID on each side, to measure the delay Callbridge adds. */
function stampInvites(h: Awaited<ReturnType<typeof startCallHarness>>) {
  const pbxIn = new Map<string, number>();
  const teamsOut = new Map<string, number>();
  const wrap = (
    options: { capture?: (d: 'in' | 'out', m: SipMessage | Buffer) => void },
    direction: 'in' | 'out',
    into: Map<string, number>,
  ) => {
    const previous = options.capture;
    options.capture = (d, message) => {
      const now = performance.now();
      previous?.(d, message);
      if (d !== direction) return;
      if (Buffer.isBuffer(message)) {
        if (message.subarray(0, 7).toString() !== 'INVITE ') return;
        const callId = /\r\nCall-ID:\s*([^\r\n]+)/i.exec(message.subarray(0, 2000).toString())?.[1];
        if (callId && !into.has(callId)) into.set(callId, now);
      } else if (message.kind === 'request' && message.method === 'INVITE') {
        const callId = message.headers.get('Call-ID') ?? '';
        if (!into.has(callId)) into.set(callId, now);
      }
    };
  };
  wrap(h.b2bua.pbx.options, 'in', pbxIn);
  wrap(h.edge.endpoint.options, 'out', teamsOut);
  return () => {
    const delays: number[] = [];
    for (const record of h.recorder.records) {
      const pbx = record.legs.find((leg) => leg.side === 'pbx')?.sipCallId;
      const teams = record.legs.find((leg) => leg.side === 'teams')?.sipCallId;
      const a = pbx === undefined ? undefined : pbxIn.get(pbx);
      const b = teams === undefined ? undefined : teamsOut.get(teams);
      if (a !== undefined && b !== undefined) delays.push(b - a);
    }
    return delays.sort((x, y) => x - y);
  };
}

const summary = (run: SippLoad) => ({
  successful: run.successful,
  failed: run.failed,
  seconds: Number(run.seconds.toFixed(1)),
  cps: Number(run.cps.toFixed(1)),
});

// (1) Callbridge with rtpengine: the sustained run, then the probe at a higher offered rate.
const cb = await callbridge(relay);
const sustainedLoad = load();
const sustained = await sippLoad({
  dir,
  target: cb.target,
  service: cb.service,
  rate: CPS,
  calls: CPS * SECONDS,
  holdMs: HOLD_MS,
  limit: CPS * 10,
  localPort: await freePort(),
});
const cbProbe = await sippLoad({
  dir,
  target: cb.target,
  service: cb.service,
  rate: PROBE_CPS,
  calls: PROBE_CPS * PROBE_SECONDS,
  holdMs: HOLD_MS,
  limit: PROBE_CPS * 10,
  localPort: await freePort(),
});
// (2) The delay added at DELAY_CPS, from a fresh count of records.
cb.h.recorder.records.length = 0;
const delays = stampInvites(cb.h);
const delayLoad = load();
const delayRun = await sippLoad({
  dir,
  target: cb.target,
  service: cb.service,
  rate: DELAY_CPS,
  calls: DELAY_CPS * DELAY_SECONDS,
  holdMs: HOLD_MS,
  limit: DELAY_CPS * 10,
  localPort: await freePort(),
});
const delay = delays();
await cb.h.stop();

// Kamailio + rtpengine as a stateful proxy, sipp UAS behind it, at the same offered rates.
const uasPort = await freePort();
const uas = spawn(
  'sipp',
  ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-nostdin', '-buff_size', String(8 * 1024 * 1024)],
  { cwd: dir, stdio: 'ignore' },
);
// Its own rtpengine, so no session left by the Callbridge phase takes its ports.
const kamDaemon = await RtpengineDaemon.start({ ports: 20_000 });
const kamPort = await freePort();
const kamailio = await startKamailioProxy({
  dir,
  port: kamPort,
  destination: `127.0.0.1:${uasPort}`,
  rtpengineNg: `${kamDaemon.target.host}:${kamDaemon.target.port}`,
  children: 4,
});
const kamLoad = load();
const kamSustained = await sippLoad({
  dir,
  target: `127.0.0.1:${kamPort}`,
  service: 'bench',
  rate: CPS,
  calls: CPS * SECONDS,
  holdMs: HOLD_MS,
  limit: CPS * 10,
  localPort: await freePort(),
});
const kamProbe = await sippLoad({
  dir,
  target: `127.0.0.1:${kamPort}`,
  service: 'bench',
  rate: PROBE_CPS,
  calls: PROBE_CPS * PROBE_SECONDS,
  holdMs: HOLD_MS,
  limit: PROBE_CPS * 10,
  localPort: await freePort(),
});
kamailio.kill('SIGTERM');
uas.kill('SIGTERM');
await kamDaemon.stop();

// (3) Calls held, signalling only: a relay that hands SDP through and keeps nothing.
const passThrough: MediaRelay = {
  status: () => ({ state: 'available', relay: 'pass-through' }),
  offer: (request) => Promise.resolve(request.sdp),
  answer: (request) => Promise.resolve(request.sdp),
  block: () => Promise.resolve(),
  delete: () => Promise.resolve(undefined),
  query: () => Promise.resolve(undefined),
};
const held = await callbridge(passThrough);
const gc = (globalThis as { gc?: () => void }).gc;
const heapNow = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};
const heapBefore = heapNow();
const rssBefore = process.memoryUsage().rss;
const holdingLoad = load();
const holding = spawn(
  'sipp',
  [
    held.target,
    '-sn',
    'uac',
    '-s',
    held.service,
    '-r',
    '500',
    '-m',
    String(HELD),
    '-l',
    String(HELD),
    '-d',
    '3600000',
    '-i',
    '127.0.0.1',
    '-p',
    String(await freePort()),
    '-nostdin',
    '-buff_size',
    String(16 * 1024 * 1024),
  ],
  { cwd: dir, stdio: 'ignore' },
);
const holdStarted = Date.now();
while (held.h.b2bua.activeCalls < HELD && Date.now() - holdStarted < Math.max(60_000, HELD * 10))
  await new Promise((resolve) => setTimeout(resolve, 500));
await new Promise((resolve) => setTimeout(resolve, 2000));
const heldCalls = held.h.b2bua.activeCalls;
const heapPerCall = (heapNow() - heapBefore) / heldCalls;
const rssPerCall = (process.memoryUsage().rss - rssBefore) / heldCalls;
holding.kill('SIGKILL');
await held.h.stop();
relay.close();
await daemon.stop();
await pki.remove();
await rm(dir, { recursive: true, force: true });

const result = {
  bench: 'calls',
  offered: { cps: CPS, seconds: SECONDS, probeCps: PROBE_CPS, probeSeconds: PROBE_SECONDS, holdMs: HOLD_MS },
  callbridge: { sustained: summary(sustained), probe: summary(cbProbe), load: sustainedLoad },
  kamailioRtpengine: { sustained: summary(kamSustained), probe: summary(kamProbe), load: kamLoad },
  ratioAtProbe: Number((cbProbe.cps / kamProbe.cps).toFixed(2)),
  addedDelayMs: {
    cps: DELAY_CPS,
    calls: delay.length,
    failed: delayRun.failed,
    p50: Number(percentile(delay, 50).toFixed(2)),
    p95: Number(percentile(delay, 95).toFixed(2)),
    load: delayLoad,
  },
  held: {
    calls: heldCalls,
    heapBytesPerCall: Math.round(heapPerCall),
    rssBytesPerCall: Math.round(rssPerCall),
    load: holdingLoad,
  },
};
process.stdout.write(
  [
    `Callbridge + rtpengine: ${result.callbridge.sustained.cps} calls/s sustained (offered ${CPS}/s for ${SECONDS} s, ${sustained.failed} failed); probe ${result.callbridge.probe.cps}/s at ${PROBE_CPS}/s offered (${cbProbe.failed} failed)`,
    `Kamailio + rtpengine: ${result.kamailioRtpengine.sustained.cps} calls/s sustained (${kamSustained.failed} failed); probe ${result.kamailioRtpengine.probe.cps}/s (${kamProbe.failed} failed); ratio at probe ${result.ratioAtProbe}`,
    `Delay added INVITE in -> INVITE out at ${DELAY_CPS}/s: p50 ${result.addedDelayMs.p50} ms, p95 ${result.addedDelayMs.p95} ms over ${delay.length} calls`,
    `Held (signalling only): ${heldCalls} calls, ${result.held.heapBytesPerCall} B heap and ${result.held.rssBytesPerCall} B RSS per call (both ends of the Teams leg)`,
    `load: ${sustainedLoad}`,
    JSON.stringify(result),
  ].join('\n') + '\n',
);
process.exit(0);
