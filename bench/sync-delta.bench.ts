/**
 * Benchmark: a delta sync of a 100,000-user tenant in which 100 users changed since the last sync (50 renamed in
 * the directory, 50 given a new number in Teams), with throttling on. Target: under 2 s.
 * Run: node --import tsx bench/sync-delta.bench.ts [users] [changed]
 */
import { syntheticUserId } from '../src/emulator/large-tenant.generator.js';
import { benchActor, directoryThrottling, report, startSyncBench } from './sync/sync-bench.harness.js';

const users = Number(process.argv[2] ?? 100_000);
const changed = Number(process.argv[3] ?? 100);
const bench = await startSyncBench(users, directoryThrottling);
const first = await bench.timedSync();
// Users 0..(changed-1) of the generated mix; the first half renamed, the second half renumbered in Teams.
for (let i = 0; i < changed; i++) {
  const patch =
    i < changed / 2
      ? { displayName: `Renamed ${i}` }
      : { phoneNumber: `+1425${String(5_000_000 + i).slice(-7)}` };
  const answer = await bench.admin('PATCH', `/users/${syntheticUserId(i)}`, patch);
  if (!answer.ok) throw new Error(`emulator refused the change of user ${i}: ${answer.status}`);
}
const delta = await bench.timedSync();
const deltaLog = (await bench.ctx.services.sync.history(benchActor, bench.accountId, bench.serviceId, 1))[0]!;
for (const line of (await bench.ctx.services.sync.getRun(benchActor, bench.accountId, deltaLog.id)).log)
  process.stderr.write(`  ${line.at.slice(11, 23)} ${line.message.slice(0, 160)}\n`);
const peakRssMb = bench.peakRssMb();
await bench.close();

report(
  [
    `First (full) sync of ${users} users: ${(first.ms / 1000).toFixed(1)} s`,
    `Delta sync with ${changed} changed users: ${(delta.ms / 1000).toFixed(2)} s (target < 2 s), full read ${delta.counters['fullRead'] === 1 ? 'yes' : 'no'}, tenant changes ${delta.counters['tenantChanges']}, updated ${delta.counters['updated']}, state ${delta.state}${delta.error ? ` (${delta.error})` : ''}`,
    `Peak RSS of the Callbridge process: ${peakRssMb} MB`,
  ],
  {
    bench: 'sync-delta',
    users,
    changed,
    fullSyncMs: first.ms,
    deltaSyncMs: delta.ms,
    fullRead: delta.counters['fullRead'],
    tenantChanges: delta.counters['tenantChanges'],
    updated: delta.counters['updated'],
    peakRssMb,
  },
);
process.exit(0);
