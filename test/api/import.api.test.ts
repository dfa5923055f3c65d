import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

interface ImportAnswer {
  applied: boolean;
  plan: {
    ok: boolean;
    counts: Record<string, number>;
    issues: { row: number; column: string | null; severity: string; message: string }[];
  };
}

describe('bulk import and export by CSV', () => {
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  const auth = () => ({ authorization: `Bearer ${t.token}` });
  const importCsv = async (csv: string | Buffer, dryRun: boolean) =>
    (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${accountId}/services/${serviceId}/import?dryRun=${dryRun}`,
        headers: { ...auth(), 'content-type': 'text/csv' },
        payload: csv,
      })
    ).json<ImportAnswer>();

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    const call = (url: string, payload: object) =>
      t.app.inject({ method: 'POST', url, headers: auth(), payload });
    const partner = (await call('/api/v1/accounts', { name: 'Provider', kind: 'partner' })).json();
    accountId = (
      await call('/api/v1/accounts', { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).json().id;
    await call(`/api/v1/accounts/${accountId}/subscriptions`, { sku: 'pbx_user', quantity: 100 });
    serviceId = (
      await call(`/api/v1/accounts/${accountId}/services`, {
        name: 'PBX',
        sipDomain: 'pbx.contoso.example',
        country: 'GB',
      })
    ).json().id;
    for (const [email, name] of [
      ['anna@contoso.example', 'Anna'],
      ['bo@contoso.example', 'Bo'],
      ['cy@contoso.example', 'Cy'],
    ]) {
      await call(`/api/v1/accounts/${accountId}/users`, { serviceId, email, displayName: name });
    }
  });
  afterAll(() => t.close());

  // As European Excel saves it: BOM, semicolons, CRLF, the + of E.164 numbers lost.
  const excelFile = (rows: string[]) =>
    Buffer.from(
      '\uFEFF' +
        ['SIPUsername;Name;Email;PhoneNumber;AuthUsername;Password;ExternalId', ...rows].join('\r\n') +
        '\r\n',
      'utf8',
    );

  it('reports per row in a dry run, repairs Excel damage, and refuses an unknown email without changing anything', async () => {
    const answer = await importCsv(
      excelFile([
        '201;Anna;anna@contoso.example;441235123401;;pw-201-secret;E1',
        '202;Bo;nobody@contoso.example;441235123402;;pw-202;E2',
      ]),
      true,
    );
    expect(answer.applied).toBe(false);
    expect(answer.plan.ok).toBe(false);
    expect(answer.plan.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, column: 'PhoneNumber', severity: 'fixed' }),
        expect.objectContaining({ row: 3, column: 'Email', severity: 'error' }),
      ]),
    );
    const users = (
      await t.app.inject({ url: `/api/v1/accounts/${accountId}/users`, headers: auth() })
    ).json();
    expect(users.items.every((u: { sipUsername: string | null }) => u.sipUsername === null)).toBe(true);
  });

  it('applies a clean file all at once: numbers, SIP credentials, registration queued; passwords never shown or exported', async () => {
    const file = excelFile([
      '201;Anna;anna@contoso.example;441235123401;;pw-201-secret;E1',
      '202;Bo;bo@contoso.example;+44 1235 123402;auth202;pw-202-secret;E2',
    ]);
    const dry = await importCsv(file, true);
    expect(dry.plan.ok).toBe(true);
    expect((dry.plan.counts['create'] ?? 0) + (dry.plan.counts['update'] ?? 0)).toBe(2);
    const applied = await importCsv(file, false);
    expect(applied.applied).toBe(true);
    expect(JSON.stringify(applied)).not.toContain('pw-201-secret');
    const users = (
      await t.app.inject({ url: `/api/v1/accounts/${accountId}/users?sort=email`, headers: auth() })
    ).json();
    expect(users.items.slice(0, 2)).toEqual([
      expect.objectContaining({
        email: 'anna@contoso.example',
        phoneNumber: '+441235123401',
        sipUsername: '201',
        hasSipPassword: true,
        registrationState: 'pending',
      }),
      expect.objectContaining({
        email: 'bo@contoso.example',
        phoneNumber: '+441235123402',
        authUsername: 'auth202',
        registrationState: 'pending',
      }),
    ]);
    const exported = await t.app.inject({
      url: `/api/v1/accounts/${accountId}/services/${serviceId}/export`,
      headers: auth(),
    });
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(exported.body).not.toContain('pw-');
    expect(exported.body).toContain('anna@contoso.example');
    expect(exported.body).toContain('+441235123401');
  });

  it('lets two users swap numbers within one file', async () => {
    const file = excelFile([
      '201;Anna;anna@contoso.example;+441235123402;;;',
      '202;Bo;bo@contoso.example;+441235123401;;;',
    ]);
    const answer = await importCsv(file, false);
    expect(answer.plan.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(answer.applied).toBe(true);
    const users = (
      await t.app.inject({ url: `/api/v1/accounts/${accountId}/users?sort=email`, headers: auth() })
    ).json();
    expect(users.items.slice(0, 2).map((u: { phoneNumber: string }) => u.phoneNumber)).toEqual([
      '+441235123402',
      '+441235123401',
    ]);
  });

  it('applies a change of extension alone, and records the user as it was before in the audit', async () => {
    await importCsv(excelFile(['203;Cy;cy@contoso.example;+441235123400 ext 203;;;']), false);
    const answer = await importCsv(excelFile(['203;Cy;cy@contoso.example;+441235123400 ext 204;;;']), false);
    expect(answer.applied).toBe(true);
    const cy = (
      await t.app.inject({ url: `/api/v1/accounts/${accountId}/users?search=cy@`, headers: auth() })
    ).json().items[0];
    expect(cy).toMatchObject({
      phoneNumber: '+441235123400',
      extension: '204',
      lineUri: 'tel:+441235123400;ext=204',
    });
    const [latest] = await t.ctx.services.audit.list(system, accountId, {
      objectType: 'user',
      objectId: cy.id,
      limit: 1,
    });
    expect(latest?.before).toMatchObject({ extension: '203' });
    expect(latest?.after).toMatchObject({ extension: '204', version: cy.version });
  });
});
