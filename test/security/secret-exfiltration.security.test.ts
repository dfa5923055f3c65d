import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { GraphTenantClient } from '../../src/microsoft/index.js';
import { demoTenantAccount, syncToEnd } from '../support/demo-tenant-account.js';
import { DIALECTS } from '../support/test-database.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { fastClients } from '../support/demo-tenant-account.js';
import { startCountingListener, type CountingListener } from './support/counting-listener.js';
import { clientAccount, holderOf } from './support/security-app.js';

const PROVIDER_CLIENT_ID = 'b0b00000-0000-4000-8000-00000000a990';
const PROVIDER_SECRET = 'provider~global~secret~7781';

/**
 * Finding 2 of issue 14, "secret exfiltration": re-pointing a connection's endpoints at a host of one's choosing
 * must never deliver the stored app secret, the provider's secret or a bearer token there. The hostile host is a
 * loopback listener that records every request it gets.
 */
describe.each(DIALECTS)(
  'finding 2: no secret or token leaves for a host an account chose (%s)',
  (dialect) => {
    let emulator: RunningEmulator;
    let t: TestApp;
    let evil: CountingListener;
    let victim: Awaited<ReturnType<typeof demoTenantAccount>>;

    beforeAll(async () => {
      emulator = await startEmulator({ seed: demoSeed() });
      // The hostile host plays a sign-in authority: its metadata names its own token endpoint.
      evil = await startCountingListener((req, res) => {
        if (req.url.endsWith('/.well-known/openid-configuration')) {
          const base = `http://${'127.0.0.1'}:${new URL(evil.url).port}`;
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              issuer: `${base}/x/v2.0`,
              token_endpoint: `${base}/x/oauth2/v2.0/token`,
              authorization_endpoint: `${base}/x/oauth2/v2.0/authorize`,
              jwks_uri: `${base}/x/keys`,
            }),
          );
          return;
        }
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_request"}');
      });
      t = await createTestApp(dialect, {
        microsoftClients: fastClients,
        config: {
          microsoftClientId: PROVIDER_CLIENT_ID,
          microsoftClientSecret: PROVIDER_SECRET,
          microsoftAllowedEndpoints: `${emulator.url},${emulator.teamsAdminUrl}`,
        },
      });
      victim = await demoTenantAccount(t.ctx, emulator);
    });
    afterAll(async () => {
      await t.close();
      await emulator.close();
      await evil.close();
    });

    const put = (accountId: string, headers: Record<string, string>, payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/accounts/${accountId}/tenant-connection`,
        headers,
        payload,
      });
    const operator = () => ({ authorization: `Bearer ${t.token}` });
    const nothingSent = () => {
      expect(evil.sawText(DEMO_CLIENT_SECRET)).toBe(false);
      expect(evil.sawText(PROVIDER_SECRET)).toBe(false);
      expect(evil.received.filter((r) => r.authorization)).toEqual([]);
    };

    it("refuses an account administrator's own endpoints: the connection stays as it was", async () => {
      const { account } = victim;
      const contributor = await holderOf(t, account.id, 'service_contributor');
      const before = await t.ctx.store.repos.tenantConnections.findByAccount(account.id);
      for (const field of ['authorityHost', 'graphBaseUrl', 'teamsAdminBaseUrl']) {
        const refused = await put(account.id, contributor.headers, {
          tenantId: DEMO_TENANT_ID,
          cloud: 'custom',
          clientId: DEMO_CLIENT_ID,
          authorityHost: emulator.url,
          graphBaseUrl: emulator.url,
          teamsAdminBaseUrl: emulator.teamsAdminUrl,
          [field]: evil.url,
        });
        expect(refused.statusCode).toBe(403);
        expect(refused.json()).toMatchObject({ code: 'forbidden', details: { field } });
      }
      expect(await t.ctx.store.repos.tenantConnections.findByAccount(account.id)).toEqual(before);
      nothingSent();
    });

    it('drops the stored secret when an endpoint changes, so the next sync sends it nowhere', async () => {
      const { account, service } = victim;
      const moved = await put(account.id, operator(), {
        tenantId: DEMO_TENANT_ID,
        cloud: 'custom',
        clientId: DEMO_CLIENT_ID,
        authorityHost: evil.url,
        graphBaseUrl: evil.url,
        teamsAdminBaseUrl: evil.url,
      });
      expect(moved.statusCode).toBe(200);
      expect(moved.json()).toMatchObject({ connection: { hasClientSecret: false, consentState: 'pending' } });
      // Even with consent recorded out of band, there is no secret left to send.
      await t.ctx.store.repos.tenantConnections.update(account.id, { consentState: 'granted' });
      const run = await syncToEnd(t.ctx, account.id, service.id, { dryRun: true });
      expect(run.state).toBe('failed');
      nothingSent();
      expect(evil.received).toEqual([]);
    });

    it("sends the provider's secret only to the preset sign-in hosts", async () => {
      const { account, service } = await clientAccount(t, 'Provider app');
      const connect = await put(account.id, operator(), {
        tenantId: randomUUID(),
        cloud: 'custom',
        authorityHost: evil.url,
        graphBaseUrl: evil.url,
        teamsAdminBaseUrl: evil.url,
      });
      expect(connect.statusCode).toBe(200);
      expect(connect.json()).toMatchObject({ connection: { clientId: PROVIDER_CLIENT_ID } });
      await t.ctx.store.repos.tenantConnections.update(account.id, { consentState: 'granted' });
      const run = await syncToEnd(t.ctx, account.id, service.id, { dryRun: true });
      expect(run.state).toBe('failed');
      expect(run.error).toMatch(/provider/i);
      nothingSent();
      expect(evil.received).toEqual([]);
    });

    it('sends a token only to the Graph and Teams hosts of the connection (not to a foreign nextLink)', async () => {
      const client = new GraphTenantClient({
        tenantId: DEMO_TENANT_ID,
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        cloud: 'custom',
        authorityHost: emulator.url,
        graphBaseUrl: emulator.url,
        teamsAdminBaseUrl: emulator.teamsAdminUrl,
      });
      await expect(client.transport.send({ url: `${evil.url}/v1.0/users?$skiptoken=next` })).rejects.toThrow(
        /not .*Graph/i,
      );
      await expect(
        client.transport.send({ api: 'teamsAdmin', url: `${evil.url}/Skype.TelephoneNumberMgmt/x` }),
      ).rejects.toThrow(/not .*Teams/i);
      nothingSent();
      expect(evil.received).toEqual([]);
    });

    it('posts a secret only to a token endpoint on the authority itself', async () => {
      // An authority whose metadata sends the token request to the hostile host.
      const authority = await startCountingListener((req, res) => {
        if (!req.url.endsWith('/.well-known/openid-configuration')) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            issuer: `${evil.url}/x/v2.0`,
            token_endpoint: `${evil.url}/x/oauth2/v2.0/token`,
            authorization_endpoint: `${evil.url}/x/oauth2/v2.0/authorize`,
            jwks_uri: `${evil.url}/x/keys`,
          }),
        );
      });
      try {
        const client = new GraphTenantClient({
          tenantId: DEMO_TENANT_ID,
          clientId: DEMO_CLIENT_ID,
          clientSecret: DEMO_CLIENT_SECRET,
          cloud: 'custom',
          authorityHost: authority.url,
          graphBaseUrl: authority.url,
          teamsAdminBaseUrl: authority.url,
        });
        await expect(client.transport.send({ url: '/v1.0/users' })).rejects.toThrow(/token endpoint/i);
        expect(authority.sawText(DEMO_CLIENT_SECRET)).toBe(false);
        nothingSent();
        expect(evil.received).toEqual([]);
      } finally {
        await authority.close();
      }
    });
  },
);
