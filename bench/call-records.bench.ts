/**
 * Issue 18 "Calls 3": the call log among 1,000,000 records (SQLite file and a throwaway PostgreSQL), and the
 * recorder's write rate at 500 calls per second.
 *
 * - Listing: an account's calls (first page, failed only, a deep page by cursor) and one user's calls, as the API
 *   reads them (`CallRecordsRepository.list`). Target: p95 <= 20 ms on both databases.
 * - Writing: 500 calls/s reported to the real `QueuedCallRecorder` for `--seconds`; prints records written per
 *   second, the largest queue, the time spent inside `ended()` (what a call pays) and the event loop's p99 delay.
 *
 *   node --import tsx bench/call-records.bench.ts [--records 1000000] [--runs 60] [--seconds 10] [--db sqlite,postgres]
 *
 * Prints a table per database and one JSON line: {"bench":"call-records", ...}. Seeding is not timed.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pino from 'pino';
import { sql } from 'kysely';
import type { CallRecordInput } from '../src/calls/call-record.types.js';
import { recordOf } from '../src/calls/records/call-record.js';
import { QueuedCallRecorder } from '../src/calls/records/call-recorder.js';
import { CallRecordsRepository, type CallFilters } from '../src/calls/records/call-records.repository.js';
import { CallStats } from '../src/calls/records/call-stats.js';
import { LiveCalls } from '../src/calls/records/live-calls.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { Store } from '../src/store/store.js';
import { benchPbxService } from './support/bench-tenant.fixture.js';
import { onEachDatabase, percentile, timeRuns } from './support/bench-timing.js';

const arg = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const RECORDS = Number(arg('records', '1000000'));
const RUNS = Number(arg('runs', '60'));
const SECONDS = Number(arg('seconds', '10'));
const DATABASES = arg('db', 'sqlite,postgres').split(',');
const TARGET_P95_MS = 20;
const USERS = 1000;
const RESULTS = [
  'answered',
  'answered',
  'answered',
  'busy',
  'no-answer',
  'failed',
  'declined',
  'cancelled',
] as const;
const DAY = 86_400_000;

const userIdOf = (u: number) => `00000000-0000-4000-8000-${String(u).padStart(12, '0')}`;

function callOf(accountId: string, serviceId: string, i: number, startMs: number): CallRecordInput {
  const result = RESULTS[i % RESULTS.length]!;
  const u = i % USERS;
  const startedAt = new Date(startMs).toISOString();
  return {
    id: `bench-${i}`,
    accountId,
    serviceId,
    userId: userIdOf(u),
    direction: i % 2 === 0 ? 'pbx-to-teams' : 'teams-to-pbx',
    from: String(1000 + u),
    to: `+44207${String(1_000_000 + ((i * 7919) % 1_000_000)).padStart(7, '0')}`,
    startedAt,
    ...(result === 'answered' && { answeredAt: new Date(startMs + 4000).toISOString() }),
    endedAt: new Date(startMs + 64_000).toISOString(),
    result,
    legs: [
      { side: 'pbx', sipCallId: `p${i}@pbx`, finalStatus: result === 'answered' ? 200 : 487 },
      {
        side: 'teams',
        sipCallId: `t${i}@cb`,
        finalStatus: result === 'answered' ? 200 : result === 'failed' ? 404 : 486,
        peer: 'sip.pstnhub.microsoft.com',
      },
    ],
    media: { packets: { pbx: 3000, teams: 2990 }, codec: 'PCMU/8000' },
  };
}

async function seeded(url: string) {
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  const store = new Store(handle);
  const { client, service } = await benchPbxService(store);
  const other = await benchPbxService(store);
  const repo = new CallRecordsRepository(handle.db);
  const now = Date.now();
  const span = 90 * DAY;
  const seededAt = performance.now();
  for (let start = 0; start < RECORDS; start += 1000) {
    const batch = [];
    for (let i = start; i < Math.min(RECORDS, start + 1000); i++) {
      // Nine in ten calls are the measured account's; the rest another account's, interleaved in time.
      const mine = i % 10 !== 0;
      const account = mine ? client : other.client;
      const svc = mine ? service : other.service;
      batch.push({
        record: recordOf(callOf(account.id, svc.id, i, now - span + Math.floor((i / RECORDS) * span))),
      });
    }
    await repo.insertBatch(batch, []);
  }
  const seedSeconds = (performance.now() - seededAt) / 1000;
  if (handle.dialect === 'postgres') await sql`analyze`.execute(handle.db);
  return { handle, repo, accountId: client.id, serviceId: service.id, seedSeconds };
}

async function listing(repo: CallRecordsRepository, accountId: string) {
  let deep: string | undefined;
  for (let walked = 0; walked < 20_000; walked += 500)
    deep = (await repo.list(accountId, {}, 500, deep)).nextCursor ?? undefined;
  const cases: Record<string, { filters: CallFilters; cursor?: string }> = {
    accountFirstPage: { filters: {} },
    accountFailed: { filters: { result: 'failed' } },
    accountLastWeek: { filters: { from: new Date(Date.now() - 7 * DAY).toISOString() } },
    accountDeepPage: { filters: {}, ...(deep && { cursor: deep }) },
    userFirstPage: { filters: { userId: userIdOf(13) } },
    userFailed: { filters: { userId: userIdOf(13), result: 'failed' } },
    userByNumberFrom: { filters: { userId: userIdOf(13), number: '1013' } },
  };
  const results: Record<string, { p50: number; p95: number; items: number }> = {};
  for (const [name, c] of Object.entries(cases)) {
    const { p50, p95, last } = await timeRuns(RUNS, () => repo.list(accountId, c.filters, 50, c.cursor));
    results[name] = { p50, p95, items: last.items.length };
  }
  return results;
}

/** 500 calls/s into the real recorder for SECONDS: what a call pays in `ended()`, and what reaches the database. */
async function writing(repo: CallRecordsRepository, accountId: string, serviceId: string) {
  const recorder = new QueuedCallRecorder(repo, new LiveCalls(), new CallStats(), pino({ level: 'silent' }));
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const endedTimes: number[] = [];
  let maxQueue = 0;
  let i = RECORDS + 1;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      // Driven by the clock: as many calls as 500/s says are due by now, so a late timer catches up.
      const elapsedMs = performance.now() - started;
      const due = Math.min(Math.floor((elapsedMs / 1000) * 500), SECONDS * 500);
      while (i - (RECORDS + 1) < due) {
        const call = callOf(accountId, serviceId, i++, Date.now());
        const t0 = performance.now();
        recorder.ended(call);
        endedTimes.push(performance.now() - t0);
      }
      maxQueue = Math.max(maxQueue, recorder.queued);
      if (elapsedMs >= SECONDS * 1000) {
        clearInterval(tick);
        resolve();
      }
    }, 10);
  });
  await recorder.flush();
  const elapsed = (performance.now() - started) / 1000;
  lag.disable();
  endedTimes.sort((a, b) => a - b);
  return {
    offeredPerSecond: Number((endedTimes.length / elapsed).toFixed(0)),
    writtenPerSecond: Number((recorder.written / elapsed).toFixed(0)),
    maxQueue,
    endedP99Us: Number((percentile(endedTimes, 99) * 1000).toFixed(1)),
    loopDelayP99Ms: Number((lag.percentile(99) / 1e6).toFixed(1)),
  };
}

async function run(dbName: string, url: string) {
  const { handle, repo, accountId, serviceId, seedSeconds } = await seeded(url);
  const results = await listing(repo, accountId);
  const write = await writing(repo, accountId, serviceId);
  await handle.close();
  console.log(`\n${dbName}: ${RECORDS} records (seeded in ${seedSeconds.toFixed(0)} s), ${RUNS} runs each`);
  console.table(results);
  console.table({ write });
  return { seedSeconds: Number(seedSeconds.toFixed(1)), results, write };
}

const out = await onEachDatabase(DATABASES, run);
console.log(
  JSON.stringify({ bench: 'call-records', records: RECORDS, runs: RUNS, targetP95Ms: TARGET_P95_MS, ...out }),
);
