import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { rotateKey } from '../../src/services/secrets/key-rotation.js';
import type { TrunkSettingsInput } from '../../src/services/schemas/trunk-settings.schema.js';
import { openSecretBox } from '../../src/services/secrets/secret-box.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

type Method = 'GET' | 'POST' | 'PUT';

const SETTINGS: TrunkSettingsInput & { password: string } = {
  kind: 'registration',
  domain: 'sip.carrier.example',
  addresses: [{ host: '192.0.2.10', port: 5070 }, { host: 'sip2.carrier.example' }],
  transport: 'udp',
  username: 'trunk-4412',
  password: 'carrier-secret-77',
  numberFormat: 'e164-no-plus',
  numberPrefix: '9',
  calledNumberFrom: 'to',
  maxChannels: 2,
  codecs: ['PCMA', 'telephone-event'],
};

describe.each(DIALECTS)('trunk settings API on %s', (dialect) => {
  let t: TestApp;
  let sequence = 0;
  let partnerId: string;
  const call = async (method: Method, url: string, payload?: object) => {
    const response = await t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload !== undefined && { payload }),
    });
    return { status: response.statusCode, body: response.json(), text: response.body };
  };
  async function client(kind: 'trunk' | 'pbx' = 'trunk') {
    sequence += 1;
    const account = (
      await call('POST', '/accounts', {
        name: `Client ${sequence}`,
        kind: 'client',
        parentId: partnerId,
      })
    ).body;
    const service = (
      await call('POST', `/accounts/${account.id}/services`, {
        kind,
        name: 'Carrier',
        sipDomain: 'sip.carrier.example',
        country: 'GB',
      })
    ).body;
    return { accountId: account.id as string, serviceId: service.id as string };
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    partnerId = (await call('POST', '/accounts', { name: 'Provider', kind: 'partner' })).body.id;
  });
  afterAll(() => t.close());

  it('configures a registration trunk: the password is sealed, never returned nor audited, kept on a change', async () => {
    const { accountId, serviceId } = await client();
    const url = `/accounts/${accountId}/services/${serviceId}/trunk`;
    expect((await call('GET', url)).body.code).toBe('not_found');
    const put = await call('PUT', url, SETTINGS);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      kind: 'registration',
      addresses: [
        { host: '192.0.2.10', port: 5070 },
        { host: 'sip2.carrier.example', port: null },
      ],
      hasPassword: true,
      numberFormat: 'e164-no-plus',
      numberPrefix: '9',
      calledNumberFrom: 'to',
      assertIdentity: true,
      maxChannels: 2,
      codecs: ['PCMA', 'telephone-event'],
      registration: null,
      health: [],
    });
    expect(put.text).not.toContain(SETTINGS.password);
    const stored = await t.ctx.store.repos.trunkSettings.find(accountId, serviceId);
    expect(stored!.passwordEnc).not.toContain(SETTINGS.password);
    expect(t.ctx.secrets.decrypt(stored!.passwordEnc!)).toBe(SETTINGS.password);

    const { password: _p, ...withoutPassword } = SETTINGS;
    const changed = await call('PUT', url, { ...withoutPassword, maxChannels: 5 });
    expect(changed.body).toMatchObject({ hasPassword: true, maxChannels: 5 });
    const kept = await t.ctx.store.repos.trunkSettings.find(accountId, serviceId);
    expect(t.ctx.secrets.decrypt(kept!.passwordEnc!)).toBe(SETTINGS.password);

    const audit = await call('GET', `/accounts/${accountId}/audit`);
    expect(audit.text).toContain('trunk.create');
    expect(audit.text).toContain('trunk.update');
    expect(audit.text).not.toContain(SETTINGS.password);
    expect(audit.text).not.toContain(stored!.passwordEnc!);
  });

  it('refuses what cannot work, saying what to fix', async () => {
    const { accountId, serviceId } = await client();
    const url = `/accounts/${accountId}/services/${serviceId}/trunk`;
    const { password: _p, ...noPassword } = SETTINGS;
    const missing = await call('PUT', url, noPassword);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'validation_failed', details: { field: 'password' } });
    const noUser = await call('PUT', url, { ...SETTINGS, username: undefined });
    expect(noUser.status).toBe(400);
    expect(noUser.text).toContain('username it registers as');
    const unknown = await call('PUT', url, { ...SETTINGS, pasword: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('pasword');
    const codec = await call('PUT', url, { ...SETTINGS, codecs: ['OPUS'] });
    expect(codec.status).toBe(400);
    const prefix = await call('PUT', url, { ...SETTINGS, numberPrefix: '9a' });
    expect(prefix.status).toBe(400);
    expect(prefix.text).toContain('up to 8 digits');
    expect((await call('GET', url)).status).toBe(404); // nothing half-written
  });

  it('an IP-authenticated trunk needs no credentials; a PBX service has no trunk', async () => {
    const { accountId, serviceId } = await client();
    const ip = await call('PUT', `/accounts/${accountId}/services/${serviceId}/trunk`, {
      kind: 'ip',
      domain: 'sip.carrier.example',
      addresses: [{ host: '192.0.2.10' }, { host: '192.0.2.11' }],
    });
    expect(ip.status, ip.text).toBe(200);
    expect(ip.body).toMatchObject({
      kind: 'ip',
      hasPassword: false,
      numberFormat: 'e164',
      maxChannels: null,
    });
    const pbx = await client('pbx');
    const refused = await call('PUT', `/accounts/${pbx.accountId}/services/${pbx.serviceId}/trunk`, SETTINGS);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('SIP trunk services');
  });

  it("another customer's service id finds nothing (no trunk is read or written across accounts)", async () => {
    const mine = await client();
    const theirs = await client();
    await call('PUT', `/accounts/${theirs.accountId}/services/${theirs.serviceId}/trunk`, SETTINGS);
    const read = await call('GET', `/accounts/${mine.accountId}/services/${theirs.serviceId}/trunk`);
    expect(read.status).toBe(404);
    const write = await call('PUT', `/accounts/${mine.accountId}/services/${theirs.serviceId}/trunk`, {
      ...SETTINGS,
      domain: 'evil.example',
    });
    expect(write.status).toBe(404);
    const still = await t.ctx.store.repos.trunkSettings.find(theirs.accountId, theirs.serviceId);
    expect(still!.domain).toBe('sip.carrier.example');
  });
});

describe('trunk passwords and the secret key rotation', () => {
  it('re-encrypts the trunk password with the new key', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-trunk-rotate-'));
    const ctx = await createAppContext(
      loadConfig({ env: {}, overrides: { dataDir, demo: false } }),
      pino({ level: 'silent' }),
    );
    const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
    try {
      const { services } = ctx;
      const partner = await services.accounts.create(system, { name: 'P', kind: 'partner' });
      const client = await services.accounts.create(system, {
        name: 'C',
        kind: 'client',
        parentId: partner.id,
      });
      const trunk = await services.voiceServices.create(system, client.id, {
        kind: 'trunk',
        name: 'Trunk',
        sipDomain: 'sip.carrier.example',
      });
      await services.trunkSettings.put(system, client.id, trunk.id, SETTINGS);
      const result = await rotateKey(ctx.store, system, { dataDir });
      expect(result.reencrypted).toBe(1);
      const fresh = openSecretBox({ dataDir });
      const [sealed] = await ctx.store.repos.trunkSettings.listPasswordCiphertexts();
      expect(fresh.isCurrent(sealed!.ciphertext)).toBe(true);
      expect(fresh.decrypt(sealed!.ciphertext)).toBe(SETTINGS.password);
    } finally {
      await ctx.close();
    }
  });
});
