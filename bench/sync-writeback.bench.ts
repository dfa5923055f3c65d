/**
 * Benchmark: writing 10,000 numbers set in the portal back to the tenant (assign + operation poll + voice routing
 * policy per user), with the number-management API throttled to a fixed rate of requests per second. Each number
 * costs at least two throttled requests (assignNumber, its operation), so the floor is 10,000 x 2 / rate seconds;
 * the figure is compared with it. Microsoft does not document that API's limits: the rate is a parameter.
 * Run: node --import tsx bench/sync-writeback.bench.ts [numbers] [requestsPerSecond]
 */
import { report, startSyncBench } from './sync/sync-bench.harness.js';

const numbers = Number(process.argv[2] ?? 10_000);
const rate = Number(process.argv[3] ?? 500);
// Generated mix: 1 in 5 users holds E5 (Teams Phone) without a number; 1 in 10 is disabled. 6 users per number.
const users = numbers * 6;
const bench = await startSyncBench(users, {
  resourceUnits: { limit: rate, windowMs: 1_000 },
  pathPattern: 'telephoneNumberManagement',
});
const first = await bench.timedSync();
const { ctx, accountId, serviceId } = bench;
const candidates = (await ctx.store.repos.users.listForSync(accountId, serviceId))
  .filter(
    (u) => u.tenantState === 'active' && u.phoneNumber === null && u.licences.includes('ENTERPRISEPREMIUM'),
  )
  .slice(0, numbers);
if (candidates.length < numbers) throw new Error(`only ${candidates.length} users can take a number`);
await ctx.store.transaction(async (tx) => {
  let n = 0;
  for (const user of candidates)
    await tx.users.update(accountId, user.id, {
      phoneNumber: `+1503${String(2_000_000 + n++).slice(-7)}`,
      numberType: 'ddi',
    });
});
const writeBack = await bench.timedSync();
const peakRssMb = bench.peakRssMb();
await bench.close();

const floorMs = Math.round(((numbers * 2) / rate) * 1000);
report(
  [
    `First sync of ${users} users: ${(first.ms / 1000).toFixed(1)} s`,
    `Write-back of ${numbers} numbers at ${rate} throttled requests/s: ${(writeBack.ms / 1000).toFixed(1)} s (floor ${(floorMs / 1000).toFixed(1)} s = ${numbers} x 2 / ${rate}; ${(writeBack.ms / floorMs).toFixed(2)}x the floor), written ${writeBack.counters['written']}, errors ${writeBack.counters['errors']}, state ${writeBack.state}`,
    `Peak RSS of the Callbridge process: ${peakRssMb} MB`,
  ],
  {
    bench: 'sync-writeback',
    numbers,
    requestsPerSecond: rate,
    writeBackMs: writeBack.ms,
    floorMs,
    written: writeBack.counters['written'],
    errors: writeBack.counters['errors'],
    peakRssMb,
  },
);
process.exit(0);
