import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { demoSeed } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount } from '../support/demo-tenant-account.js';
import { callbridge as runCli } from '../support/cli.js';

const callbridge = (dataDir: string, ...args: string[]) => runCli(dataDir, args);

describe('callbridge sync', { timeout: 120_000 }, () => {
  let emulator: RunningEmulator;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-sync-cli-'));
  let serviceId: string;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    // The same data directory (database and secret key file) the commands below open.
    const ctx = await createAppContext(
      loadConfig({ env: {}, overrides: { dataDir } }),
      pino({ level: 'silent' }),
    );
    serviceId = (await demoTenantAccount(ctx, emulator)).service.id;
    await ctx.close();
  });
  afterAll(() => emulator.close());

  it('runs a sync named by its service alone, printing JSON lines: started, progress, finished', async () => {
    const result = await callbridge(dataDir, 'sync', '--service', serviceId, '--json');
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            event: string;
            phase?: string;
            run?: { state: string; counters: Record<string, number> };
          },
      );
    expect(events[0]).toMatchObject({ event: 'started', joined: false });
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThan(0);
    const finished = events.at(-1)!;
    expect(finished.event).toBe('finished');
    expect(finished.run?.state).toMatch(/succeeded|warning/);
    expect(finished.run?.counters['added']).toBeGreaterThan(30);
  });

  it('lists the history and shows a run with its plan and log', async () => {
    const dry = await callbridge(dataDir, 'sync', '--service', serviceId, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Result: succeeded');
    const history = JSON.parse(
      (await callbridge(dataDir, 'sync', 'history', '--service', serviceId, '--json')).stdout,
    ) as {
      id: string;
      dryRun: boolean;
    }[];
    expect(history.map((r) => r.dryRun)).toEqual([true, false]);
    const shown = await callbridge(dataDir, 'sync', 'show', history[1]!.id, '--plan', '--log', '--json');
    const run = JSON.parse(shown.stdout) as {
      id: string;
      plan: { type: string }[];
      log: { message: string }[];
    };
    expect(run.id).toBe(history[1]!.id);
    expect(run.plan.filter((c) => c.type === 'add').length).toBeGreaterThan(30);
    expect(run.log.map((l) => l.message).join('\n')).toContain('Finished: enabled users');
    const text = await callbridge(dataDir, 'sync', 'show', history[0]!.id, '--log');
    expect(text.stdout).toContain('Dry run:');
    const missing = await callbridge(dataDir, 'sync', 'show', 'no-such-run');
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('was not found') });
  });
});
