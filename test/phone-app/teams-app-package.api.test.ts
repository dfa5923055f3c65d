import { unzipSync, strFromU8 } from 'fflate';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';
import { teamsManifestV122 } from '../support/teams-manifest.schema.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const TEAMS_APP_ID = 'cb0a0000-0000-4000-8000-0000000a7712';
const CLIENT_ID = 'cb0a0000-0000-4000-8000-0000000a7711';

describe.each(DIALECTS)('the Phone App Teams app package on %s', (dialect) => {
  let t: TestApp;
  let partnerId: string;
  let clientId: string;
  const download = (accountId: string, token = t.token) =>
    t.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${accountId}/phone-app/teams-app-package`,
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      config: {
        publicUrl: 'https://voice.acme.example',
        phoneAppTeamsAppId: TEAMS_APP_ID,
        phoneAppClientId: CLIENT_ID,
      },
    });
    partnerId = (await t.ctx.services.accounts.create(system, { name: 'Acme Telecom', kind: 'partner' })).id;
    clientId = (
      await t.ctx.services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partnerId })
    ).id;
    await t.ctx.services.accounts.setBrand(system, partnerId, {
      productName: 'Acme Voice',
      primaryColor: '#c2185b',
      supportEmail: 'help@acme.example',
    });
  }, 60_000);
  afterAll(() => t.close());

  it('is a zip whose manifest validates against the v1.22 schema, with the synced app id, brand, tab and SSO', async () => {
    const response = await download(partnerId);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toBe('attachment; filename="Acme-Voice-teams-app.zip"');
    const files = unzipSync(new Uint8Array(response.rawPayload));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = teamsManifestV122.parse(JSON.parse(strFromU8(files['manifest.json']!)));
    expect(manifest).toMatchObject({
      id: TEAMS_APP_ID,
      developer: { name: 'Acme Voice' },
      name: { short: 'Acme Voice Phone' },
      accentColor: '#c2185b',
      staticTabs: [{ contentUrl: 'https://voice.acme.example/phone-app/tab', scopes: ['personal'] }],
      validDomains: ['voice.acme.example'],
      webApplicationInfo: { id: CLIENT_ID, resource: `api://voice.acme.example/${CLIENT_ID}` },
    });
    expect(manifest.description.full).toContain('help@acme.example');
    expect(files[manifest.icons.color]).toBeDefined();
    expect(files[manifest.icons.outline]).toBeDefined();
  });

  it('carries a 192x192 colour icon in the brand colour and a 32x32 white-on-transparent outline icon', async () => {
    const files = unzipSync(new Uint8Array((await download(partnerId)).rawPayload));
    const color = PNG.sync.read(Buffer.from(files['color.png']!));
    expect([color.width, color.height]).toEqual([192, 192]);
    // The corner is the brand colour #c2185b, opaque; the keypad makes some pixels white.
    expect([...color.data.subarray(0, 4)]).toEqual([0xc2, 0x18, 0x5b, 255]);
    const pixels = (png: PNG) =>
      Array.from({ length: png.width * png.height }, (_, i) => png.data.subarray(i * 4, i * 4 + 4));
    expect(pixels(color).some((p) => p[0] === 255 && p[1] === 255 && p[2] === 255)).toBe(true);
    const outline = PNG.sync.read(Buffer.from(files['outline.png']!));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const visible = pixels(outline).filter((p) => p[3]! > 0);
    expect(visible.length).toBeGreaterThan(0);
    expect(pixels(outline).filter((p) => p[3] === 0).length).toBeGreaterThan((32 * 32) / 2);
    expect(visible.every((p) => p[0] === 255 && p[1] === 255 && p[2] === 255)).toBe(true);
  });

  it('follows a brand change at the next download, and falls back to the partner name without a brand', async () => {
    const other = (await t.ctx.services.accounts.create(system, { name: 'Northwind Comms', kind: 'partner' }))
      .id;
    const files = unzipSync(new Uint8Array((await download(other)).rawPayload));
    const manifest = teamsManifestV122.parse(JSON.parse(strFromU8(files['manifest.json']!)));
    expect(manifest.developer.name).toBe('Northwind Comms');
    expect(manifest.accentColor).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("refuses a client account's download: the package belongs to the provider", async () => {
    const response = await download(clientId);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: 'precondition_failed',
      message: expect.stringContaining('download it from the partner account'),
    });
  });
});

describe('the Teams app package without an https public URL', () => {
  it('is refused with what to set', async () => {
    const t = await createTestApp('sqlite', { config: { publicUrl: 'http://voice.acme.example' } });
    try {
      const partner = await t.ctx.services.accounts.create(system, { name: 'Acme', kind: 'partner' });
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/accounts/${partner.id}/phone-app/teams-app-package`,
        headers: { authorization: `Bearer ${t.token}` },
      });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({
        code: 'precondition_failed',
        message: expect.stringContaining('CALLBRIDGE_PUBLIC_URL'),
        details: { field: 'publicUrl' },
      });
    } finally {
      await t.close();
    }
  });
});
