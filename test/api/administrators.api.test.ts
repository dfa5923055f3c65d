import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { rotateKey } from '../../src/services/secrets/key-rotation.js';
import { openSecretBox } from '../../src/services/secrets/secret-box.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

async function clientAccount(t: TestApp, name: string) {
  const partner = await t.ctx.services.accounts.create(system, { name: `${name} Partner`, kind: 'partner' });
  const client = await t.ctx.services.accounts.create(system, { name, kind: 'client', parentId: partner.id });
  const service = await t.ctx.services.voiceServices.create(system, client.id, {
    name: 'PBX',
    sipDomain: 'pbx.example',
    country: 'GB',
  });
  return { partner, client, service };
}

const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');

describe('invitations without a mail server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('shows the link to the inviter; the invitee chooses a password, is signed in, and holds exactly the role', async () => {
    const { client, service } = await clientAccount(t, 'Fabrikam');
    const invited = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${client.id}/invitations`,
      headers: { authorization: `Bearer ${t.token}` },
      payload: { email: 'New.Admin@Fabrikam.test', role: 'service_viewer' },
    });
    expect(invited.statusCode).toBe(201);
    const { link, emailed, invitation } = invited.json<{
      link: string;
      emailed: boolean;
      invitation: object;
    }>();
    expect(emailed).toBe(false);
    expect(link).toMatch(/^http:\/\/localhost:8080\/invitation#token=cbi_/);
    expect(invitation).toMatchObject({
      email: 'new.admin@fabrikam.test',
      role: 'service_viewer',
      acceptedAt: null,
    });

    const lookup = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/lookup',
      payload: { token: tokenOf(link) },
    });
    expect(lookup.json()).toEqual({
      email: 'new.admin@fabrikam.test',
      accountName: 'Fabrikam',
      role: 'service_viewer',
      existingAdministrator: false,
    });
    const tooShort = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token: tokenOf(link), password: 'short' },
    });
    expect(tooShort.statusCode).toBe(400);

    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token: tokenOf(link), password: 'a long new password', displayName: 'New Admin' },
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ email: 'new.admin@fabrikam.test', platformOperator: false });
    const cookie = accepted.cookies.find((c) => c.name === 'cb_session');
    const headers = { cookie: `cb_session=${cookie!.value}`, 'x-callbridge-csrf': '1' };
    const accounts = await t.app.inject({ url: '/api/v1/accounts', headers });
    expect(accounts.json<{ items: { id: string }[] }>().items.map((a) => a.id)).toEqual([client.id]);
    const access = await t.app.inject({ url: `/api/v1/accounts/${client.id}/access`, headers });
    expect(access.json()).toMatchObject({
      platformOperator: false,
      roles: [{ role: 'service_viewer', roleLabel: 'Service Viewer' }],
    });
    expect(access.json<{ permissions: string[] }>().permissions).not.toContain('service.write');
    const read = await t.app.inject({ url: `/api/v1/accounts/${client.id}/services/${service.id}`, headers });
    expect(read.statusCode).toBe(200);
    const change = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${client.id}/services/${service.id}`,
      headers,
      payload: { registrationExpiry: 600 },
    });
    expect(change.statusCode).toBe(403);

    const again = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token: tokenOf(link), password: 'a long new password' },
    });
    expect(again.statusCode).toBe(404);
    expect(again.json().message).toContain('used already, revoked or has expired');
    const trail = await t.ctx.services.audit.list(system, client.id, { objectType: 'invitation' });
    expect(trail.map((e) => e.action)).toEqual(['invitation.accept', 'invitation.create']);
  });

  it('adds a role to an existing administrator only with their password, and refuses revoked invitations', async () => {
    const { client } = await clientAccount(t, 'Northwind');
    await t.ctx.services.administrators.create(system, {
      email: 'existing@northwind.test',
      password: 'existing password 1',
    });
    const { link } = await t.ctx.services.invitations.invite(system, client.id, {
      email: 'existing@northwind.test',
      role: 'sync_contributor',
    });
    const described = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/lookup',
      payload: { token: tokenOf(link!) },
    });
    expect(described.json()).toMatchObject({ existingAdministrator: true, role: 'sync_contributor' });
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token: tokenOf(link!), password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(401);
    const right = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token: tokenOf(link!), password: 'existing password 1' },
    });
    expect(right.statusCode).toBe(200);
    const roles = await t.ctx.services.administrators.listRoles(system, client.id);
    expect(roles.assignments.map((a) => [a.email, a.role])).toEqual([
      ['existing@northwind.test', 'sync_contributor'],
    ]);

    const second = await t.ctx.services.invitations.invite(system, client.id, {
      email: 'later@northwind.test',
      role: 'service_viewer',
    });
    await t.ctx.services.invitations.revokeInvitation(system, client.id, second.invitation.id);
    const revoked = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token: tokenOf(second.link!), password: 'a long new password' },
    });
    expect(revoked.statusCode).toBe(404);
  });

  it('lets a Subscription Owner grant subscription roles only, and keeps the last Account Owner', async () => {
    const { client } = await clientAccount(t, 'Litware');
    await t.ctx.services.administrators.create(system, {
      email: 'subs@litware.test',
      password: 'long enough password',
    });
    await t.ctx.services.administrators.grantRole(
      system,
      client.id,
      'subs@litware.test',
      'subscription_owner',
    );
    const { token } = await t.ctx.services.administrators.createToken(system, 'subs@litware.test', 't');
    const invite = (role: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${client.id}/invitations`,
        headers: { authorization: `Bearer ${token}` },
        payload: { email: 'x@litware.test', role },
      });
    expect((await invite('subscription_viewer')).statusCode).toBe(201);
    const owner = await invite('account_owner');
    expect(owner.statusCode).toBe(403);
    expect(owner.json().message).toContain('Account Owner');

    const only = await t.ctx.services.administrators.create(system, {
      email: 'only@litware.test',
      password: 'long enough password',
    });
    await t.ctx.services.administrators.grantRole(system, client.id, 'only@litware.test', 'account_owner');
    await expect(
      t.ctx.services.administrators.revokeRole(system, client.id, only.id, 'account_owner'),
    ).rejects.toThrow('last Account Owner');
  });
});

describe('invitations through a mail server', () => {
  let t: TestApp;
  let smtp: SMTPServer;
  const mails: string[] = [];
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push(text);
          callback();
        });
      },
    });
    const port = await new Promise<number>((resolve) =>
      smtp.listen(0, '127.0.0.1', () => resolve((smtp.server.address() as { port: number }).port)),
    );
    t = await createTestApp('sqlite', {
      config: { smtpUrl: `smtp://127.0.0.1:${port}`, publicUrl: 'https://portal.example.test' },
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('mails the link instead of showing it, and the mailed link works', async () => {
    const { client } = await clientAccount(t, 'Adatum');
    const invited = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${client.id}/invitations`,
      headers: { authorization: `Bearer ${t.token}` },
      payload: { email: 'ops@adatum.test', role: 'service_contributor' },
    });
    expect(invited.statusCode).toBe(201);
    expect(invited.json()).toMatchObject({ emailed: true });
    expect(invited.json().link).toBeUndefined();
    expect(mails).toHaveLength(1);
    const mail = mails[0]!.replace(/=\r?\n/g, '');
    expect(mail).toContain('To: ops@adatum.test');
    expect(mail).toContain('Adatum');
    const link =
      /https:\/\/portal\.example\.test\/invitation#token=3D(cbi_[A-Za-z0-9_-]+)|https:\/\/portal\.example\.test\/invitation#token=(cbi_[A-Za-z0-9_-]+)/.exec(
        mail,
      );
    const token = link?.[1] ?? link?.[2];
    expect(token).toMatch(/^cbi_/);
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token, password: 'a long new password' },
    });
    expect(accepted.statusCode).toBe(200);
  });
});

describe('password sign-in lockout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { config: { signInLockAfter: 3, signInLockMinutes: 15 } });
    await t.ctx.services.administrators.create(system, {
      email: 'locked@x.test',
      password: 'the right password',
    });
  });
  afterAll(() => t.close());

  const signIn = (password: string) =>
    t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'locked@x.test', password } });

  it('locks after repeated failures, even for the right password, until an operator unlocks', async () => {
    for (let i = 0; i < 2; i += 1) expect((await signIn('wrong password')).statusCode).toBe(401);
    const third = await signIn('wrong password');
    expect(third.statusCode).toBe(401);
    // The lock answers like any refusal (an unknown email gets the same), and says the rule.
    expect(third.json().message).toContain('sign-in is locked for 15 minutes');
    const right = await signIn('the right password');
    expect(right.statusCode).toBe(401);
    expect(right.json()).toEqual(third.json());
    const admin0 = await t.ctx.store.repos.administrators.findByEmail('locked@x.test');
    expect(admin0?.lockedUntil).not.toBeNull();
    const admin = await t.ctx.store.repos.administrators.findByEmail('locked@x.test');
    await t.ctx.store.repos.administrators.clearFailedSignIns(admin!.id);
    expect((await signIn('the right password')).statusCode).toBe(200);
  });
});

describe('audit log API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('lists changes by object with before/after and source, pages, and exports CSV and JSON lines', async () => {
    const { client, service } = await clientAccount(t, 'Tailspin');
    const headers = { authorization: `Bearer ${t.token}` };
    const user = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${client.id}/users`,
      headers,
      payload: {
        serviceId: service.id,
        email: 'a@tailspin.test',
        displayName: 'A',
        sipPassword: 'pw-in-audit-1',
      },
    });
    const userId = user.json<{ id: string }>().id;
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${client.id}/users/${userId}`,
      headers,
      payload: { displayName: 'A Renamed', sipPassword: 'pw-in-audit-2' },
    });
    const page = await t.app.inject({
      url: `/api/v1/accounts/${client.id}/audit?objectType=user&objectId=${userId}&limit=1`,
      headers,
    });
    const body = page.json<{
      items: { action: string; before: object; after: object; actor: object }[];
      nextCursor: string;
    }>();
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      action: 'user.update',
      actor: { label: 'owner@callbridge.test', source: 'api' },
      before: { displayName: 'A' },
      after: { displayName: 'A Renamed' },
    });
    const rest = await t.app.inject({
      url: `/api/v1/accounts/${client.id}/audit?objectType=user&objectId=${userId}&before=${body.nextCursor}`,
      headers,
    });
    expect(rest.json<{ items: { action: string }[] }>().items.map((e) => e.action)).toEqual(['user.create']);

    const csv = await t.app.inject({ url: `/api/v1/accounts/${client.id}/audit/export?format=csv`, headers });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('at,actor,actorType,source,action,objectType,objectId,before,after');
    expect(lines.some((l) => l.includes('user.update'))).toBe(true);
    const jsonl = await t.app.inject({
      url: `/api/v1/accounts/${client.id}/audit/export?format=jsonl`,
      headers,
    });
    const entries = jsonl.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['service.create', 'user.create', 'user.update']),
    );
    for (const text of [csv.body, jsonl.body, page.body]) {
      expect(text).not.toContain('pw-in-audit-1');
      expect(text).not.toContain('pw-in-audit-2');
    }
  });
});

describe('secret key rotation', () => {
  it('re-encrypts every secret in one go, switches key files, and a running process follows', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-rotate-'));
    const config = loadConfig({ env: {}, overrides: { dataDir, demo: false } });
    const ctx = await createAppContext(config, pino({ level: 'silent' }));
    try {
      const { services } = ctx;
      const partner = await services.accounts.create(system, { name: 'P', kind: 'partner' });
      const client = await services.accounts.create(system, {
        name: 'C',
        kind: 'client',
        parentId: partner.id,
      });
      await services.subscriptions.create(system, client.id, { sku: 'pbx_user', quantity: 3 });
      const service = await services.voiceServices.create(system, client.id, {
        name: 'PBX',
        sipDomain: 'pbx.example',
        country: 'GB',
      });
      for (let i = 0; i < 3; i += 1) {
        await services.users.create(system, client.id, {
          serviceId: service.id,
          email: `u${i}@c.test`,
          displayName: `U${i}`,
          sipUsername: `u${i}`,
          sipPassword: `sip password ${i}`,
        });
      }
      await services.tenantConnections.connect(
        system,
        client.id,
        { cloud: 'global', clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'the app secret' },
        'http://localhost/cb',
      );
      const oldBox = ctx.secrets;
      const result = await rotateKey(ctx.store, system, { dataDir });
      expect(result.reencrypted).toBe(4);
      expect(result.newKeyId).not.toBe(result.oldKeyId);
      expect(existsSync(path.join(dataDir, `secret.key.retired-${result.oldKeyId}`))).toBe(true);
      expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
      expect(readdirSync(dataDir)).not.toContain('secret.key.next');

      const fresh = openSecretBox({ dataDir });
      expect(fresh.keyId).toBe(result.newKeyId);
      const passwords = await ctx.store.repos.users.listPasswordCiphertexts();
      expect(passwords.every((p) => fresh.isCurrent(p.ciphertext))).toBe(true);
      expect(passwords.map((p) => fresh.decrypt(p.ciphertext)).sort()).toEqual([
        'sip password 0',
        'sip password 1',
        'sip password 2',
      ]);
      const [secret] = await ctx.store.repos.tenantConnections.listSecretCiphertexts();
      expect(fresh.decrypt(secret!.ciphertext)).toBe('the app secret');
      // The box of the process that was running before the rotation reloads the key files when it meets the new key.
      expect(oldBox.decrypt(secret!.ciphertext)).toBe('the app secret');
    } finally {
      await ctx.close();
    }
  });
});
