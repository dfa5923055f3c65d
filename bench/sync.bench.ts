/**
 * Benchmark: a first full sync of a large tenant (default 100,000 users; issue 21 target 20 s and 256 MB) from the
 * emulator with Microsoft-style throttling on, into SQLite: read users + licences + Teams settings + coexistence,
 * plan, set up the carrier-model objects, and apply (insert every user with its audit entry). Then a second sync
 * with nothing changed (a delta read). Reports wall times and the peak RSS of the Callbridge process (the
 * emulator runs in its own process).
 * Run: node --import tsx bench/sync.bench.ts [users]
 */
import { directoryThrottling, report, startSyncBench } from './sync/sync-bench.harness.js';

const users = Number(process.argv[2] ?? 100_000);
const bench = await startSyncBench(users, directoryThrottling);
const first = await bench.timedSync();
const second = await bench.timedSync();
const peakRssMb = bench.peakRssMb();
await bench.close();

report(
  [
    `Full sync of ${users} users (throttled emulator, SQLite): ${(first.ms / 1000).toFixed(1)} s (CPU ${(first.cpuMs / 1000).toFixed(1)} s), state ${first.state}, added ${first.counters['added']}`,
    `Second sync, nothing changed (delta read ${second.counters['fullRead'] === 0 ? 'yes' : 'no'}): ${(second.ms / 1000).toFixed(2)} s (CPU ${(second.cpuMs / 1000).toFixed(2)} s), state ${second.state}${second.error ? ` (${second.error})` : ''}`,
    `Peak RSS of the Callbridge process: ${peakRssMb} MB (baseline ${bench.baselineRssMb} MB)`,
  ],
  {
    bench: 'sync',
    users,
    fullSyncMs: first.ms,
    fullSyncCpuMs: first.cpuMs,
    unchangedSyncMs: second.ms,
    unchangedSyncCpuMs: second.cpuMs,
    peakRssMb,
    baselineRssMb: bench.baselineRssMb,
    counters: first.counters,
  },
);
process.exit(0);
