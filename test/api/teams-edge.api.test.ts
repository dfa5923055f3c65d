import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignallingRanges } from '../../src/edge/edge.config.js';
import { storeCustomerFqdns } from '../../src/edge/customer-fqdns.js';
import { TeamsEdge } from '../../src/edge/teams-edge.js';
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import { clientWithPbxService } from '../support/store-fixtures.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe.each(DIALECTS)('GET /api/v1/teams-edge on %s', (dialect) => {
  let pki: TeamsPki;
  let edge: TeamsEdge;
  let t: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    pki = await createTeamsPki('sbc.test');
    edge = await TeamsEdge.start({
      settings: {
        baseDomain: 'sbc.test',
        host: '127.0.0.1',
        signallingPort: 0,
        ...pki.stranger, // a certificate for another domain: Microsoft would refuse it
        caFile: pki.caFile,
        proxies: [{ host: 'sip.pstnhub.microsoft.com', port: 5061 }],
        ranges: new SignallingRanges(['127.0.0.0/8']),
        sbcHeader: 'Callbridge/Edge/test',
        optionsIntervalMs: 0,
        failoverAfterMs: 1000,
      },
      route: () => Promise.resolve({ kind: 'unknown-host' }),
      resolveProxy: () => Promise.resolve({ protocol: 'tls', address: '127.0.0.1', port: 1 }),
    });
    edge.health.answered(
      'sip.pstnhub.microsoft.com',
      403,
      12,
      'Contact FQDN sbc.test is not in the SBC certificate',
    );
    t = await createTestApp(dialect, { server: { teamsEdge: () => edge } });
    off = await createTestApp(dialect);
  });
  afterAll(async () => {
    await edge.stop();
    await t.close();
    await off.close();
    await pki.remove();
  });

  it("shows platform operators each proxy's state with Microsoft's reason and the certificate's days left", async () => {
    const response = await t.app.inject({
      url: '/api/v1/teams-edge',
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      configured: true,
      baseDomain: 'sbc.test',
      certificate: { dnsNames: ['sbc.other.example'], daysLeft: 89 },
      proxies: [
        { proxy: 'sip.pstnhub.microsoft.com', healthy: false, lastStatus: 403, consecutiveFailures: 1 },
      ],
    });
    expect(body.proxies[0].lastError).toContain('not in the SBC certificate');
    expect(JSON.stringify(body)).not.toMatch(/PRIVATE KEY|\.key/); // no key material or key path
  });

  it('says "not configured" when this process runs no edge', async () => {
    const response = await off.app.inject({
      url: '/api/v1/teams-edge',
      headers: { authorization: `Bearer ${off.token}` },
    });
    expect(response.json()).toEqual({ configured: false, proxies: [] });
  });

  it('refuses administrators who are not platform operators', async () => {
    await t.ctx.services.administrators.create(system, {
      email: 'viewer@callbridge.test',
      password: 'correct horse battery',
      platformOperator: false,
    });
    const { token } = await t.ctx.services.administrators.createToken(
      system,
      'viewer@callbridge.test',
      'tests',
    );
    const response = await t.app.inject({
      url: '/api/v1/teams-edge',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'forbidden' });
  });
});

describe.each(DIALECTS)('per-customer OPTIONS in GET /api/v1/teams-edge on %s', (dialect) => {
  it("pings from each customer subdomain verified in its tenant, and shows each one's proxies", async () => {
    const pki = await createTeamsPki('sbc.test');
    const teams = await TeamsSipEmulator.start({
      host: '127.0.0.1',
      ...pki.microsoft,
      caFile: pki.caFile,
      directory: staticDirectory({}, []),
    });
    let edge: TeamsEdge | undefined;
    const t = await createTestApp(dialect, { server: { teamsEdge: () => edge } });
    try {
      const store = t.ctx.store;
      const contoso = await clientWithPbxService(store, 'Contoso');
      const fabrikam = await clientWithPbxService(store, 'Fabrikam');
      const ready = carrierNamesOf(contoso.service.id, 'sbc.test').domain;
      const pending = carrierNamesOf(fabrikam.service.id, 'sbc.test').domain;
      await store.repos.tenantObjects.record(
        contoso.client.id,
        contoso.service.id,
        { kind: 'domain', name: ready, state: 'ready', reason: null },
        () => null,
      );
      await store.repos.tenantObjects.record(
        fabrikam.client.id,
        fabrikam.service.id,
        { kind: 'domain', name: pending, state: 'pending', reason: 'DNS record not visible yet' },
        () => new Date(Date.now() + 60_000),
      );
      edge = await TeamsEdge.start({
        settings: {
          baseDomain: 'sbc.test',
          host: '127.0.0.1',
          signallingPort: 0,
          ...pki.sbc,
          caFile: pki.caFile,
          proxies: [{ host: 'sip.pstnhub.microsoft.com', port: 5061 }],
          ranges: new SignallingRanges(['127.0.0.0/8']),
          sbcHeader: 'Callbridge/Edge/test',
          optionsIntervalMs: 0,
          failoverAfterMs: 1000,
          customerOptions: true,
        },
        route: () => Promise.resolve({ kind: 'unknown-host' }),
        customerFqdns: storeCustomerFqdns(store.handle.db, 'sbc.test'),
        resolveProxy: (proxy) =>
          Promise.resolve({
            protocol: 'tls',
            address: '127.0.0.1',
            port: teams.port,
            serverName: proxy.host,
          }),
      });
      await edge.pingAll();
      const response = await t.app.inject({
        url: '/api/v1/teams-edge',
        headers: { authorization: `Bearer ${t.token}` },
      });
      const body = response.json<{ customerOptions: { enabled: boolean; customers: unknown[] } }>();
      expect(body.customerOptions).toEqual({
        enabled: true,
        customers: [
          {
            fqdn: ready,
            proxies: [
              expect.objectContaining({ proxy: 'sip.pstnhub.microsoft.com', healthy: true, lastStatus: 200 }),
            ],
          },
        ],
      }); // the subdomain still pending verification is not presented to Microsoft
    } finally {
      await edge?.stop();
      await t.close();
      await teams.stop();
      await pki.remove();
    }
  });
});
