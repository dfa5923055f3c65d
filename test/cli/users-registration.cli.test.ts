import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { callbridge } from '../support/cli.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/**
 * Issue 22 in the CLI: `users list --state` and the registration column (final, or when the next attempt comes),
 * `users retry` (the SIP role, wherever it runs, sees the request in the database) and `users delete` (audited,
 * licence freed). Each command is the real binary in a fresh process on the installation's data directory.
 */
describe('callbridge users: registration state, retry and delete', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-cli-users-'));
  const env = { CALLBRIDGE_DATA_DIR: dataDir, CALLBRIDGE_DEMO: 'false' };
  const open = () => createAppContext(loadConfig({ env }), pino({ level: 'silent' }));
  let accountId = '';
  const ids: Record<'registered' | 'wrongPassword' | 'unreachable', string> = {
    registered: '',
    wrongPassword: '',
    unreachable: '',
  };
  const retryAt = '2030-01-02T03:04:05.000Z';

  beforeAll(async () => {
    const ctx = await open();
    try {
      const partner = await ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
      accountId = (
        await ctx.services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
      ).id;
      await ctx.services.subscriptions.create(system, accountId, { sku: 'pbx_user', quantity: 5 });
      const service = await ctx.services.voiceServices.create(system, accountId, {
        name: 'PBX',
        sipDomain: 'pbx.example',
      });
      for (const [n, key] of (['registered', 'wrongPassword', 'unreachable'] as const).entries()) {
        ids[key] = (
          await ctx.services.users.create(system, accountId, {
            serviceId: service.id,
            email: `user${n}@contoso.example`,
            displayName: `User ${n}`,
            sipUsername: `10${n}`,
            sipPassword: `secret-${n}`,
          })
        ).id;
      }
      // States as the SIP role reports them.
      const users = ctx.store.repos.users;
      await users.recordRegistrationState(ids.registered, 'registered', { expiresAt: retryAt });
      await users.recordRegistrationState(ids.wrongPassword, 'failed', {
        statusCode: 401,
        reason: 'Unauthorized',
        final: true,
      });
      await users.recordRegistrationState(ids.unreachable, 'failed', {
        statusCode: 503,
        reason: 'UDP send failed',
        final: false,
        retryAt,
      });
    } finally {
      await ctx.close();
    }
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const withContext = async <T>(work: (ctx: AppContext) => Promise<T>): Promise<T> => {
    const ctx = await open();
    try {
      return await work(ctx);
    } finally {
      await ctx.close();
    }
  };

  it('lists users by registration state, saying whether a failure is final or when the next attempt is', async () => {
    const json = await callbridge(
      dataDir,
      ['users', 'list', '--account', accountId, '--state', 'failed', '--json'],
      env,
    );
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as {
      items: { id: string; registration: string }[];
      total: number;
    };
    expect(listed.total).toBe(2);
    expect(Object.fromEntries(listed.items.map((u) => [u.id, u.registration]))).toEqual({
      [ids.wrongPassword]: '401 Unauthorized; final: fix the settings or retry now',
      [ids.unreachable]: `503 UDP send failed; next attempt ${retryAt}`,
    });
    const table = await callbridge(
      dataDir,
      ['users', 'list', '--account', accountId, '--state', 'registered'],
      env,
    );
    expect(table.stdout).toContain(`until ${retryAt}`);
    expect(table.stdout).toContain('1 of 1 users');
    const wrong = await callbridge(dataDir, ['users', 'list', '--account', accountId, '--state', 'up'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('registrationState');
  });

  it('retry asks the SIP role to try a failed registration again, and refuses one that is not failed', async () => {
    const retried = await callbridge(
      dataDir,
      ['users', 'retry', ids.wrongPassword, '--account', accountId],
      env,
    );
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('User 1: registration pending; the SIP role tries again now.');
    await withContext(async (ctx) => {
      const user = await ctx.store.repos.users.findById(accountId, ids.wrongPassword);
      expect(user?.registrationState).toBe('pending');
      const row = (await ctx.store.repos.users.listRegistrationsForSystem()).find(
        (u) => u.id === ids.wrongPassword,
      );
      expect(Date.parse(row!.retryRequestedAt!)).toBeGreaterThan(Date.now() - 120_000);
      const audit = await ctx.services.audit.list(system, accountId, { limit: 10 });
      expect(audit[0]).toMatchObject({ action: 'user.registration_retry', objectId: ids.wrongPassword });
    });
    const refused = await callbridge(
      dataDir,
      ['users', 'retry', ids.registered, '--account', accountId],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "Only a failed registration can be retried; this user's registration is registered.",
    );
  });

  it('delete removes the user, audited, and frees the licence', async () => {
    const deleted = await callbridge(
      dataDir,
      ['users', 'delete', ids.unreachable, '--account', accountId],
      env,
    );
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('Deleted User 2 (user2@contoso.example).');
    await withContext(async (ctx) => {
      expect(await ctx.store.repos.users.findById(accountId, ids.unreachable)).toBeUndefined();
      const audit = await ctx.services.audit.list(system, accountId, { limit: 10 });
      expect(audit[0]).toMatchObject({ action: 'user.delete', objectId: ids.unreachable, after: null });
      const [line] = await ctx.services.licences.summary(system, accountId);
      expect(line).toMatchObject({ sku: 'pbx_user', held: 5, used: 2, free: 3 });
    });
    const again = await callbridge(
      dataDir,
      ['users', 'delete', ids.unreachable, '--account', accountId],
      env,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('not_found');
  });
});
