import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { DEMO_TENANT_ID, demoSeed } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { callbridge } from '../support/cli.js';
import { demoConnection } from '../support/demo-tenant-account.js';
import { DIALECTS } from '../support/test-database.js';
import type { TestApp } from '../support/test-app.js';
import { clientAccount, holderOf, securityApp, system } from './support/security-app.js';

/**
 * "Out-of-band consent by an operator" and "one tenant, one account" (issue 14): a platform operator records
 * consent given outside Callbridge, or moves a tenant to another account, from the CLI only (the system actor,
 * audited); no API route does either.
 */
describe.each(DIALECTS)('consent and tenant moves are operator-only (%s)', (dialect) => {
  let emulator: RunningEmulator;
  let t: TestApp;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await securityApp(dialect, emulator);
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('offers no API route that records consent, and refuses a consent state in the connection body', async () => {
    const spec = (await t.app.inject({ url: '/api/docs/json' })).json<{ paths: Record<string, object> }>();
    const consentRoutes = Object.keys(spec.paths).filter((p) => /consent/i.test(p));
    expect(consentRoutes).toEqual(['/api/v1/consent/callback']);
    expect(Object.keys(spec.paths['/api/v1/consent/callback']!)).toEqual(['get']);
    const { account } = await clientAccount(t, 'Sneaky');
    const owner = await holderOf(t, account.id, 'account_owner');
    const answer = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/accounts/${account.id}/tenant-connection`,
      headers: owner.headers,
      payload: { ...demoConnection(emulator), consentState: 'granted' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('consentState');
    await expect(
      t.ctx.services.tenantConnections.recordOperatorConsent(
        { type: 'administrator', id: owner.id, label: owner.email, source: 'api' },
        account.id,
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(await t.ctx.store.repos.tenantConnections.findByAccount(account.id)).toBeUndefined();
  });
});

describe('callbridge tenant-connection consent | move', { timeout: 120_000 }, () => {
  let emulator: RunningEmulator;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-consent-cli-'));
  const context = () =>
    createAppContext(loadConfig({ env: {}, overrides: { dataDir } }), pino({ level: 'silent' }));
  let from: string;
  let to: string;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    const ctx = await context();
    const partner = await ctx.services.accounts.create(system, { name: 'P', kind: 'partner' });
    for (const name of ['Holder', 'Rightful']) {
      const account = await ctx.services.accounts.create(system, {
        name,
        kind: 'client',
        parentId: partner.id,
      });
      if (name === 'Holder') from = account.id;
      else to = account.id;
    }
    await ctx.services.tenantConnections.connect(
      system,
      from,
      demoConnection(emulator),
      'http://localhost/cb',
    );
    await ctx.close();
  });
  afterAll(() => emulator.close());

  const audited = async (ctx: AppContext, accountId: string) =>
    (await ctx.store.repos.audit.list(accountId, { limit: 20 })).map((e) => ({
      action: e.action,
      type: e.actor.type,
      source: e.actor.source,
    }));

  it('records consent given outside Callbridge as the system actor, audited', async () => {
    const result = await callbridge(dataDir, [
      'tenant-connection',
      'consent',
      '--account',
      from,
      '--note',
      'CHG-42',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`tenant ${DEMO_TENANT_ID}, consent granted`);
    const ctx = await context();
    try {
      expect(await ctx.store.repos.tenantConnections.findByAccount(from)).toMatchObject({
        consentState: 'granted',
      });
      expect(await audited(ctx, from)).toContainEqual({
        action: 'tenant_connection.consent_recorded',
        type: 'system',
        source: 'cli',
      });
    } finally {
      await ctx.close();
    }
  });

  it('moves a tenant to another account: the holder loses it, the receiver awaits consent', async () => {
    const result = await callbridge(dataDir, [
      'tenant-connection',
      'move',
      '--tenant',
      DEMO_TENANT_ID,
      '--to',
      to,
    ]);
    expect(result.code).toBe(0);
    const ctx = await context();
    try {
      expect(await ctx.store.repos.tenantConnections.findByAccount(from)).toMatchObject({
        tenantId: null,
        consentState: 'revoked',
      });
      expect(await ctx.store.repos.tenantConnections.findByAccount(to)).toMatchObject({
        tenantId: DEMO_TENANT_ID,
        consentState: 'pending',
      });
      expect(await audited(ctx, from)).toContainEqual({
        action: 'tenant_connection.tenant_moved_away',
        type: 'system',
        source: 'cli',
      });
      expect(await audited(ctx, to)).toContainEqual({
        action: 'tenant_connection.tenant_moved_here',
        type: 'system',
        source: 'cli',
      });
    } finally {
      await ctx.close();
    }
    const refused = await callbridge(dataDir, ['tenant-connection', 'consent', '--account', from]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('names no tenant id');
  });
});
