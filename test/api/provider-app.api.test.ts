import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { consentRoundTrip } from '../support/consent-round-trip.js';
import { fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe("connecting a tenant with the provider's app: the customer gives no app id or secret", () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp('sqlite', {
      microsoftClients: fastClients,
      config: {
        microsoftClientId: DEMO_CLIENT_ID,
        microsoftClientSecret: DEMO_CLIENT_SECRET,
        // The provider's secret goes only to Microsoft's sign-in hosts, or to hosts the operator allows.
        microsoftAllowedEndpoints: `${emulator.url},${emulator.teamsAdminUrl}`,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('consents to the provider app and syncs with its configured secret', async () => {
    const partner = await t.ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    const client = await t.ctx.services.accounts.create(system, {
      name: 'C',
      kind: 'client',
      parentId: partner.id,
    });
    const service = await t.ctx.services.voiceServices.create(system, client.id, {
      name: 'PBX',
      sipDomain: 'pbx.example',
      country: 'GB',
    });
    const headers = { authorization: `Bearer ${t.token}` };
    const connect = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/accounts/${client.id}/tenant-connection`,
      headers,
      payload: {
        cloud: 'custom',
        tenantId: DEMO_TENANT_ID,
        authorityHost: emulator.url,
        graphBaseUrl: emulator.url,
        teamsAdminBaseUrl: emulator.teamsAdminUrl,
      },
    });
    expect(connect.statusCode).toBe(200);
    expect(connect.json().connection).toMatchObject({ clientId: DEMO_CLIENT_ID, hasClientSecret: false });
    const trip = await consentRoundTrip(t.app, connect.json().consentUrl);
    expect(trip.final.json()).toMatchObject({ consentState: 'granted' });
    const done = await syncToEnd(t.ctx, client.id, service.id, { dryRun: true });
    expect(done.error).toBeNull();
    expect(done.counters['added']).toBeGreaterThan(30);
    expect(t.logLines.join('\n')).not.toContain(DEMO_CLIENT_SECRET);
  });
});
