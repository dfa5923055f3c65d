/**
 * Benchmark: a first full sync of a large tenant (default 100,000 users) from the emulator, with Microsoft-style
 * throttling on, into SQLite: read users + licences + Teams settings + coexistence, plan, and apply (insert every
 * user with its audit entry). Then a second sync with nothing changed. Reports wall times and the peak RSS of the
 * Callbridge process (the emulator runs in its own process).
 * Run: node --import tsx bench/sync.bench.ts [users]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { createAppContext } from '../src/app/context.js';
import { loadConfig } from '../src/config/config.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../src/emulator/demo-tenant.seed.js';
import type { FaultConfigInput } from '../src/emulator/fault.injector.js';

const users = Number(process.argv[2] ?? 100_000);
const faults: FaultConfigInput = {
  resourceUnits: { limit: 20, windowMs: 1_000 },
  rates: { throttle: 0.03 },
  retryAfterSeconds: 0.2,
  randomSeed: 42,
};
const actor = { type: 'system', id: null, label: 'bench', source: 'cli' } as const;

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'bench/graph/emulator.child.ts', String(users), JSON.stringify(faults)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const ready = JSON.parse((await lines.next()).value as string) as {
  url: string;
  teamsAdminUrl: string;
  tenantId: string;
};

const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-bench-sync-'));
const config = loadConfig({
  env: {},
  overrides: { dataDir, secretKey: randomBytes(32).toString('base64'), demo: false },
});
const ctx = await createAppContext(config, pino({ level: 'warn' }));
const partner = await ctx.services.accounts.create(actor, { name: 'Provider', kind: 'partner' });
const client = await ctx.services.accounts.create(actor, {
  name: 'Big tenant',
  kind: 'client',
  parentId: partner.id,
});
const service = await ctx.services.voiceServices.create(actor, client.id, {
  name: 'PBX',
  sipDomain: 'pbx.example.com',
  country: 'GB',
});
await ctx.services.tenantConnections.connect(
  actor,
  client.id,
  {
    tenantId: ready.tenantId,
    cloud: 'custom',
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    authorityHost: ready.url,
    graphBaseUrl: ready.url,
    teamsAdminBaseUrl: ready.teamsAdminUrl,
  },
  'http://localhost/unused',
);
await ctx.store.repos.tenantConnections.update(client.id, { consentState: 'granted' });

const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function timedSync() {
  const started = performance.now();
  const { run } = await ctx.services.sync.start(actor, client.id, service.id);
  await ctx.createWorker().drain();
  const done = await ctx.services.sync.getRun(actor, client.id, run.id);
  return {
    ms: Math.round(performance.now() - started),
    state: done.state,
    counters: done.counters,
    error: done.error,
  };
}

const first = await timedSync();
const second = await timedSync();
clearInterval(sampler);
child.kill('SIGTERM');
await ctx.close();
rmSync(dataDir, { recursive: true, force: true });

const mb = (bytes: number) => Math.round(bytes / 1e6);
process.stdout.write(
  [
    `Full sync of ${users} users (throttled emulator, SQLite): ${(first.ms / 1000).toFixed(1)} s, state ${first.state}, added ${first.counters['added']}`,
    `Second sync, nothing changed: ${(second.ms / 1000).toFixed(1)} s, state ${second.state}${second.error ? ` (${second.error})` : ''}`,
    `Peak RSS of the Callbridge process: ${mb(peakRss)} MB (baseline ${mb(baselineRss)} MB)`,
    '',
  ].join('\n'),
);
process.stdout.write(
  JSON.stringify({
    bench: 'sync',
    users,
    fullSyncMs: first.ms,
    unchangedSyncMs: second.ms,
    peakRssMb: mb(peakRss),
    baselineRssMb: mb(baselineRss),
    counters: first.counters,
  }) + '\n',
);
process.exit(0);
