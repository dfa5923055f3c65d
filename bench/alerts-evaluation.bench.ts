/**
 * Issue 18 alerts: how long one full evaluation pass (every condition of every account, the scheduler's minute
 * task) takes with 100,000 users in 10 PBX services (a fifth of them failed) and 100,000 call records of the last
 * day. On SQLite the queries run on the process's one thread, so this is also how long the pass holds the event
 * loop; it runs at most once a minute, off the request path.
 *
 *   node --import tsx bench/alerts-evaluation.bench.ts [--users 100000] [--calls 100000] [--runs 20] [--db sqlite,postgres]
 *
 * Prints one JSON line: {"bench":"alerts-evaluation", ...} with the full pass and each condition's p95
 * (`asrSteady`: the hourly-cached baselines warm, as in the worker; `asrBaselineRead`: a baseline read every time,
 * as once an hour). Seeding is not timed.
 */
import pino from 'pino';
import { AlertDispatcher } from '../src/alerts/alert-dispatcher.js';
import { AlertsEvaluator } from '../src/alerts/alerts-evaluator.js';
import { AlertsRepository } from '../src/alerts/alerts.repository.js';
import { AsrBaselines, asrConditions } from '../src/alerts/conditions/asr.conditions.js';
import { licenceConditions } from '../src/alerts/conditions/licences.conditions.js';
import { registrationConditions } from '../src/alerts/conditions/registrations.conditions.js';
import { consentConditions, syncConditions } from '../src/alerts/conditions/sync.conditions.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { Store } from '../src/store/store.js';
import { storeUser } from '../test/support/store-fixtures.js';
import { benchPbxService } from './support/bench-tenant.fixture.js';
import { onEachDatabase, timeRuns } from './support/bench-timing.js';

const arg = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const USERS = Number(arg('users', '100000'));
const CALLS = Number(arg('calls', '100000'));
const RUNS = Number(arg('runs', '20'));
const DATABASES = arg('db', 'sqlite,postgres').split(',');
const SERVICES = 10;

async function run(_name: string, url: string) {
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  const store = new Store(handle);
  const { client, service } = await benchPbxService(store);
  const serviceIds = [service.id];
  for (let s = 1; s < SERVICES; s++)
    serviceIds.push(
      (await store.repos.services.create({ ...service, name: `PBX ${s}`, accountId: client.id })).id,
    );
  for (let start = 0; start < USERS; start += 500) {
    const chunk = Array.from({ length: Math.min(500, USERS - start) }, (_, k) => {
      const i = start + k;
      return storeUser(client.id, serviceIds[i % SERVICES]!, i, {
        sipUsername: String(100_000 + i),
        registrationState: i % 5 === 0 ? 'failed' : 'registered',
      });
    });
    await store.transaction((tx) => tx.users.createMany(chunk));
  }
  const now = Date.now();
  for (let start = 0; start < CALLS; start += 500) {
    const rows = Array.from({ length: Math.min(500, CALLS - start) }, (_, k) => {
      const i = start + k;
      const at = new Date(now - (i % 86_400) * 1000).toISOString();
      return {
        id: `bench-${i}`,
        account_id: client.id,
        service_id: serviceIds[i % SERVICES]!,
        user_id: null,
        direction: 'pbx-to-teams' as const,
        from_number: '201',
        to_number: '+442079460001',
        started_at: at,
        ringing_at: null,
        answered_at: i % 3 === 0 ? null : at,
        ended_at: at,
        duration_ms: 0,
        result: i % 3 === 0 ? 'failed' : 'answered',
        final_status: null,
        refused_by: null,
        q850_cause: null,
        proxy: null,
        codec: null,
        refusal_code: null,
        refusal_message: null,
        legs: '[]',
        transfers: '[]',
        media: null,
      };
    });
    await handle.db.insertInto('call_records').values(rows).execute();
  }
  if (handle.dialect === 'postgres') await (await import('kysely')).sql`analyze`.execute(handle.db);
  const logger = pino({ level: 'silent' });
  const evaluator = new AlertsEvaluator(
    store,
    new AlertsRepository(handle.db),
    new AlertDispatcher(store, logger),
    logger,
    {
      registrationFailedShare: 0.1,
    },
  );
  const { p50, p95 } = await timeRuns(RUNS, () => evaluator.evaluate());
  const steady = new AsrBaselines();
  const parts = {
    sync: (await timeRuns(RUNS, () => syncConditions(handle.db))).p95,
    consent: (await timeRuns(RUNS, () => consentConditions(handle.db))).p95,
    registrations: (await timeRuns(RUNS, () => registrationConditions(handle.db, 0.1))).p95,
    licences: (await timeRuns(RUNS, () => licenceConditions(store, new Date()))).p95,
    asrSteady: (
      await timeRuns(RUNS, () => asrConditions(handle.db, new Date(), undefined, undefined, steady))
    ).p95,
    asrBaselineRead: (await timeRuns(RUNS, () => asrConditions(handle.db, new Date()))).p95,
  };
  const open = await handle.db.selectFrom('alerts').select('kind').where('state', '=', 'open').execute();
  await handle.close();
  return { p50, p95, p95ByCondition: parts, openAlerts: open.length };
}

const out = await onEachDatabase(DATABASES, run);
console.log(JSON.stringify({ bench: 'alerts-evaluation', users: USERS, calls: CALLS, runs: RUNS, ...out }));
