import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { DEMO_TENANT_ID, demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import { demoTenantAccount } from '../support/demo-tenant-account.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { until } from '../support/until.js';

const actor = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe('a sync whose process is killed', { timeout: 120_000 }, () => {
  let emulator: RunningEmulator;
  let ctx: AppContext;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-resume-'));
  const secretKey = randomBytes(32).toString('base64');
  afterAll(async () => {
    await ctx?.close();
    await emulator?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is taken over by the next worker once its lease runs out, and converges', async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    ctx = await createAppContext(
      loadConfig({
        env: {},
        overrides: {
          dataDir,
          secretKey,
          demo: false,
          jobLeaseSeconds: 2,
          // Outside demo mode the emulator's plain-http loopback endpoints must be allowed by the operator.
          microsoftAllowedEndpoints: `${emulator.url},${emulator.teamsAdminUrl}`,
        },
      }),
      pino({ level: 'silent' }),
    );
    const { services, store } = ctx;
    const { account, service } = await demoTenantAccount(ctx, emulator);
    await services.sync.start(actor, account.id, service.id);
    await ctx.createWorker().drain();
    const users = await store.repos.users.listForSync(account.id, service.id);
    const numbers = new Map([
      [demoUserId(11), '+442079460111'],
      [demoUserId(12), '+442079460112'],
    ]);
    for (const [objectId, number] of numbers) {
      await services.users.update(actor, account.id, users.find((u) => u.objectId === objectId)!.id, {
        phoneNumber: number,
      });
    }
    // Number assignments stay "running" at Microsoft for a while: the kill lands in the middle of the writes.
    emulator.tenants.get(DEMO_TENANT_ID)!.telephony.operationDelayMs = 3_000;

    const child = spawn(
      process.execPath,
      ['bin/callbridge.js', 'sync', '--account', account.id, '--service', service.id],
      {
        env: {
          ...process.env,
          CALLBRIDGE_DATA_DIR: dataDir,
          CALLBRIDGE_SECRET_KEY: secretKey,
          CALLBRIDGE_JOB_LEASE_SECONDS: '2',
          CALLBRIDGE_DEMO: 'false',
        },
        stdio: 'ignore',
      },
    );
    const operations = () => emulator.tenants.get(DEMO_TENANT_ID)!.telephony.operations.size;
    await until(() => operations() >= 1, 60_000, 'the killed process started writing numbers');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const [killed] = await services.sync.history(actor, account.id, service.id, 1);
    expect(killed?.state).toBe('running');

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await ctx.createWorker().drain()).toBe(1);
    const resumed = await services.sync.getRun(actor, account.id, killed!.id);
    expect(resumed.state).toBe('succeeded');
    const after = await store.repos.users.listForSync(account.id, service.id);
    for (const [objectId, number] of numbers) {
      expect(after.find((u) => u.objectId === objectId)).toMatchObject({
        phoneNumber: number,
        syncedLine: number,
        syncError: null,
      });
    }
    expect((await services.sync.overview(actor, account.id, service.id)).status).toBe('up_to_date');
    const job = await store.repos.jobs.findById(resumed.jobId!);
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
  });
});
