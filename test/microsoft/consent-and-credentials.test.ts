import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_TENANT_ID,
  DEMO_UNCONSENTED_TENANT_ID,
  demoSeed,
} from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import { buildAdminConsentUrl, parseAdminConsentRedirect } from '../../src/microsoft/admin-consent.js';
import { resolveConnectionSettings } from '../../src/microsoft/connection.settings.js';
import { GraphTenantClient } from '../../src/microsoft/graph-tenant.client.js';
import { TokenError } from '../../src/microsoft/graph.error.js';
import { demoConnection, startDemoEmulator } from './support/emulator.fixture.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const thumbprintSha256 = createHash('sha256')
  .update(publicKey.export({ type: 'spki', format: 'der' }))
  .digest('hex');
const certAppId = 'cb0a0000-0000-4000-8000-0000000cert1';

let emulator: RunningEmulator;
beforeAll(async () => {
  const seed = demoSeed();
  seed.apps!.push({ clientId: certAppId, certificates: [{ thumbprintSha256, publicKeyPem }] });
  seed.tenants![0]!.consentedApps!.push(certAppId);
  emulator = await startDemoEmulator(seed);
});
afterAll(() => emulator.close());

async function followConsent(tenant: string) {
  const url = buildAdminConsentUrl({
    authorityHost: emulator.url,
    tenant,
    clientId: DEMO_CLIENT_ID,
    redirectUri: 'http://localhost:8080/consent',
    state: 'st4te',
  });
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return parseAdminConsentRedirect(new URL(response.headers.get('location')!).searchParams);
}

describe('administrator consent', () => {
  it('grants consent to a tenant that had none, after which tokens are issued', async () => {
    const client = new GraphTenantClient(demoConnection(emulator, { tenantId: DEMO_UNCONSENTED_TENANT_ID }));
    await expect(client.listSubscribedSkus()).rejects.toBeInstanceOf(TokenError);
    expect(await followConsent(DEMO_UNCONSENTED_TENANT_ID)).toEqual({
      kind: 'granted',
      tenantId: DEMO_UNCONSENTED_TENANT_ID,
      state: 'st4te',
    });
    const fresh = new GraphTenantClient(demoConnection(emulator, { tenantId: DEMO_UNCONSENTED_TENANT_ID }));
    expect(await fresh.listSubscribedSkus()).toHaveLength(5);
  });

  it('reports a refusal with Microsoft’s error and description', async () => {
    await fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ consentBehaviour: 'deny' }),
    });
    const result = await followConsent(DEMO_TENANT_ID);
    expect(result).toMatchObject({ kind: 'denied', error: 'permission_denied', state: 'st4te' });
    expect(result.kind === 'denied' && result.errorDescription).toContain('AADSTS65004');
  });

  it('refuses a redirect URI the app did not register', async () => {
    const url = buildAdminConsentUrl({
      authorityHost: emulator.url,
      tenant: 'common',
      clientId: DEMO_CLIENT_ID,
      redirectUri: 'https://evil.example/cb',
      state: 's',
    });
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('AADSTS50011');
  });

  it('parses a redirect that carries neither consent nor error as denied', () => {
    expect(parseAdminConsentRedirect('state=x').kind).toBe('denied');
  });
});

describe('credentials and clouds', () => {
  it('obtains tokens with a certificate (client assertion signed with the private key)', async () => {
    const client = new GraphTenantClient(
      demoConnection(emulator, {
        clientId: certAppId,
        clientSecret: undefined,
        certificate: { privateKeyPem, thumbprintSha256 },
      }),
    );
    expect(await client.getTenantCoexistenceMode()).toBe('TeamsOnly');
  });

  it('refuses a certificate whose key does not match the registration', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const client = new GraphTenantClient(
      demoConnection(emulator, {
        clientId: certAppId,
        clientSecret: undefined,
        certificate: { privateKeyPem: other, thumbprintSha256 },
      }),
    );
    const error = (await client.listSubscribedSkus().catch((e: unknown) => e)) as TokenError;
    expect(error).toBeInstanceOf(TokenError);
    expect(error.errorCodes).toEqual([700027]);
  });

  it('fills national cloud endpoints from presets and insists on endpoints for a custom cloud', () => {
    const usgov = resolveConnectionSettings({
      tenantId: 'contoso.onmicrosoft.com',
      clientId: 'c',
      clientSecret: 's',
      cloud: 'usgov',
    });
    expect(usgov).toMatchObject({
      authorityHost: 'https://login.microsoftonline.us',
      graphBaseUrl: 'https://graph.microsoft.us',
    });
    const china = resolveConnectionSettings({
      tenantId: 'contoso.onmicrosoft.com',
      clientId: 'c',
      clientSecret: 's',
      cloud: 'china',
    });
    expect(china.graphBaseUrl).toBe('https://microsoftgraph.chinacloudapi.cn');
    const dod = resolveConnectionSettings({
      tenantId: 'contoso.onmicrosoft.com',
      clientId: 'c',
      clientSecret: 's',
      cloud: 'usgovdod',
    });
    expect(dod).toMatchObject({
      authorityHost: 'https://login.microsoftonline.us',
      graphBaseUrl: 'https://dod-graph.microsoft.us',
    });
    // A tenant id is a GUID or a domain name: anything else never reaches a URL.
    expect(() =>
      resolveConnectionSettings({ tenantId: 'metrics#', clientId: 'c', clientSecret: 's' }),
    ).toThrow(/tenant id/);
    expect(() =>
      resolveConnectionSettings({
        tenantId: 'contoso.onmicrosoft.com',
        clientId: 'c',
        clientSecret: 's',
        cloud: 'custom',
      }),
    ).toThrow(/custom cloud/);
    expect(() => resolveConnectionSettings({ tenantId: 'contoso.onmicrosoft.com', clientId: 'c' })).toThrow(
      /secret or a certificate/,
    );
  });
});
