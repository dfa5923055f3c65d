import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { callbridge as runCli } from '../support/cli.js';

const setup = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

const callbridge = (dataDir: string, ...args: string[]) =>
  runCli(dataDir, args, { CALLBRIDGE_DEMO: 'false' });

// Each command is a fresh Node process (tsx start-up included): allow for a loaded two-core machine.
describe('callbridge admin, licences, phone-app, audit and secrets', { timeout: 180_000 }, () => {
  it('grants roles, invites with a link, shows licences and the Phone App step, exports the audit log, rotates the key', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-access-cli-'));
    const ctx = await createAppContext(
      loadConfig({ env: {}, overrides: { dataDir } }),
      pino({ level: 'warn' }),
    );
    let accountId: string;
    let serviceId: string;
    try {
      const partner = await ctx.services.accounts.create(setup, { name: 'Provider', kind: 'partner' });
      const client = await ctx.services.accounts.create(setup, {
        name: 'Contoso',
        kind: 'client',
        parentId: partner.id,
      });
      accountId = client.id;
      serviceId = (
        await ctx.services.voiceServices.create(setup, accountId, {
          name: 'PBX',
          sipDomain: 'pbx.example',
          country: 'GB',
        })
      ).id;
      await ctx.services.subscriptions.create(setup, accountId, {
        sku: 'pbx_user',
        quantity: 3,
        trial: true,
      });
      await ctx.services.users.create(setup, accountId, {
        serviceId,
        email: 'a@contoso.example',
        displayName: 'A',
        sipUsername: 'a',
        sipPassword: 'sip password a',
      });
    } finally {
      await ctx.close();
    }

    const created = await callbridge(
      dataDir,
      'admin',
      'create',
      '--email',
      'owner@contoso.example',
      '--password',
      'a long enough password',
      '--account',
      accountId,
    );
    expect(created.stdout).toContain(`as Account Owner of ${accountId}`);
    const roles = await callbridge(dataDir, 'admin', 'roles', '--account', accountId);
    expect(roles.stdout).toMatch(/owner@contoso\.example\s+Account Owner/);

    const invited = await callbridge(
      dataDir,
      'admin',
      'invite',
      '--account',
      accountId,
      '--email',
      'ops@contoso.example',
      '--role',
      'sync_contributor',
    );
    expect(invited.stdout).toContain('No mail server is configured');
    expect(invited.stdout).toMatch(/\/invitation#token=cbi_/);
    const badRole = await callbridge(
      dataDir,
      'admin',
      'grant',
      '--account',
      accountId,
      '--email',
      'x@y.z',
      '--role',
      'boss',
    );
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain('--role must be one of account_owner');

    const licences = await callbridge(dataDir, 'licences', '--account', accountId);
    expect(licences.stdout).toMatch(/PBX user\s+3\s+1\s+2\s+\d{4}-\d\d-\d\dT\S+\s+trial/);

    const phoneApp = await callbridge(
      dataDir,
      'phone-app',
      'enable',
      '--account',
      accountId,
      '--service',
      serviceId,
    );
    expect(phoneApp.code).not.toBe(0);
    expect(phoneApp.stderr).toContain('The Phone App service has not been provisioned to this account');

    const audit = await callbridge(dataDir, 'audit', '--account', accountId, '--export', 'csv');
    const lines = audit.stdout.trim().split('\n');
    expect(lines[0]).toBe('at,actor,actorType,source,action,objectType,objectId,before,after');
    expect(audit.stdout).toContain('invitation.create');
    expect(audit.stdout).toContain('role.grant');
    expect(audit.stdout).not.toContain('sip password a');

    const rotated = await callbridge(dataDir, 'secrets', 'rotate-key');
    expect(rotated.stdout).toMatch(/Re-encrypted 1 secrets: key \S+ -> \S+/);
    expect(readdirSync(dataDir).some((f) => f.startsWith('secret.key.retired-'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'secret.key.next'))).toBe(false);
    // The rotated secret still opens with the key now on disk.
    const after = await createAppContext(
      loadConfig({ env: {}, overrides: { dataDir } }),
      pino({ level: 'warn' }),
    );
    try {
      const [stored] = await after.store.repos.users.listPasswordCiphertexts();
      expect(after.secrets.decrypt(stored!.ciphertext)).toBe('sip password a');
    } finally {
      await after.close();
    }
  });
});
