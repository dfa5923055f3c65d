/**
 * Benchmark: read a 100,000-user tenant (users + licences + Teams settings + coexistence) from the emulator with
 * throttling on, as a first sync would. Reports wall time, pages, retries and peak RSS of the reading process.
 * Run: node --import tsx bench/graph-read.bench.ts [users]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../src/emulator/demo-tenant.seed.js';
import type { FaultConfigInput } from '../src/emulator/fault.injector.js';
import { GraphTenantClient } from '../src/microsoft/graph-tenant.client.js';
import { indexSkus, licenceFlagsOf } from '../src/microsoft/licence.mapper.js';

const users = Number(process.argv[2] ?? 100_000);
/**
 * Microsoft's directory limit (8,000 units / 10 s) never bites a paged read of users ($top=999 costs 2 units a
 * page), so the bench scales it down to 20 units per second to exercise throttling, and adds 3% random 429s
 * (Retry-After 0.2 s) on every path, the Teams admin API included.
 */
const faults: FaultConfigInput = {
  resourceUnits: { limit: 20, windowMs: 1_000 },
  rates: { throttle: 0.03 },
  retryAfterSeconds: 0.2,
  randomSeed: 42,
};

interface Row {
  enabled: boolean;
  teamsPhone: boolean;
  callingPlan: boolean;
  resource: boolean;
  number: string | null;
  mode: string | null;
}

async function startChild() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/graph/emulator.child.ts', String(users), JSON.stringify(faults)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = JSON.parse((await lines.next()).value as string) as {
    url: string;
    teamsAdminUrl: string;
    tenantId: string;
    seedMs: number;
  };
  return { child, lines, ready };
}

const baselineRss = process.memoryUsage().rss;
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const { child, lines, ready } = await startChild();
const retries = { count: 0, waitedMs: 0 };
const client = new GraphTenantClient(
  {
    tenantId: ready.tenantId,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    cloud: 'custom',
    authorityHost: ready.url,
    graphBaseUrl: ready.url,
    teamsAdminBaseUrl: ready.teamsAdminUrl,
  },
  { onRetry: (r) => ((retries.count += 1), (retries.waitedMs += r.delayMs)), retry: { maxAttempts: 10 } },
);

const started = performance.now();
const rows = new Map<string, Row>();
const pages = { users: 0, teams: 0, coexistence: 0 };
const skus = indexSkus(await client.listSubscribedSkus());
for await (const page of client.listUsers()) {
  pages.users++;
  for (const user of page) {
    const flags = licenceFlagsOf(user, skus);
    rows.set(user.id, {
      enabled: user.accountEnabled === true,
      teamsPhone: flags.hasTeamsPhone,
      callingPlan: flags.hasCallingPlan,
      resource: false,
      number: null,
      mode: null,
    });
  }
}
const usersMs = performance.now() - started;
for await (const page of client.listTeamsUserConfigurations()) {
  pages.teams++;
  for (const config of page) {
    const row = rows.get(config.id);
    if (!row) continue;
    row.resource = config.accountType === 'resourceAccount';
    row.number = config.telephoneNumbers[0]?.telephoneNumber ?? null;
  }
}
const teamsMs = performance.now() - started - usersMs;
for await (const page of client.listCoexistenceModes({ pageSize: 1000 })) {
  pages.coexistence++;
  for (const entry of page) {
    const row = rows.get(entry.userId);
    if (row) row.mode = entry.mode;
  }
}
const wallMs = performance.now() - started;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

child.kill('SIGTERM');
const childReport = JSON.parse(((await lines.next()).value as string | undefined) ?? '{}') as {
  injected?: Record<string, number>;
  rssMb?: number;
};

const all = [...rows.values()];
const summary = {
  bench: 'graph-read',
  users,
  read: rows.size,
  wallMs: Math.round(wallMs),
  usersMs: Math.round(usersMs),
  teamsConfigMs: Math.round(teamsMs),
  coexistenceMs: Math.round(wallMs - usersMs - teamsMs),
  pages,
  retries: retries.count,
  retryWaitMs: Math.round(retries.waitedMs),
  throttledByEmulator: childReport.injected?.throttle ?? null,
  peakRssMb: Math.round(peakRss / 1e6),
  baselineRssMb: Math.round(baselineRss / 1e6),
  emulatorRssMb: childReport.rssMb ?? null,
  emulatorSeedMs: ready.seedMs,
  withTeamsPhone: all.filter((r) => r.teamsPhone).length,
  withCallingPlan: all.filter((r) => r.callingPlan).length,
  resourceAccounts: all.filter((r) => r.resource).length,
  withNumber: all.filter((r) => r.number).length,
  notTeamsOnly: all.filter((r) => r.mode !== 'TeamsOnly').length,
  faults,
};
process.stdout.write(
  [
    `graph-read: ${summary.read} of ${users} users (users + licences + Teams settings + coexistence) in ${(wallMs / 1000).toFixed(1)} s`,
    `  users ${summary.usersMs} ms (${pages.users} pages), Teams configurations ${summary.teamsConfigMs} ms (${pages.teams} pages), coexistence ${summary.coexistenceMs} ms (${pages.coexistence} pages)`,
    `  throttling: ${summary.retries} retries after 429, ${summary.retryWaitMs} ms waited (Retry-After honoured)`,
    `  peak RSS of the reader ${summary.peakRssMb} MB (${summary.baselineRssMb} MB before reading); emulator process ${summary.emulatorRssMb} MB`,
  ].join('\n') + '\n',
);
process.stdout.write(`${JSON.stringify(summary)}\n`);
if (summary.read !== users) process.exitCode = 1;
