/**
 * Issue 19 "Measure": inbound calls per second on one carrier trunk through Callbridge (sipp as the carrier ->
 * our stack and B2BUA -> the Teams edge over mutual TLS -> the Teams emulator, which answers; sipp hangs up at
 * once) against sipp's own rate in the same run (sipp's built-in uac -> uas, the same number of calls at the same
 * offered rate). Callbridge, its edge and the emulator share this one process; the media relay is the signalling
 * stand-in (rtpengine's cost is its own bench, media-relay.bench.ts).
 *
 *   node --import tsx bench/trunk-inbound.bench.ts [--calls 300] [--rate 100]
 *
 * Prints a summary and one JSON line: {"bench":"trunk-inbound", ...}.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uacScenario } from '../test/calls/support/sipp-scenarios.js';
import { BOB, startTrunkHarness } from '../test/calls/support/trunk-harness.js';
import { freePort } from '../test/sip/support/kamailio.js';
import { createTeamsPki } from '../test/sip/support/teams-pki.js';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const CALLS = arg('calls', 300);
const RATE = arg('rate', 100);

/** Run sipp to the end; seconds from start to exit and its exit code. */
function sipp(args: string[]): {
  child: ReturnType<typeof spawn>;
  done: Promise<{ seconds: number; code: number | null; output: string }>;
} {
  const started = performance.now();
  const child = spawn('sipp', [...args, '-nostdin', '-timeout', '120s'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const done = new Promise<{ seconds: number; code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ seconds: (performance.now() - started) / 1000, code, output })),
  );
  return { child, done };
}

const load = ['-r', String(RATE), '-m', String(CALLS), '-l', String(RATE * 2), '-i', '127.0.0.1'];

// sipp's own rate: its built-in uac against its built-in uas, no pause.
const uasPort = await freePort();
const uas = sipp(['-sn', 'uas', '-p', String(uasPort), '-i', '127.0.0.1']);
await new Promise((r) => setTimeout(r, 300));
const direct = await sipp([
  '-sn',
  'uac',
  '-d',
  '0',
  '-p',
  String(await freePort()),
  ...load,
  `127.0.0.1:${uasPort}`,
]).done;
uas.child.kill();

// Through Callbridge: the carrier calls Bob's number on the trunk; Teams answers at once; the carrier hangs up.
const pki = await createTeamsPki();
const h = await startTrunkHarness(pki);
await h.configure({ addresses: [{ host: '127.0.0.1', port: 5060 }] });
h.proxies[0]!.setBehaviour(BOB.number, { devices: 1, earlyMedia: false, outcome: 'answer', afterMs: 0 });
const dir = await mkdtemp(join(tmpdir(), 'trunk-bench-'));
const scenario = join(dir, 'carrier.xml');
await writeFile(scenario, uacScenario({ kind: 'answered', talkMs: 0 }));
const through = await sipp([
  '-sf',
  scenario,
  '-s',
  BOB.number,
  '-key',
  'ext',
  '01632960001',
  '-p',
  String(await freePort()),
  ...load,
  `127.0.0.1:${h.stack.local('udp').port}`,
]).done;
// The last records are reported as their BYEs finish, just after sipp exits.
for (const end = Date.now() + 3000; h.recorder.records.length < CALLS && Date.now() < end;)
  await new Promise((r) => setTimeout(r, 20));
const answered = h.recorder.records.filter((r) => r.result === 'answered').length;
await h.stop();
await pki.remove();
await rm(dir, { recursive: true, force: true });

const result = {
  bench: 'trunk-inbound',
  calls: CALLS,
  offeredRate: RATE,
  sippDirect: { callsPerSecond: +(CALLS / direct.seconds).toFixed(1), exitCode: direct.code },
  throughCallbridge: {
    callsPerSecond: +(CALLS / through.seconds).toFixed(1),
    answered,
    exitCode: through.code,
  },
};
console.log(
  `${CALLS} calls offered at ${RATE}/s: sipp uac->uas ${result.sippDirect.callsPerSecond}/s (exit ${direct.code}); ` +
    `carrier->Callbridge->Teams ${result.throughCallbridge.callsPerSecond}/s, ${answered} answered (exit ${through.code})`,
);
if (through.code !== 0) console.log(through.output);
console.log(JSON.stringify(result));
