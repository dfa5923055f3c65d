import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { callbridge as runCli } from '../support/cli.js';

const callbridge = (dataDir: string, ...args: string[]) => runCli(dataDir, args);

// Each command is a fresh Node process (tsx start-up included): allow for a loaded two-core machine.
describe('callbridge CLI', { timeout: 120_000 }, () => {
  it('bootstraps an administrator and a token, and creates and lists records as JSON', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-cli-'));
    expect(
      (
        await callbridge(
          dataDir,
          'admin',
          'create',
          '--email',
          'ops@example.com',
          '--password',
          'a long password',
        )
      ).code,
    ).toBe(0);
    const token = (await callbridge(dataDir, 'token', 'create')).stdout.trim();
    expect(token).toMatch(/^cb_[A-Za-z0-9_-]{40,}$/);
    const partner = JSON.parse(
      (await callbridge(dataDir, 'accounts', 'create', '--name', 'Provider', '--kind', 'partner', '--json'))
        .stdout,
    )[0];
    const client = JSON.parse(
      (await callbridge(dataDir, 'accounts', 'create', '--name', 'Contoso', '--parent', partner.id, '--json'))
        .stdout,
    )[0];
    const listed = JSON.parse(
      (await callbridge(dataDir, 'accounts', 'list', '--parent', partner.id, '--json')).stdout,
    );
    expect(listed).toEqual([client]);
    const users = JSON.parse(
      (await callbridge(dataDir, 'users', 'list', '--account', client.id, '--json')).stdout,
    );
    expect(users).toEqual({ items: [], total: 0, totalIs: 'exact', nextCursor: null });
  });

  it('says what is wrong and exits non-zero', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-cli-'));
    const weak = await callbridge(
      dataDir,
      'admin',
      'create',
      '--email',
      'ops@example.com',
      '--password',
      'short',
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('password: must be at least 12 characters');
    const unknown = await callbridge(
      dataDir,
      'users',
      'show',
      '00000000-0000-4000-8000-000000000000',
      '--account',
      'nope',
    );
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('was not found') });
    const badConfig = await callbridge(dataDir, '--database-url', 'mysql://x', 'accounts');
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('CALLBRIDGE_DATABASE_URL');
  });

  it('serves: prints where to go and how to sign in, and answers /readyz', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-serve-'));
    const child = spawn(
      'node',
      [path.resolve('bin/callbridge.js'), 'serve', '--port', '0', '--roles', 'api'],
      {
        env: { ...process.env, CALLBRIDGE_DATA_DIR: dataDir, CALLBRIDGE_LOG_FORMAT: 'json' },
      },
    );
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /running at (http:\/\/localhost:\d+)/.exec(out);
          if (match?.[1] && out.includes('Demo: account')) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      expect(out).toMatch(/Sign in as admin@callbridge\.local with password \S+/);
      expect(out).toContain('Demo: account "Contoso (demo)"');
      const ready = await fetch(`${url}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ready', database: 'sqlite' });
      const token = (await callbridge(dataDir, 'token', 'create', '--name', 'script')).stdout.trim();
      const accounts = await fetch(`${url}/api/v1/accounts`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(accounts.status).toBe(200);
      expect(((await accounts.json()) as { items: { name: string }[] }).items.map((a) => a.name)).toEqual([
        'Contoso (demo)',
        'Demo Provider',
      ]);
      expect((await fetch(`${url}/api/v1/accounts`)).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
