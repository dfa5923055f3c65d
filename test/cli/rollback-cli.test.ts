import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { DEMO_TENANT_ID, demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount } from '../support/demo-tenant-account.js';
import { callbridge as runCli } from '../support/cli.js';

const callbridge = (dataDir: string, ...args: string[]) => runCli(dataDir, args);
const EMAIL = 'adele.vance@contoso-demo.onmicrosoft.com';

describe('callbridge import rollback and sync rollback', { timeout: 180_000 }, () => {
  let emulator: RunningEmulator;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-rollback-cli-'));
  let accountId: string;
  let serviceId: string;
  const tenantNumber = () =>
    emulator.tenants.get(DEMO_TENANT_ID)!.telephony.numbersOf(demoUserId(1))[0]?.telephoneNumber;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    const ctx = await createAppContext(
      loadConfig({ env: {}, overrides: { dataDir } }),
      pino({ level: 'silent' }),
    );
    ({
      account: { id: accountId },
      service: { id: serviceId },
    } = await demoTenantAccount(ctx, emulator));
    await ctx.close();
    expect((await callbridge(dataDir, 'sync', '--service', serviceId)).code).toBe(0);
  });
  afterAll(() => emulator.close());

  it('imports a number, shows the rollback plan with --dry-run, then rolls it back in portal and tenant', async () => {
    const file = path.join(dataDir, 'numbers.csv');
    writeFileSync(
      file,
      `SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId\n,Adele Vance,${EMAIL},+442079469001,,,\n`,
    );
    const imported = await callbridge(
      dataDir,
      'import',
      file,
      '--account',
      accountId,
      '--service',
      serviceId,
    );
    expect(imported.code).toBe(0);
    const importId = /Import ([0-9a-f-]{36})/.exec(imported.stdout)?.[1];
    expect(importId).toBeDefined();
    expect((await callbridge(dataDir, 'sync', '--service', serviceId)).code).toBe(0);
    expect(tenantNumber()).toBe('+442079469001');

    const history = await callbridge(dataDir, 'import', 'history', '--account', accountId);
    expect(history.stdout).toContain(`${importId}`);
    const dry = await callbridge(dataDir, 'import', 'rollback', importId!, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      `restore  ${EMAIL}: phoneNumber +442079469001 -> +442079460001; tenant +442079469001 -> +442079460001`,
    );
    expect(dry.stdout).toContain('Dry run, nothing changed: restore 1, conflicts 0');
    expect(tenantNumber()).toBe('+442079469001');

    const applied = await callbridge(dataDir, 'import', 'rollback', importId!);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Rolled back: restore 1, conflicts 0');
    expect(applied.stdout).toMatch(/Sync run \S+ queued/);
    expect(tenantNumber()).toBe('+442079460001');
  });

  it('plans a sync run’s rollback (already undone by the import’s: unchanged), and refuses a dry run clearly', async () => {
    const history = JSON.parse(
      (await callbridge(dataDir, 'sync', 'history', '--service', serviceId, '--json')).stdout,
    ) as { id: string; dryRun: boolean; counters: Record<string, number> }[];
    // Oldest first among the runs that wrote one number: the sync after the import (the newest is the rollback's).
    const wrote = history.filter((r) => !r.dryRun && r.counters['written'] === 1).at(-1)!;
    const plan = await callbridge(dataDir, 'sync', 'rollback', wrote.id, '--dry-run');
    expect(plan.code).toBe(0);
    // The import's rollback already put the number back where it was before that run: nothing left to do.
    expect(plan.stdout).toContain('Dry run, nothing changed: restore 0, conflicts 0, unchanged 1');
    const dryRun = await callbridge(dataDir, 'sync', '--service', serviceId, '--dry-run', '--json');
    const finished = JSON.parse(dryRun.stdout.trim().split('\n').at(-1)!) as { run: { id: string } };
    const refused = await callbridge(dataDir, 'sync', 'rollback', finished.run.id, '--dry-run');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('was a dry run: only an applied run can be rolled back');
  });
});
