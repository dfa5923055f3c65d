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

  it('serves the demo with the Teams edge healthy against the Teams SIP emulator, whose voice route leads to it', async () => {
    const { dataDir, child, url, out } = await serveDemoWithSip('cb-serve-edge-');
    try {
      expect(out).toMatch(/Teams SIP emulator \(Microsoft's Direct Routing proxies\) on 127\.0\.0\.1:\d+/);
      const token = (await callbridge(dataDir, 'token', 'create', '--name', 'script')).stdout.trim();
      const edge = async () =>
        (await (
          await fetch(`${url}/api/v1/teams-edge`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as {
          configured: boolean;
          baseDomain: string;
          proxies: { proxy: string; healthy: boolean }[];
        };
      await expect
        .poll(async () => (await edge()).proxies.map((p) => `${p.proxy} ${p.healthy}`), { timeout: 15_000 })
        .toEqual([
          'sip.pstnhub.microsoft.com true',
          'sip2.pstnhub.microsoft.com true',
          'sip3.pstnhub.microsoft.com true',
        ]);
      expect(await edge()).toMatchObject({ configured: true, baseDomain: 'sbc.callbridge.local' });
      // A Teams user of the demo tenant calls: the voice route names the demo service's subdomain, so the INVITE
      // reaches our edge, which finds the service and answers 404 (no Callbridge user has that number before sync).
      const placed = await runCli(dataDir, [
        'emulator',
        'teams-sip',
        'call',
        '--from',
        '+442079460001',
        '--to',
        '+441234999999',
      ]);
      expect(placed.code).toBe(0);
      expect(JSON.parse(placed.stdout)).toMatchObject({
        sbcFqdn: expect.stringMatching(/^[0-9a-f]{8}\.sbc\.callbridge\.local$/),
      });
      await expect
        .poll(
          async () =>
            JSON.parse(
              (await runCli(dataDir, ['emulator', 'teams-sip', 'calls', '--json'])).stdout,
            ) as unknown,
          {
            timeout: 30_000,
          },
        )
        .toEqual([expect.objectContaining({ direction: 'from-teams', state: 'failed', status: 404 })]);
    } finally {
      child.kill('SIGTERM');
    }
  });
  it('serves the demo PBX: synced users register there (green), and a test call from the CLI is answered by the Teams emulator', async () => {
    const { dataDir, child, url, out } = await serveDemoWithSip('cb-serve-demo-pbx-');
    try {
      expect(out).toMatch(/Demo PBX on 127\.0\.0\.1:\d+: .*extensions 2000 .* and 2001 /);
      const accountId = /Contoso \(demo\)" \(([0-9a-f-]{36})\)/.exec(out)?.[1] ?? '';
      const token = (await callbridge(dataDir, 'token', 'create', '--name', 'script')).stdout.trim();
      const services = (await (
        await fetch(`${url}/api/v1/accounts/${accountId}/services`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { items: { id: string; proxyHost: string; proxyPort: number }[] };
      const service = services.items[0]!;
      // The demo service points at the demo PBX started in-process.
      expect(out).toContain(`Demo PBX on ${service.proxyHost}:${service.proxyPort}`);
      const synced = await callbridge(
        dataDir,
        'sync',
        'run',
        '--service',
        service.id,
        '--account',
        accountId,
      );
      expect(synced.code, synced.stderr).toBe(0);
      // The demo PBX's provisioner gives each synced user with a number an extension; they register and turn green.
      type Listed = {
        items: { id: string; phoneNumber: string | null; sipUsername: string | null }[];
        total: number;
      };
      const registered = async () =>
        JSON.parse(
          (
            await callbridge(
              dataDir,
              'users',
              'list',
              '--account',
              accountId,
              '--state',
              'registered',
              '--json',
            )
          ).stdout,
        ) as Listed;
      await expect
        .poll(async () => (await registered()).total, { timeout: 45_000, interval: 2_000 })
        .toBeGreaterThan(0);
      const user = (await registered()).items.find((u) => u.phoneNumber)!;
      expect(user.sipUsername).toBe(user.phoneNumber!.replace('+', ''));
      const placed = await runCli(dataDir, [
        'users',
        'test-call',
        user.id,
        '--account',
        accountId,
        '--url',
        url,
        '--token',
        token,
        '--seconds',
        '1',
        '--json',
      ]);
      expect(placed.code, placed.stderr + placed.stdout).toBe(0);
      expect(JSON.parse(placed.stdout)).toMatchObject({
        phase: 'ended',
        result: 'answered',
        finalStatus: 200,
        callRecordId: expect.any(String),
      });
      const noToken = await callbridge(
        dataDir,
        'users',
        'test-call',
        user.id,
        '--account',
        accountId,
        '--url',
        url,
      );
      expect(noToken).toMatchObject({ code: 1, stderr: expect.stringContaining('give an API token') });
    } finally {
      child.kill('SIGTERM');
    }
  });
});

/**
 * `serve --roles api,sip` on the demo with loopback SIP and edge ports (free ones, so parallel runs do not clash; the
 * demo's defaults are 5060 and 5061); resolves with its API's URL and what it printed once the Teams SIP emulator is up.
 * The caller kills `child`.
 */
async function serveDemoWithSip(prefix: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const child = spawn(
    'node',
    [path.resolve('bin/callbridge.js'), 'serve', '--port', '0', '--roles', 'api,sip'],
    {
      env: {
        ...process.env,
        CALLBRIDGE_DATA_DIR: dataDir,
        CALLBRIDGE_LOG_FORMAT: 'json',
        CALLBRIDGE_SIP_HOST: '127.0.0.1',
        CALLBRIDGE_SIP_PORT: '0',
        CALLBRIDGE_SBC_HOST: '127.0.0.1',
        CALLBRIDGE_SBC_SIGNALLING_PORT: '0',
      },
    },
  );
  let out = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /running at (http:\/\/localhost:\d+)/.exec(out);
        if (match?.[1] && out.includes('Teams SIP emulator')) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
    return { dataDir, child, url, out };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}
