import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMIN_UPN,
  DEMO_OTHER_ADMIN_UPN,
  DEMO_TENANT_ID,
  DEMO_UNCONSENTED_TENANT_ID,
  DEMO_USER_UPN,
  demoSeed,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { consentRoundTrip } from '../support/consent-round-trip.js';
import { demoTenantAccount, syncToEnd } from '../support/demo-tenant-account.js';
import { DIALECTS } from '../support/test-database.js';
import type { TestApp } from '../support/test-app.js';
import { clientAccount, emulatorEndpoints, holderOf, securityApp } from './support/security-app.js';

const THIRD_TENANT_ID = 'c0ffee00-0000-4000-8000-000000000003';

/**
 * Finding 1 of issue 14, "tenant takeover": a client account's Service Contributor names another customer's
 * tenant and forges Microsoft's consent redirect. The connection must become granted only when Microsoft says
 * (a signed ID token) that an administrator of that very tenant consented, and one tenant belongs to one account.
 */
describe.each(DIALECTS)('finding 1: a tenant is connected only by its own administrator (%s)', (dialect) => {
  let emulator: RunningEmulator;
  let t: TestApp;
  let victimAccountId: string;

  beforeAll(async () => {
    const seed = demoSeed();
    seed.tenants = [
      ...(seed.tenants ?? []),
      {
        id: THIRD_TENANT_ID,
        domain: 'northwind-demo.onmicrosoft.com',
        users: [
          {
            id: 'f5000000-0000-4000-8000-000000000001',
            userPrincipalName: 'lee@northwind-demo.onmicrosoft.com',
            displayName: 'Lee',
            directoryRoles: ['62e90394-69f5-4237-9190-012177145e10'],
          },
        ],
      },
    ];
    emulator = await startEmulator({ seed });
    t = await securityApp(dialect, emulator);
    victimAccountId = (await demoTenantAccount(t.ctx, emulator)).account.id;
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  const put = (accountId: string, headers: Record<string, string>, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'PUT', url: `/api/v1/accounts/${accountId}/tenant-connection`, headers, payload });
  const connectionOf = (accountId: string) => t.ctx.store.repos.tenantConnections.findByAccount(accountId);

  it("refuses another account's tenant id with 409, without naming that customer", async () => {
    const { account } = await clientAccount(t, 'Attacker');
    const attacker = await holderOf(t, account.id, 'service_contributor');
    for (const tenantId of [DEMO_TENANT_ID, DEMO_TENANT_ID.toUpperCase()]) {
      const refused = await put(account.id, attacker.headers, { tenantId, ...emulatorEndpoints(emulator) });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'conflict', details: { field: 'tenantId' } });
      expect(refused.body).not.toContain('Contoso');
      expect(refused.body).not.toContain(victimAccountId);
    }
    expect(await connectionOf(account.id)).toBeUndefined();
  });

  it('grants nothing for a forged consent redirect: no sync, nothing read from the tenant', async () => {
    const { account, service } = await clientAccount(t, 'Forger');
    const attacker = await holderOf(t, account.id, 'service_contributor');
    const connect = await put(account.id, attacker.headers, emulatorEndpoints(emulator));
    expect(connect.statusCode).toBe(200);
    const state = new URL(connect.json<{ consentUrl: string }>().consentUrl).searchParams.get('state')!;
    const forged = new URLSearchParams({ tenant: DEMO_TENANT_ID, state, admin_consent: 'True' });
    const answer = await t.app.inject({ url: `/api/v1/consent/callback?${forged.toString()}` });
    // At most Microsoft's sign-in is asked for next; the connection itself is untouched.
    expect(answer.statusCode === 200 && answer.json<{ consentState: string }>().consentState).not.toBe(
      'granted',
    );
    // A made-up authorization code is refused too.
    const code = new URLSearchParams({ code: 'made-up', state });
    const coded = await t.app.inject({ url: `/api/v1/consent/callback?${code.toString()}` });
    expect(coded.statusCode).toBeGreaterThanOrEqual(400);
    expect(await connectionOf(account.id)).toMatchObject({ consentState: 'pending', tenantId: null });
    const run = await syncToEnd(t.ctx, account.id, service.id, { dryRun: true });
    expect(run.state).toBe('failed');
    expect(run.error).toMatch(/not connected/);
    const users = await t.app.inject({
      url: `/api/v1/accounts/${account.id}/users`,
      headers: attacker.headers,
    });
    expect(users.json()).toMatchObject({ total: 0 });
  });

  it('refuses a sign-in by a user of the tenant who may not grant tenant-wide consent', async () => {
    const { account } = await clientAccount(t, 'Ordinary');
    const owner = await holderOf(t, account.id, 'account_owner');
    const connect = await put(account.id, owner.headers, emulatorEndpoints(emulator));
    const trip = await consentRoundTrip(t.app, connect.json<{ consentUrl: string }>().consentUrl, {
      upn: DEMO_USER_UPN,
    });
    expect(trip.final.statusCode).toBe(403);
    expect(trip.final.json<{ message: string }>().message).toMatch(/Global Administrator/);
    expect(await connectionOf(account.id)).toMatchObject({ consentState: 'pending', tenantId: null });
  });

  it("refuses even the tenant's real administrator when another account holds the tenant", async () => {
    const { account } = await clientAccount(t, 'Second');
    const owner = await holderOf(t, account.id, 'account_owner');
    const connect = await put(account.id, owner.headers, emulatorEndpoints(emulator));
    const trip = await consentRoundTrip(t.app, connect.json<{ consentUrl: string }>().consentUrl, {
      upn: DEMO_ADMIN_UPN,
    });
    expect(trip.final.statusCode).toBe(409);
    expect(trip.final.body).not.toContain('Contoso');
    expect(await connectionOf(account.id)).toMatchObject({ consentState: 'pending', tenantId: null });
  });

  it("grants the honest round trip: the tenant's Global Administrator signs in and consents", async () => {
    const { account } = await clientAccount(t, 'Fabrikam');
    const owner = await holderOf(t, account.id, 'account_owner');
    const connect = await put(account.id, owner.headers, emulatorEndpoints(emulator));
    const trip = await consentRoundTrip(t.app, connect.json<{ consentUrl: string }>().consentUrl, {
      upn: DEMO_OTHER_ADMIN_UPN,
    });
    expect(trip.final.statusCode).toBe(200);
    expect(trip.final.json()).toMatchObject({
      consentState: 'granted',
      tenantId: DEMO_UNCONSENTED_TENANT_ID,
    });
    const audit = await t.ctx.store.repos.audit.list(account.id, {
      objectType: 'tenant_connection',
      limit: 10,
    });
    expect(audit.filter((e) => e.action === 'tenant_connection.consent_granted')).toHaveLength(1);
    expect(JSON.stringify(audit)).toContain(DEMO_OTHER_ADMIN_UPN);
  });

  it('refuses an ID token of another tenant than the one the connection names', async () => {
    const { account } = await clientAccount(t, 'Wrong tenant');
    const owner = await holderOf(t, account.id, 'account_owner');
    const connect = await put(account.id, owner.headers, {
      tenantId: THIRD_TENANT_ID,
      ...emulatorEndpoints(emulator),
    });
    // The sign-in is steered to Fabrikam (consented above), whose administrator signs in there.
    const trip = await consentRoundTrip(t.app, connect.json<{ consentUrl: string }>().consentUrl, {
      upn: DEMO_OTHER_ADMIN_UPN,
      signInTenant: DEMO_UNCONSENTED_TENANT_ID,
    });
    expect(trip.final.statusCode).toBeGreaterThanOrEqual(400);
    expect(await connectionOf(account.id)).toMatchObject({
      consentState: 'pending',
      tenantId: THIRD_TENANT_ID,
    });
  });
});
