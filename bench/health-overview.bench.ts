/**
 * Issue 18 "an overview that shows health at a glance", cheap at 100,000 users: one client of 100,000 users (a mix
 * of registration states, 2% failed) with a day of calls (`--calls`, default 50,000 today), beside `--clients`
 * (default 1,000) small clients of the same partner, on a SQLite file and a throw-away PostgreSQL. Times the
 * account health page as the API builds it (`AccountHealthService.get`) and the partner's first page of the
 * provider overview (`ProviderHealthService.clients`, every client scored). Seeding is not timed.
 *
 *   node --import tsx bench/health-overview.bench.ts [--users 100000] [--calls 50000] [--clients 1000] [--runs 30]
 *
 * Prints a table per database and one JSON line: {"bench":"health-overview", ...}.
 */
import { sql } from 'kysely';
import { CallRecordsRepository } from '../src/calls/records/call-records.repository.js';
import type { CallRecord } from '../src/calls/records/call-record.js';
import { AccessService } from '../src/services/access.service.js';
import { AccountHealthService } from '../src/services/health/account-health.service.js';
import { edgeSummaryOf } from '../src/services/health/edge-summary.js';
import { HealthRepository } from '../src/services/health/health.repository.js';
import { ProviderHealthService } from '../src/services/health/provider-health.service.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { Store } from '../src/store/store.js';
import type { RegistrationState } from '../src/domain/records.js';
import { storeUser } from '../test/support/store-fixtures.js';
import { benchPbxService } from './support/bench-tenant.fixture.js';
import { onEachDatabase, timeRuns } from './support/bench-timing.js';

const arg = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const USERS = Number(arg('users', '100000'));
const CALLS = Number(arg('calls', '50000'));
const CLIENTS = Number(arg('clients', '1000'));
const RUNS = Number(arg('runs', '30'));
const DATABASES = arg('db', 'sqlite,postgres').split(',');
const system = { type: 'system', id: null, label: 'bench', source: 'cli' } as const;
const STATES: RegistrationState[] = ['registered', 'registered', 'registered', 'disabled', 'pending'];

function callOf(accountId: string, serviceId: string, i: number, midnight: number): CallRecord {
  const startedAt = new Date(midnight + (i % 80_000) * 1000).toISOString();
  return {
    id: `bench-${accountId.slice(0, 8)}-${i}`,
    accountId,
    serviceId,
    userId: null,
    direction: 'pbx-to-teams',
    from: '201',
    to: '+442079460001',
    startedAt,
    ringingAt: null,
    answeredAt: null,
    endedAt: startedAt,
    durationMs: 60_000,
    result: i % 10 === 0 ? 'failed' : 'answered',
    finalStatus: i % 10 === 0 ? 404 : 200,
    refusedBy: null,
    q850Cause: null,
    proxy: null,
    codec: null,
    refusal: null,
    legs: [],
    transfers: [],
    media: null,
    hasLadder: false,
  };
}

async function seeded(url: string, midnight: number) {
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  const store = new Store(handle);
  const { client, service } = await benchPbxService(store);
  const partner = { id: client.parentId! };
  for (let start = 0; start < USERS; start += 500) {
    const chunk = Array.from({ length: Math.min(500, USERS - start) }, (_, k) => {
      const i = start + k;
      return storeUser(client.id, service.id, i, {
        registrationState: i % 50 === 0 ? 'failed' : STATES[i % STATES.length]!,
      });
    });
    await store.transaction((tx) => tx.users.createMany(chunk));
  }
  const calls = new CallRecordsRepository(handle.db);
  for (let start = 0; start < CALLS; start += 500)
    await calls.insertBatch(
      Array.from({ length: Math.min(500, CALLS - start) }, (_, k) => ({
        record: callOf(client.id, service.id, start + k, midnight),
      })),
      [],
    );
  for (let c = 0; c < CLIENTS; c++) {
    const other = await store.repos.accounts.create({
      parentId: partner.id,
      kind: 'client',
      name: `Client ${c}`,
    });
    const svc = await store.repos.services.create({ ...service, accountId: other.id, teams: service.teams });
    await store.repos.users.createMany(
      Array.from({ length: 10 }, (_, k) =>
        storeUser(other.id, svc.id, k, {
          registrationState: k === 0 && c % 7 === 0 ? 'failed' : 'registered',
        }),
      ),
    );
  }
  if (handle.dialect === 'postgres') await sql`analyze`.execute(handle.db);
  return { handle, store, partnerId: partner.id, accountId: client.id };
}

async function run(dbName: string, url: string) {
  const now = Date.now();
  const midnight = now - (now % 86_400_000);
  const { handle, store, partnerId, accountId } = await seeded(url, midnight);
  const access = new AccessService(store);
  const health = new HealthRepository(handle.db);
  const account = new AccountHealthService(store, access, health, 'sbc.example');
  const provider = new ProviderHealthService(store, access, health);
  const since = new Date(midnight).toISOString();
  const page = await timeRuns(RUNS, () =>
    account.get(system, accountId, { since, edge: (fqdns) => edgeSummaryOf(undefined, fqdns) }),
  );
  const registrations = await timeRuns(RUNS, () => health.registrationCounts(accountId));
  const callsToday = await timeRuns(RUNS, () => health.callCounts([accountId], since));
  const clients = await timeRuns(RUNS, () => provider.clients(system, partnerId, { limit: 25, offset: 0 }));
  await handle.close();
  const results = {
    accountHealth: { p50: page.p50, p95: page.p95, registered: page.last.registrations?.byState.registered },
    registrationCounts: { p50: registrations.p50, p95: registrations.p95 },
    callsToday: {
      p50: callsToday.p50,
      p95: callsToday.p95,
      attempts: callsToday.last.get(accountId)?.attempts,
    },
    providerFirstPage: { p50: clients.p50, p95: clients.p95, clients: clients.last.total },
  };
  console.log(
    `\n${dbName}: ${USERS} users, ${CALLS} calls today, ${CLIENTS} other clients, ${RUNS} runs each`,
  );
  console.table(results);
  return results;
}

const out = await onEachDatabase(DATABASES, run);
console.log(
  JSON.stringify({
    bench: 'health-overview',
    users: USERS,
    calls: CALLS,
    clients: CLIENTS,
    runs: RUNS,
    ...out,
  }),
);
