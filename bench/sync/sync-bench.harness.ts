/**
 * Shared set-up of the sync benchmarks: a generated tenant in an emulator child process (with Microsoft-style
 * throttling), Callbridge on SQLite in this process with a connected client account, a timed sync, and a peak-RSS
 * sampler of this process only.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/emulator/demo-tenant.seed.js';
import type { FaultConfigInput } from '../../src/emulator/fault.injector.js';

export const benchActor = { type: 'system', id: null, label: 'bench', source: 'cli' } as const;

/** The directory throttling of the sync benches: tight enough that waiting out 429s is part of the figure. */
export const directoryThrottling: FaultConfigInput = {
  resourceUnits: { limit: 20, windowMs: 1_000 },
  rates: { throttle: 0.03 },
  retryAfterSeconds: 0.2,
  randomSeed: 42,
};

export interface SyncBench {
  ctx: AppContext;
  accountId: string;
  serviceId: string;
  /** `/_emulator/tenants/{id}{path}` on the emulator child. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** One sync run: wall time, CPU time of this process (every thread), the run's state and counters. */
  timedSync(): Promise<{
    ms: number;
    cpuMs: number;
    state: string;
    counters: Record<string, number>;
    error: string | null;
  }>;
  peakRssMb(): number;
  baselineRssMb: number;
  close(): Promise<void>;
}

const mb = (bytes: number) => Math.round(bytes / 1e6);

export async function startSyncBench(users: number, faults: FaultConfigInput): Promise<SyncBench> {
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
    overrides: {
      dataDir,
      secretKey: randomBytes(32).toString('base64'),
      demo: false,
      // Outside demo mode the emulator's plain-http loopback endpoints must be allowed by the operator.
      microsoftAllowedEndpoints: `${ready.url},${ready.teamsAdminUrl}`,
    },
  });
  const ctx = await createAppContext(config, pino({ level: 'warn' }));
  const partner = await ctx.services.accounts.create(benchActor, { name: 'Provider', kind: 'partner' });
  const client = await ctx.services.accounts.create(benchActor, {
    name: 'Big tenant',
    kind: 'client',
    parentId: partner.id,
  });
  const service = await ctx.services.voiceServices.create(benchActor, client.id, {
    name: 'PBX',
    sipDomain: 'pbx.example.com',
    country: 'US',
  });
  await ctx.services.tenantConnections.connect(
    benchActor,
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
  await ctx.services.tenantConnections.recordOperatorConsent(benchActor, client.id, 'bench');
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    ctx,
    accountId: client.id,
    serviceId: service.id,
    async admin(method, adminPath, body) {
      // A pooled keep-alive socket the emulator just closed fails once: ask again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await fetch(`${ready.url}/_emulator/tenants/${ready.tenantId}${adminPath}`, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(body !== undefined && { body: JSON.stringify(body) }),
          });
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
    },
    async timedSync() {
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const { run } = await ctx.services.sync.start(benchActor, client.id, service.id);
      await ctx.createWorker().drain();
      // The run without its plan and log: the figure is the sync's memory, not that of reading back a plan of
      // 85,000 new users (the run-details view parses it, about 80 MB for a moment).
      const done = (await ctx.store.repos.syncRuns.findById(client.id, run.id))!;
      process.stderr.write(
        `  sync ${run.id}: ${done.state} in ${Math.round(performance.now() - started)} ms\n`,
      );
      const cpu = process.cpuUsage(cpuBefore);
      return {
        ms: Math.round(performance.now() - started),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        state: done.state,
        counters: done.counters,
        error: done.error,
      };
    },
    peakRssMb: () => mb(Math.max(peak, process.memoryUsage().rss)),
    baselineRssMb: mb(baseline),
    async close() {
      clearInterval(sampler);
      child.kill('SIGTERM');
      await ctx.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Prints the human lines, then the one JSON result line bin/bench.js collects, with the machine's load average
 * (wall times on a shared machine say little without it; CPU time and peak RSS say more).
 */
export function report(lines: string[], result: Record<string, unknown>): void {
  const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
  process.stdout.write([...lines, `Load average at the end: ${loadAverage.join(' ')}`, ''].join('\n'));
  process.stdout.write(JSON.stringify({ ...result, loadAverage }) + '\n');
}
