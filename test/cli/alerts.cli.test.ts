import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { callbridge } from '../support/cli.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** `callbridge alerts evaluate|list`: the real binary on the installation's data directory. */
describe('callbridge alerts', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-cli-alerts-'));
  const env = { CALLBRIDGE_DATA_DIR: dataDir, CALLBRIDGE_DEMO: 'false' };
  let accountId = '';

  beforeAll(async () => {
    const ctx = await createAppContext(loadConfig({ env }), pino({ level: 'silent' }));
    try {
      const partner = await ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
      accountId = (
        await ctx.services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
      ).id;
      const service = await ctx.services.voiceServices.create(system, accountId, {
        name: 'Head office PBX',
        sipDomain: 'pbx.example',
      });
      const run = await ctx.store.repos.syncRuns.create({
        accountId,
        serviceId: service.id,
        dryRun: false,
        diagnostic: false,
        trigger: 'schedule',
        startedBy: 'schedule',
      });
      await ctx.store.repos.syncRuns.update(run.id, {
        state: 'failed',
        error: 'Microsoft could not be reached',
        finishedAt: new Date().toISOString(),
      });
    } finally {
      await ctx.close();
    }
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('evaluates on demand, then lists the open alert and filters by kind', async () => {
    const evaluated = await callbridge(dataDir, ['alerts', 'evaluate'], env);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const listed = await callbridge(
      dataDir,
      ['alerts', 'list', '--account', accountId, '--state', 'open'],
      env,
    );
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('sync_failed');
    expect(listed.stdout).toContain('Head office PBX');
    const none = await callbridge(
      dataDir,
      ['alerts', 'list', '--account', accountId, '--kind', 'asr_drop', '--json'],
      env,
    );
    expect(JSON.parse(none.stdout).items).toEqual([]);
    const wrong = await callbridge(
      dataDir,
      ['alerts', 'list', '--account', accountId, '--kind', 'weather'],
      env,
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('kind');
  });
});
