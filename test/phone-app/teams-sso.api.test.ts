import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PHONE_APP_CLIENT_ID,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { fastClients } from '../support/demo-tenant-account.js';
import { phoneAppTenant, teamsSsoToken } from '../support/phone-app-tenant.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

/** Demo users 19-26 hold Teams without Teams Phone: the sync makes them Phone App users. */
const PHONE_APP_USER = demoUserId(19);
/** Demo user 1 holds Teams Phone: a standard user. */
const STANDARD_USER = demoUserId(1);

describe.each(DIALECTS)('Teams single sign-on of the Phone App tab on %s', (dialect) => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let accountId: string;
  let serviceId: string;

  const ssoToken = (user: string, body: Record<string, unknown> = {}, tenant = DEMO_TENANT_ID) =>
    teamsSsoToken(emulator, user, body, tenant);
  const me = (token: string | undefined) =>
    t.app.inject({
      method: 'GET',
      url: '/api/v1/phone-app/me',
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, {
      microsoftClients: fastClients,
      config: { phoneAppClientId: DEMO_PHONE_APP_CLIENT_ID, publicUrl: 'https://voice.acme.example' },
    });
    ({ accountId, serviceId } = await phoneAppTenant(t, emulator));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it('maps a verified token of a Phone App user to that user, with their country for dialling', async () => {
    const response = await me(await ssoToken(PHONE_APP_USER));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      displayName: 'Debra Berger',
      country: 'GB',
      organisation: 'Contoso',
    });
  });

  it('refuses a request without a token, and a token that is not a JWT, with how to get one (401)', async () => {
    const none = await me(undefined);
    expect(none.statusCode).toBe(401);
    expect(none.json().message).toContain('authentication.getAuthToken');
    const garbage = await me('not-a-token');
    expect(garbage.statusCode).toBe(401);
    expect(garbage.json().message).toContain('could not be verified (not a JWT)');
  });

  it('refuses an expired token, one for another application, and a tampered one (401, with the reason)', async () => {
    const expired = await me(await ssoToken(PHONE_APP_USER, { expiresInSeconds: -600 }));
    expect(expired.statusCode).toBe(401);
    expect(expired.json().message).toContain('it has expired');
    const otherApp = await me(
      await ssoToken(PHONE_APP_USER, { clientId: '11111111-2222-4333-8444-555555555555' }),
    );
    expect(otherApp.statusCode).toBe(401);
    expect(otherApp.json().message).toContain('it is for another application');
    // The same signature over another user's claims: a forged oid.
    const [header, payload, signature] = (await ssoToken(PHONE_APP_USER)).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, oid: demoUserId(20) })).toString('base64url');
    const tampered = await me(`${header}.${forged}.${signature}`);
    expect(tampered.statusCode).toBe(401);
    expect(tampered.json().message).toContain('the signature does not match');
  });

  it('refuses a token of a tenant connected to no account exactly like an unverifiable one', async () => {
    const response = await me(
      await ssoToken('ana@fabrikam-demo.onmicrosoft.com', {}, 'fabrikam-demo.onmicrosoft.com'),
    );
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toContain('could not be verified (unknown organisation)');
  });

  it('refuses a standard (Teams Phone) user and a user the sync did not bring in, saying why (403)', async () => {
    const standard = await me(await ssoToken(STANDARD_USER));
    expect(standard.statusCode).toBe(403);
    expect(standard.json()).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('the Phone App is for users without Teams Phone'),
      details: { reason: 'not_a_phone_app_user' },
    });
    // A user added in the tenant after the last sync: Callbridge does not know them yet.
    const added = await fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'd3000000-0000-4000-8000-0000000009a1',
        userPrincipalName: 'new.starter@contoso-demo.onmicrosoft.com',
        displayName: 'New Starter',
        licences: ['SPE_E3'],
      }),
    });
    expect(added.status).toBe(201);
    const unsynced = await me(await ssoToken('d3000000-0000-4000-8000-0000000009a1'));
    expect(unsynced.statusCode).toBe(403);
    expect(unsynced.json().message).toBe(
      'new.starter@contoso-demo.onmicrosoft.com is not a Phone App user of your organisation yet: ask your administrator to make you one and run Sync.',
    );
  });

  it('refuses every Phone App user once the Phone App is switched off for the service', async () => {
    const service = (await t.ctx.store.repos.services.findById(accountId, serviceId))!;
    await t.ctx.store.repos.services.update(accountId, serviceId, {
      teams: { ...service.teams, phoneAppEnabled: false },
    });
    try {
      const response = await me(await ssoToken(PHONE_APP_USER));
      expect(response.statusCode).toBe(403);
      expect(response.json().details).toEqual({ reason: 'phone_app_disabled' });
    } finally {
      await t.ctx.store.repos.services.update(accountId, serviceId, { teams: service.teams });
    }
  });

  it("refuses a suspended organisation's users, and serves them again once it is reactivated", async () => {
    const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
    await t.ctx.services.accounts.update(system, accountId, { status: 'suspended' });
    try {
      const refused = await me(await ssoToken(PHONE_APP_USER));
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'account_suspended' });
    } finally {
      await t.ctx.services.accounts.update(system, accountId, { status: 'active' });
    }
    expect((await me(await ssoToken(PHONE_APP_USER))).statusCode).toBe(200);
  });

  it('lists the organisation directory to a Phone App user, and searches it', async () => {
    const token = await ssoToken(PHONE_APP_USER);
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/phone-app/directory?search=Adele',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    const { contacts } = response.json<{ contacts: { displayName: string; phoneNumber: string | null }[] }>();
    expect(contacts.length).toBeGreaterThan(0);
    expect(contacts.every((c) => c.displayName.includes('Adele'))).toBe(true);
  });

  it('checks the number of a call, then answers 503 calls_unavailable on a server that does not bridge calls', async () => {
    const token = await ssoToken(PHONE_APP_USER);
    const call = (number: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/phone-app/calls',
        headers: { authorization: `Bearer ${token}` },
        payload: { number },
      });
    const invalid = await call('12');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'invalid_phone_number', details: { field: 'number' } });
    const national = await call('020 7946 0123');
    expect(national.statusCode).toBe(503);
    expect(national.json()).toMatchObject({
      code: 'calls_unavailable',
      message: expect.stringContaining('SIP and Teams edge roles are not running'),
      details: { number: '+442079460123' },
    });
    // A PBX extension is dialled as it is: the PBX's dial plan reads it.
    expect((await call('2001')).json()).toMatchObject({ details: { number: '2001' } });
    const extra = await t.app.inject({
      method: 'POST',
      url: '/api/v1/phone-app/calls',
      headers: { authorization: `Bearer ${token}` },
      payload: { number: '+442079460123', from: 'someone else' },
    });
    expect(extra.statusCode).toBe(400);
  });
  it("lists the user's recent calls from the call records, answers a call's outcome, and hides other users' calls", async () => {
    const debra = (await t.ctx.store.repos.users.findByObjectId(accountId, PHONE_APP_USER))!;
    const at = new Date().toISOString();
    const callId = '7e57ca11-0000-4000-8000-000000000019';
    t.ctx.calls.recorder.ended({
      id: callId,
      accountId,
      serviceId,
      userId: debra.id,
      direction: 'teams-to-pbx',
      from: 'debra.berger@contoso-demo.onmicrosoft.com',
      to: '+442079460123',
      startedAt: at,
      answeredAt: at,
      endedAt: new Date(Date.parse(at) + 61_000).toISOString(),
      result: 'answered',
      legs: [{ side: 'pbx', sipCallId: 'c1', finalStatus: 200 }],
    });
    await t.ctx.calls.recorder.flush();
    const get = async (url: string, user = PHONE_APP_USER) =>
      t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await ssoToken(user)}` } });
    const recent = await get('/api/v1/phone-app/calls');
    expect(recent.statusCode).toBe(200);
    expect(recent.json<{ calls: unknown[] }>().calls[0]).toEqual({
      callId,
      number: '+442079460123',
      direction: 'outgoing',
      result: 'answered',
      startedAt: at,
      durationSeconds: 61,
    });
    const progress = await get(`/api/v1/phone-app/calls/${callId}`);
    expect(progress.json()).toMatchObject({ callId, phase: 'ended', result: 'answered' });
    const someoneElse = await get(`/api/v1/phone-app/calls/${callId}`, demoUserId(20));
    expect(someoneElse.statusCode).toBe(404);
    expect((await get('/api/v1/phone-app/calls', demoUserId(20))).json()).toEqual({ calls: [] });
  });
});
