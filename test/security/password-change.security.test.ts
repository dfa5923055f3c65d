import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { callbridge } from '../support/cli.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const CSRF = { 'x-callbridge-csrf': '1' };

/**
 * Issue 14: nobody could change their own password, and the password printed at the first start (or chosen by
 * an operator) stayed in use for ever. Now: POST /api/session/password, `callbridge admin password`, one password
 * rule everywhere, and a session opened with a password someone else chose can do nothing but change it.
 */
describe.each(DIALECTS)('changing a password on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  const signIn = async (email: string, password: string) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress: `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
      payload: { email, password },
    });
    const cookie = response.cookies.find((c) => c.name === 'cb_session');
    return { response, cookie: cookie ? `cb_session=${cookie.value}` : '' };
  };
  const change = (cookie: string, body: object, headers: Record<string, string> = CSRF) =>
    t.app.inject({
      method: 'POST',
      url: '/api/session/password',
      headers: { cookie, ...headers },
      payload: body,
    });

  it('asks for a new password at the first sign-in with one an operator chose: until then, nothing else works', async () => {
    await t.ctx.services.administrators.create(system, {
      email: 'new.admin@provider.test',
      password: 'chosen by the operator',
    });
    const { response, cookie } = await signIn('new.admin@provider.test', 'chosen by the operator');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ mustChangePassword: true });
    const blocked = await t.app.inject({ url: '/api/v1/accounts', headers: { cookie } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({ code: 'password_change_required' });
    expect(blocked.json().message).toContain('Choose a new password');

    const changed = await change(cookie, {
      currentPassword: 'chosen by the operator',
      newPassword: 'my very own password',
    });
    expect(changed.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/session', headers: { cookie } })).json()).toMatchObject({
      mustChangePassword: false,
    });
    expect((await t.app.inject({ url: '/api/v1/accounts', headers: { cookie } })).statusCode).toBe(200);
    expect((await signIn('new.admin@provider.test', 'chosen by the operator')).response.statusCode).toBe(401);
    expect((await signIn('new.admin@provider.test', 'my very own password')).response.statusCode).toBe(200);
  });

  it('checks the current password, the rules and the CSRF header, and ends the other sessions', async () => {
    await t.ctx.services.administrators.create(system, {
      email: 'self@provider.test',
      password: 'first password here',
      mustChangePassword: false,
    });
    const { cookie } = await signIn('self@provider.test', 'first password here');
    const other = (await signIn('self@provider.test', 'first password here')).cookie;
    const cases: [object, number, string][] = [
      [{ currentPassword: 'not the password', newPassword: 'a fine new password' }, 400, 'currentPassword'],
      [{ currentPassword: 'first password here', newPassword: 'short' }, 400, 'newPassword'],
      [{ currentPassword: 'first password here', newPassword: 'first password here' }, 400, 'newPassword'],
      [{ currentPassword: 'first password here', newPassword: 'a fine new password', extra: 1 }, 400, 'body'],
    ];
    for (const [body, status, field] of cases) {
      const refused = await change(cookie, body);
      expect({ status: refused.statusCode, field: JSON.stringify(refused.json()) }).toEqual({
        status,
        field: expect.stringContaining(field),
      });
    }
    const short = await change(cookie, { currentPassword: 'first password here', newPassword: 'short' });
    expect(short.json().message + JSON.stringify(short.json().details)).toContain('at least 12 characters');
    const noCsrf = await change(
      cookie,
      { currentPassword: 'first password here', newPassword: 'a fine new password' },
      {},
    );
    expect(noCsrf.statusCode).toBe(403);
    expect(
      (await change('', { currentPassword: 'first password here', newPassword: 'a fine new password' }))
        .statusCode,
    ).toBe(401);

    expect(
      (await change(cookie, { currentPassword: 'first password here', newPassword: 'a fine new password' }))
        .statusCode,
    ).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/accounts', headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/accounts', headers: { cookie: other } })).statusCode).toBe(
      401,
    );
    expect(t.logLines.join('\n')).not.toContain('a fine new password');

    // An operator's reset ends every session of the administrator and asks for a new password again.
    const { password } = await t.ctx.services.passwords.reset(system, 'self@provider.test');
    expect((await t.app.inject({ url: '/api/v1/accounts', headers: { cookie } })).statusCode).toBe(401);
    const again = await signIn('self@provider.test', password);
    expect(again.response.json()).toMatchObject({ mustChangePassword: true });
  });
});

describe('the operator’s reset and the first-start administrator', () => {
  it('`callbridge admin password` sets a password with the same rules, to be changed at the next sign-in', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-pw-'));
    const created = await callbridge(dataDir, [
      'admin',
      'create',
      '--email',
      'ops@provider.test',
      '--password',
      'initial long password',
    ]);
    expect(created.code).toBe(0);
    const short = await callbridge(dataDir, [
      'admin',
      'password',
      '--email',
      'ops@provider.test',
      '--password',
      'short',
    ]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 12 characters');
    const unknown = await callbridge(dataDir, ['admin', 'password', '--email', 'who@x.test']);
    expect(unknown.code).toBe(1);
    const reset = await callbridge(dataDir, ['admin', 'password', '--email', 'ops@provider.test']);
    expect(reset.code).toBe(0);
    const printed = /password: (\S+)/.exec(reset.stdout)?.[1];
    expect(printed).toBeDefined();

    const ctx = await createAppContext(
      loadConfig({ env: {}, overrides: { dataDir } }),
      pino({ level: 'silent' }),
    );
    try {
      expect(
        (await ctx.services.administrators.signIn('ops@provider.test', 'initial long password')).ok,
      ).toBe(false);
      const signedIn = await ctx.services.administrators.signIn('ops@provider.test', printed!);
      expect(signedIn.ok && signedIn.administrator.mustChangePassword).toBe(true);
    } finally {
      await ctx.close();
    }
  }, 120_000);

  it('the password printed at the first start must be changed at the first sign-in', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-first-'));
    const child = spawn(
      'node',
      [path.resolve('bin/callbridge.js'), 'serve', '--port', '0', '--roles', 'api'],
      {
        env: {
          ...process.env,
          CALLBRIDGE_DATA_DIR: dataDir,
          CALLBRIDGE_DEMO: 'false',
          CALLBRIDGE_LOG_LEVEL: 'warn',
        },
      },
    );
    try {
      let out = '';
      const [url, password] = await new Promise<[string, string]>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const at = /running at (http:\/\/localhost:\d+)/.exec(out)?.[1];
          const pw = /with password (\S+) /.exec(out)?.[1];
          if (at && pw) resolve([at, pw]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      expect(out).toContain('you will be asked to choose a new one');
      const signedIn = await fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@callbridge.local', password }),
      });
      expect(await signedIn.json()).toMatchObject({ mustChangePassword: true });
      const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect((await fetch(`${url}/api/v1/accounts`, { headers: { cookie } })).status).toBe(403);
      const changed = await fetch(`${url}/api/session/password`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...CSRF },
        body: JSON.stringify({ currentPassword: password, newPassword: 'the operator chose this' }),
      });
      expect(changed.status).toBe(204);
      expect((await fetch(`${url}/api/v1/accounts`, { headers: { cookie } })).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});
