/**
 * Issue 17 "Measure", the calls, in one run:
 * (1) calls per second through Callbridge: sipp's UAC as the PBX side ringing the Contact registered for a user
 *     (short calls: INVITE, 500 ms, BYE), the B2BUA, real userspace rtpengine, the Teams edge over mutual TLS, the
 *     Teams SIP emulator answering, the real call recorder writing to a SQLite file (`calls/callbridge-rig.ts`);
 *     against Kamailio as a stateful proxy with its rtpengine module and its own rtpengine (sipp UAC -> Kamailio ->
 *     sipp UAS, `calls/kamailio-rtpengine.ts`) at the same offered rates;
 * (2) the delay Callbridge adds between the INVITE in from the PBX and the INVITE out to Microsoft at `--delay-cps`,
 *     p50/p95/p99, and the same less rtpengine's answer to the offer (a round trip to another process);
 * (3) calls held, signalling only (a pass-through relay), heap and Buffer memory per call after the transactions'
 *     lingering timers (35 s).
 * The concurrent calls with media (200 through rtpengine) are bench/media-relay.bench.ts.
 *
 * The emulator (Microsoft's side) runs in a child process (`calls/teams-emulator.child.ts`): CPU per call, loop
 * delay and memory are Callbridge's own. Each run prints the load average, this process's CPU per successful call
 * (`process.cpuUsage`: the figure to compare on a shared machine), the event loop's delay p99 (stalls), and where
 * sipp saw calls go wrong (per message: retransmissions, timeouts, unexpected answers).
 *
 *   npm run bench -- calls      (defaults: 200/s for 60 s, probe 400/s for 15 s, delay at 100/s for 20 s, 5,000 held)
 *   node --expose-gc --import tsx bench/calls.bench.ts [--cps 200] [--seconds 60] [--probe-cps 400]
 *     [--probe-seconds 15] [--delay-cps 100] [--delay-seconds 20] [--held 5000] [--hold-ms 500] [--settle-ms 35000]
 *     [--skip-callbridge|--skip-rate|--skip-probe|--skip-delay|--skip-kamailio|--skip-held] [--heap-snapshot file]
 *   BENCH_SIPP_OUTPUT=1 prints sipp's screens of a run with failed calls.
 *
 * Measured on the shared 2-core machine (five or six engineers at once: load 9-19, so wall-clock figures are noisy),
 * reduced sizes, 3 December 2026, all with the emulator in its own process:
 *
 * | | before (first run of this rig) | after |
 * | --- | --- | --- |
 * | Callbridge, 200/s offered | 170/s, 486 of 4,000 failed (20 s, load 12.5): one rtpengine timeout made the relay refuse every call for a second | 148/s, 69 of 6,000 failed (30 s, load 12): rtpengine's answer to `answer` timed out (3 s) |
 * | CPU per call in Callbridge's process | 5,250 us (200/s, load 12.5); 4,650 us (100/s, load 12) | 4,790 us (200/s, load 12); 4,350 us at 200/s load 11 |
 * | Kamailio + rtpengine (8 children), 200/s | 33/s, 2,328 of 4,000 failed (load 19): INVITEs unanswered | 32 children: 173/s, 0 of 2,000 failed (10 s, load 9); at load 13-16 3.1/s |
 * | delay added at 100/s | p50 2.9 ms, p95 93 ms (load 13) | p50 5.2 ms / p95 78 ms in all (load 11), less rtpengine's answer p50 0.39 ms / p95 2.2 ms; at load 15: 192 / 1,254 ms in all, 0.54 / 5.1 ms less rtpengine's answer |
 * | held, signalling only | 2,000 calls: 36.2 KB heap + 11.9 KB Buffers per call | 5,000 calls: 19.6 KB heap + 0.7 KB Buffers per call; then (a leg's reason, the 2xx Contact and the ACK not kept) 2,000 calls: 18.2 KB + 0.7 KB |
 * | held, signalling only (issue 17 "callmem", load 0.7-2.8) | 2,000 calls: 18.0 KB heap + 0.7 KB Buffers per call | ladder deflated 5 s after the answer, ring timer cleared, a UAC dialog's id no longer keeping the 18x's text: 2,000 calls 12.4 KB + 0.7 KB; 5,000 offered (4,272 held) 12.7 KB + 0.7 KB |
 *
 * Quiet machine, the merged tree, one run with `--probe-seconds 10` (3 December 2026, load 2.0 at the start):
 *
 * | what | figure | target |
 * | --- | --- | --- |
 * | Callbridge + rtpengine, 200/s offered for 60 s | 198.2 calls/s, 12,000 ok, 0 failed; 3,136 us CPU per call | 200/s for 60 s, none failed: met |
 * | probe, 400/s for 10 s | 378.8 calls/s, 4,000 ok, 0 failed | |
 * | delay added at 100/s | p50 1.33 ms, p95 3.16 ms, p99 70.6 ms; less rtpengine's answer p95 0.69 ms | p95 <= 5 ms: met |
 * | held, signalling only, 5,000 calls | 11.6 KB heap + 0.7 KB Buffers per call (the emulator's process: 52 MB) | <= 10 KB: not met |
 * | Kamailio + rtpengine (32 children), 200/s | 37.2 calls/s, 7,889 of 12,000 failed (INVITEs unanswered); 0 at 400/s | a working reference |
 *
 * The emulator's process held 30-64 MB of heap in the shared runs. What is left of the held call, from a heap
 * snapshot (`--heap-snapshot`): the incoming INVITE kept parsed by the call (about 1.5 KB with its text), the
 * finished INVITE server transaction, both dialogs and their table entries, the session timer, the SDPs of both
 * sides for mid-call requests, the call object. The Kamailio reference works at light load (173/s, 0 failed of
 * 2,000 at load 9) but not in this run; the reason is not found, so no ratio is claimed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CallRecordInput } from '../src/calls/call-record.types.js';
import type { MediaRelay } from '../src/media/media-relay.js';
import { RtpengineRelay } from '../src/media/rtpengine-relay.js';
import type { SipMessage } from '../src/sip/message/sip-message.js';
import { freePort } from '../test/sip/support/kamailio.js';
import { createTeamsPki } from '../test/sip/support/teams-pki.js';
import { RtpengineDaemon } from '../test/support/rtpengine-daemon.js';
import { startCallbridgeRig } from './calls/callbridge-rig.js';
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
const skip = (phase: string) => process.argv.includes(`--skip-${phase}`);

const load = () =>
  execFileSync('uptime')
    .toString()
    .trim()
    .replace(/^.*load average:\s*/, '');
const dir = await mkdtemp(join(tmpdir(), 'callbridge-calls-bench-'));
const pki = await createTeamsPki();
const daemon = await RtpengineDaemon.start({ ports: 20_000 });
const relay = await RtpengineRelay.open({ target: daemon.target });
type Rig = Awaited<ReturnType<typeof startCallbridgeRig>>;

/**
 * One sipp run against a target, with what this process spent meanwhile: CPU (user + system) per successful call
 * and the event loop's delay (p99, max), the measure of stalls.
 */
async function measured(run: () => Promise<SippLoad>) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu = process.cpuUsage();
  const loadBefore = load();
  const result = await run();
  const used = process.cpuUsage(cpu);
  loop.disable();
  if (result.failed > 0 && process.env.BENCH_SIPP_OUTPUT)
    process.stderr.write(`${result.output.slice(-6000)}\n`);
  return {
    successful: result.successful,
    failed: result.failed,
    ...(result.failed > 0 && { failures: result.failures }),
    seconds: Number(result.seconds.toFixed(1)),
    cps: Number(result.cps.toFixed(1)),
    cpuUsPerCall: Math.round((used.user + used.system) / Math.max(1, result.successful)),
    loopDelayMs: {
      p99: Number((loop.percentile(99) / 1e6).toFixed(1)),
      max: Number((loop.max / 1e6).toFixed(1)),
    },
    load: loadBefore,
  };
}

/** sipp's UAC toward Callbridge's PBX side (the Contact registered for the user) at `rate` for `seconds`. */
const callbridgeLoad = async (rig: Rig, rate: number, seconds: number) =>
  measured(async () =>
    sippLoad({
      dir,
      target: rig.target,
      service: rig.service,
      rate,
      calls: rate * seconds,
      holdMs: HOLD_MS,
      limit: rate * 10,
      localPort: await freePort(),
    }),
  );

/** Stamps of the first INVITE seen per Call-ID on each side of the B2BUA, for the delay it adds. */
function stampInvites(rig: Rig) {
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
  wrap(rig.b2bua.pbx.options, 'in', pbxIn);
  wrap(rig.edge.endpoint.options, 'out', teamsOut);
  const delays: number[] = [];
  const withoutRelay: number[] = [];
  rig.onEnded = (record: CallRecordInput) => {
    const pbx = record.legs.find((leg) => leg.side === 'pbx')?.sipCallId;
    const teams = record.legs.find((leg) => leg.side === 'teams')?.sipCallId;
    const a = pbx === undefined ? undefined : pbxIn.get(pbx);
    const b = teams === undefined ? undefined : teamsOut.get(teams);
    if (pbx !== undefined) pbxIn.delete(pbx);
    if (teams !== undefined) teamsOut.delete(teams);
    const relayMs = pbx === undefined ? undefined : offerMs.get(pbx);
    if (pbx !== undefined) offerMs.delete(pbx);
    if (a !== undefined && b !== undefined) {
      delays.push(b - a);
      if (relayMs !== undefined) withoutRelay.push(b - a - relayMs);
    }
  };
  // Copies: the calls ended by stopping the rig afterwards still report.
  return () => ({
    all: [...delays].sort((x, y) => x - y),
    withoutRelay: [...withoutRelay].sort((x, y) => x - y),
  });
}

/**
 * How long rtpengine took to answer each call's offer (by the PBX leg's Call-ID): the delay Callbridge adds between
 * the INVITE in and the INVITE out includes this round trip to another process, which a busy machine stretches.
 */
const offerMs = new Map<string, number>();
const timedRelay: MediaRelay = {
  status: () => relay.status(),
  offer: async (request) => {
    const started = performance.now();
    try {
      return await relay.offer(request);
    } finally {
      offerMs.set(request.callId, performance.now() - started);
    }
  },
  answer: (request) => relay.answer(request),
  delete: (callId) => relay.delete(callId),
  query: (callId) => relay.query(callId),
  block: (request) => relay.block(request),
};

// (1) Callbridge with rtpengine: the sustained run, then the probe at a higher offered rate.
const cb = await startCallbridgeRig(pki, timedRelay, dir);
const sustained = skip('rate') || skip('callbridge') ? undefined : await callbridgeLoad(cb, CPS, SECONDS);
const cbProbe =
  skip('probe') || skip('callbridge') ? undefined : await callbridgeLoad(cb, PROBE_CPS, PROBE_SECONDS);
// (2) The delay added at DELAY_CPS.
const delays = stampInvites(cb);
const delayRun = skip('delay') ? undefined : await callbridgeLoad(cb, DELAY_CPS, DELAY_SECONDS);
const { all: delay, withoutRelay } = delays();
const cbErrors = cb.errors.slice(0, 5);
const cbWritten = (await cb.stop(), cb.recorder.written);

// Kamailio + rtpengine as a stateful proxy, sipp UAS behind it, at the same offered rates, its own rtpengine.
let kamailio: {
  sustained?: Awaited<ReturnType<typeof measured>>;
  probe?: Awaited<ReturnType<typeof measured>>;
} = {};
if (!skip('kamailio')) {
  const uasPort = await freePort();
  const kamDaemon = await RtpengineDaemon.start({ ports: 20_000 });
  const kamPort = await freePort();
  const proxy = await startKamailioProxy({
    dir,
    port: kamPort,
    destination: `127.0.0.1:${uasPort}`,
    rtpengineNg: `${kamDaemon.target.host}:${kamDaemon.target.port}`,
    // Each child waits for rtpengine's answer (the module is synchronous): enough of them that a slow answer on a
    // busy machine does not stop the proxy (8 collapsed at 200/s under load: INVITEs unanswered, 2,328 of 4,000
    // calls failed).
    children: 32,
  });
  // Started once Kamailio is up, so a Kamailio that fails to start leaves no sipp behind.
  const uas = spawn(
    'sipp',
    [
      '-sn',
      'uas',
      '-i',
      '127.0.0.1',
      '-p',
      String(uasPort),
      '-nostdin',
      '-buff_size',
      String(8 * 1024 * 1024),
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const kamLoad = (rate: number, seconds: number) =>
    measured(async () =>
      sippLoad({
        dir,
        target: `127.0.0.1:${kamPort}`,
        service: 'bench',
        rate,
        calls: rate * seconds,
        holdMs: HOLD_MS,
        limit: rate * 10,
        localPort: await freePort(),
      }),
    );
  kamailio = {
    ...(!skip('rate') && { sustained: await kamLoad(CPS, SECONDS) }),
    ...(!skip('probe') && { probe: await kamLoad(PROBE_CPS, PROBE_SECONDS) }),
  };
  const failed = (kamailio.sustained?.failed ?? 0) + (kamailio.probe?.failed ?? 0);
  if (failed > 0)
    process.stderr.write(
      `Kamailio reference: ${failed} failed calls. Its log:\n${proxy.log().slice(-3000)}\nrtpengine's:\n${kamDaemon.log.join('').slice(-3000)}\n`,
    );
  proxy.child.kill('SIGTERM');
  uas.kill('SIGTERM');
  await kamDaemon.stop();
}

// (3) Calls held, signalling only (a relay that hands SDP through and keeps nothing): this process's heap (and
// Buffers outside it) per call; the emulator's is its own process's and reported apart.
const passThrough: MediaRelay = {
  status: () => ({ state: 'available', relay: 'pass-through' }),
  offer: (request) => Promise.resolve(request.sdp),
  answer: (request) => Promise.resolve(request.sdp),
  block: () => Promise.resolve(),
  delete: () => Promise.resolve(undefined),
  query: () => Promise.resolve(undefined),
};
let held:
  | {
      calls: number;
      heapBytesPerCall: number;
      externalBytesPerCall: number;
      emulatorHeapBytes: number;
      load: string;
    }
  | undefined;
if (!skip('held')) {
  const rig = await startCallbridgeRig(pki, passThrough, dir);
  const gc = (globalThis as { gc?: () => void }).gc;
  const memory = () => {
    gc?.();
    gc?.();
    const usage = process.memoryUsage();
    return { heap: usage.heapUsed, external: usage.external };
  };
  const before = memory();
  const holdingLoad = load();
  const holding = spawn(
    'sipp',
    [
      rig.target,
      '-sn',
      'uac',
      '-s',
      rig.service,
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
  while (rig.b2bua.activeCalls < HELD && Date.now() - holdStarted < Math.max(60_000, HELD * 10))
    await new Promise((resolve) => setTimeout(resolve, 500));
  // Past the transactions' lingering timers (Timer K/J, the INVITE server's 32 s after its 2xx is ACKed): what a
  // call holds while it lasts.
  await new Promise((resolve) => setTimeout(resolve, arg('settle-ms', 35_000)));
  const calls = rig.b2bua.activeCalls;
  const after = memory();
  const snapshot = process.argv[process.argv.indexOf('--heap-snapshot') + 1];
  if (process.argv.includes('--heap-snapshot')) (await import('node:v8')).writeHeapSnapshot(snapshot);
  holding.kill('SIGKILL');
  const peer = await rig.stop();
  held = {
    calls,
    heapBytesPerCall: Math.round((after.heap - before.heap) / calls),
    externalBytesPerCall: Math.round((after.external - before.external) / calls),
    emulatorHeapBytes: peer.heapUsed,
    load: holdingLoad,
  };
}
relay.close();
await daemon.stop();
await pki.remove();
await rm(dir, { recursive: true, force: true });

const ratio = (a?: { cps: number }, b?: { cps: number }) =>
  a && b && b.cps > 0 ? Number((a.cps / b.cps).toFixed(2)) : null;
const result = {
  bench: 'calls',
  offered: { cps: CPS, seconds: SECONDS, probeCps: PROBE_CPS, probeSeconds: PROBE_SECONDS, holdMs: HOLD_MS },
  callbridge: { sustained, probe: cbProbe, recordsWritten: cbWritten, errors: cbErrors },
  kamailioRtpengine: kamailio,
  ratio: { sustained: ratio(sustained, kamailio.sustained), probe: ratio(cbProbe, kamailio.probe) },
  addedDelayMs: delayRun && {
    cps: DELAY_CPS,
    calls: delay.length,
    failed: delayRun.failed,
    p50: Number(percentile(delay, 50).toFixed(2)),
    p95: Number(percentile(delay, 95).toFixed(2)),
    p99: Number(percentile(delay, 99).toFixed(2)),
    /** The same less rtpengine's answer to the offer (another process's time, on a shared machine). */
    withoutRelay: {
      p50: Number(percentile(withoutRelay, 50).toFixed(2)),
      p95: Number(percentile(withoutRelay, 95).toFixed(2)),
    },
    cpuUsPerCall: delayRun.cpuUsPerCall,
    loopDelayMs: delayRun.loopDelayMs,
    load: delayRun.load,
  },
  held,
};
const line = (label: string, run?: Awaited<ReturnType<typeof measured>>) =>
  run
    ? `${label}: ${run.cps} calls/s, ${run.successful} ok, ${run.failed} failed${run.failed ? ` ${JSON.stringify(run.failures)}` : ''}; ${run.cpuUsPerCall} us CPU per call in this process; loop delay p99 ${run.loopDelayMs.p99} ms (load ${run.load})`
    : `${label}: skipped`;
process.stdout.write(
  [
    line(`Callbridge + rtpengine, ${CPS}/s offered for ${SECONDS} s`, sustained),
    line(`Callbridge + rtpengine, probe ${PROBE_CPS}/s for ${PROBE_SECONDS} s`, cbProbe),
    line(`Kamailio + rtpengine, ${CPS}/s offered`, kamailio.sustained),
    line(`Kamailio + rtpengine, probe ${PROBE_CPS}/s`, kamailio.probe),
    `Ratio Callbridge / Kamailio: ${result.ratio.sustained} at ${CPS}/s, ${result.ratio.probe} at ${PROBE_CPS}/s`,
    result.addedDelayMs
      ? `Delay added INVITE in -> INVITE out at ${DELAY_CPS}/s: p50 ${result.addedDelayMs.p50} ms, p95 ${result.addedDelayMs.p95} ms, p99 ${result.addedDelayMs.p99} ms over ${delay.length} calls; less rtpengine's answer to the offer: p50 ${result.addedDelayMs.withoutRelay.p50} ms, p95 ${result.addedDelayMs.withoutRelay.p95} ms`
      : 'Delay: skipped',
    held
      ? `Held (signalling only): ${held.calls} calls, ${held.heapBytesPerCall} B heap + ${held.externalBytesPerCall} B external per call in Callbridge's process (the emulator's process: ${Math.round(held.emulatorHeapBytes / 1e6)} MB heap)`
      : 'Held: skipped',
    `Re-run quietly: npm run bench -- calls   (or: node --expose-gc --import tsx bench/calls.bench.ts --cps ${CPS} --seconds ${SECONDS} --probe-cps ${PROBE_CPS} --probe-seconds ${PROBE_SECONDS} --delay-cps ${DELAY_CPS} --delay-seconds ${DELAY_SECONDS} --held ${HELD})`,
    JSON.stringify(result),
  ].join('\n') + '\n',
);
process.exit(0);
