/**
 * Benchmark: a first full sync of a 250,000-user tenant (throttled emulator, SQLite): wall and CPU time, peak RSS
 * (issue 21 target: within 512 MB).
 * Run: node --import tsx bench/sync-250k.bench.ts [users]
 */
import { directoryThrottling, report, startSyncBench } from './sync/sync-bench.harness.js';

const users = Number(process.argv[2] ?? 250_000);
const bench = await startSyncBench(users, directoryThrottling);
const first = await bench.timedSync();
const peakRssMb = bench.peakRssMb();
await bench.close();

report(
  [
    `Full sync of ${users} users (throttled emulator, SQLite): ${(first.ms / 1000).toFixed(1)} s (CPU ${(first.cpuMs / 1000).toFixed(1)} s), state ${first.state}, added ${first.counters['added']}${first.error ? ` (${first.error})` : ''}`,
    `Peak RSS of the Callbridge process: ${peakRssMb} MB (baseline ${bench.baselineRssMb} MB)`,
  ],
  {
    bench: 'sync-250k',
    users,
    fullSyncMs: first.ms,
    fullSyncCpuMs: first.cpuMs,
    peakRssMb,
    baselineRssMb: bench.baselineRssMb,
  },
);
process.exit(0);
