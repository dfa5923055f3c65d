import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PHONE_APP_CLIENT_ID,
  DEMO_PHONE_APP_DOMAIN,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { consentRoundTrip } from '../support/consent-round-trip.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe('the Phone App add-on: provisioning, enable, authorize, checks', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let accountId: string;
  let serviceId: string;
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({
      method,
      url: `/api/v1/accounts/${accountId}${url}`,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp('sqlite', {
      microsoftClients: fastClients,
      config: { phoneAppDomain: DEMO_PHONE_APP_DOMAIN, phoneAppClientId: DEMO_PHONE_APP_CLIENT_ID },
    });
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    accountId = account.id;
    serviceId = service.id;
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('says the service is not provisioned until the account holds Phone App licences', async () => {
    const status = await api('GET', `/services/${serviceId}/phone-app`);
    expect(status.json()).toMatchObject({
      provisioned: false,
      step: 'provision',
      message:
        'The Phone App service has not been provisioned to this account. It must be enabled via your licensing provider.',
    });
    const refused = await api('PATCH', `/services/${serviceId}/teams-settings`, { phoneAppEnabled: true });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'not_provisioned',
      message: expect.stringContaining('must be enabled via your licensing provider'),
    });
  });

  it('refuses the Phone App on a trunk service, with the reason', async () => {
    await t.ctx.services.subscriptions.create(system, accountId, { sku: 'phone_app_user', quantity: 10 });
    const trunk = await t.ctx.services.voiceServices.create(system, accountId, {
      kind: 'trunk',
      name: 'Trunk',
      sipDomain: 'trunk.contoso.example',
      country: 'GB',
    });
    const refused = await api('PATCH', `/services/${trunk.id}/teams-settings`, { phoneAppEnabled: true });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('PBX services only');
  });

  it('goes enable -> authorize (consent in the tenant) -> sync, saying at each stage which step is missing', async () => {
    expect((await api('GET', `/services/${serviceId}/phone-app`)).json()).toMatchObject({
      provisioned: true,
      step: 'enable',
    });
    const early = await api('POST', `/services/${serviceId}/phone-app/authorize`);
    expect(early.statusCode).toBe(409);
    const enabled = await api('PATCH', `/services/${serviceId}/teams-settings`, { phoneAppEnabled: true });
    expect(enabled.json()).toMatchObject({ enabled: true, step: 'authorize' });

    const { consentUrl } = (await api('POST', `/services/${serviceId}/phone-app/authorize`)).json<{
      consentUrl: string;
    }>();
    expect(new URL(consentUrl).searchParams.get('client_id')).toBe(DEMO_PHONE_APP_CLIENT_ID);
    // Microsoft's answer alone records nothing: the tenant's administrator signs in to prove it.
    const trip = await consentRoundTrip(t.app, consentUrl);
    expect(trip.afterConsent.statusCode).toBe(302);
    expect(trip.final.statusCode).toBe(200);
    const authorized = (await api('GET', `/services/${serviceId}/phone-app`)).json();
    expect(authorized).toMatchObject({ consent: 'granted', step: 'sync' });
    expect(emulator.tenants.get(DEMO_TENANT_ID)!.consentedApps.has(DEMO_PHONE_APP_CLIENT_ID)).toBe(true);

    expect((await syncToEnd(t.ctx, accountId, serviceId)).state).toMatch(/succeeded|warning/);
    expect((await api('GET', `/services/${serviceId}/phone-app`)).json()).toMatchObject({ step: 'ready' });
  });

  it('reports Islands-mode Phone App users and a blocked Phone App domain, each with the fix', async () => {
    // The sync made the Phone App candidates (users 19-28) Phone App users; 27 and 28 are in Islands mode.
    const phoneAppUsers = (await t.ctx.store.repos.users.listForSync(accountId, serviceId)).filter(
      (u) => u.kind === 'phone_app',
    );
    expect(phoneAppUsers.map((u) => u.objectId).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => demoUserId(19 + i)).sort(),
    );
    const islandsEmails = phoneAppUsers
      .filter((u) => [demoUserId(27), demoUserId(28)].includes(u.objectId!))
      .map((u) => u.email)
      .sort();
    const clean = (await api('GET', `/services/${serviceId}/phone-app/checks`)).json<{
      findings: { check: string; user: string | null; message: string; fix: string[] }[];
    }>();
    const islands = clean.findings.filter((f) => f.check === 'teams_only');
    expect(islands.map((f) => f.user).sort()).toEqual(islandsEmails);
    expect(islands[0]!.message).toMatch(/is in Islands mode, not Teams Only/);
    expect(islands[0]!.fix.join(' ')).toContain('Set the Coexistence mode to Teams only');
    expect(clean.findings.some((f) => f.check === 'external_access')).toBe(false);

    const blocked = await fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}/federation`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        allowFederatedUsers: true,
        allowedDomains: 'allKnown',
        blockedDomains: [DEMO_PHONE_APP_DOMAIN],
      }),
    });
    expect(blocked.ok).toBe(true);
    const after = (await api('GET', `/services/${serviceId}/phone-app/checks`)).json<{
      findings: { check: string; message: string; fix: string[] }[];
    }>();
    const access = after.findings.find((f) => f.check === 'external_access');
    expect(access?.message).toContain(`${DEMO_PHONE_APP_DOMAIN} is blocked`);
    expect(access?.fix).toContain(`Remove ${DEMO_PHONE_APP_DOMAIN} from the Blocked domains.`);
  });

  it('keeps the Phone App group apart from the standard groups in Large Tenant Mode', async () => {
    const group = '9a000000-0000-4000-8000-000000000001';
    const same = await api('PATCH', `/services/${serviceId}/teams-settings`, {
      largeTenantMode: true,
      standardGroupIds: [group],
      phoneAppGroupId: group,
    });
    expect(same.statusCode).toBe(400);
    expect(same.json().message).toContain('must not be one of the standard users groups');
    const missing = await api('PATCH', `/services/${serviceId}/teams-settings`, {
      largeTenantMode: true,
      standardGroupIds: [group],
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details).toMatchObject({ field: 'phoneAppGroupId' });
  });
});
