import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { clientAccount } from './support/security-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

/**
 * Issue 14: the audit CSV export had no formula guard (an administrator `-2+3+cmd@x.test` was written as is), a SIP
 * username `-1-1` was exported unescaped (Excel computes it), and the CSV password limit was 128 where the API's was
 * 256. Every CSV export guards cells Excel would run as a formula with a leading apostrophe, in one place, and the
 * import takes the apostrophe off again, so an exported file re-imports to the same values.
 */
describe.each(DIALECTS)('CSV formula guard and one password limit (%s)', (dialect) => {
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  const auth = (token = t.token) => ({ authorization: `Bearer ${token}` });
  const importCsv = (csv: string, dryRun: boolean) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/services/${serviceId}/import?dryRun=${dryRun}`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: csv,
    });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const call = (url: string, payload: object) =>
      t.app.inject({ method: 'POST', url, headers: auth(), payload });
    const { account, service } = await clientAccount(t, 'Contoso');
    accountId = account.id;
    serviceId = service.id;
    await call(`/api/v1/accounts/${accountId}/subscriptions`, { sku: 'pbx_user', quantity: 10 });
    const users = [
      {
        email: 'anna@contoso.example',
        displayName: '=HYPERLINK("http://evil.example","Anna")',
        sipUsername: '-1-1',
        authUsername: '+1+1',
        externalId: '@SUM(1)',
        phoneNumber: '+441235123465',
      },
      { email: 'bo@contoso.example', displayName: 'Bo', sipUsername: "'=2", externalId: "'plain" },
    ];
    for (const user of users) {
      const created = await call(`/api/v1/accounts/${accountId}/users`, { serviceId, ...user });
      expect(created.statusCode).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('guards every formula-like cell of the users export, keeps E.164 numbers plain, and re-imports unchanged', async () => {
    const exported = await t.app.inject({
      url: `/api/v1/accounts/${accountId}/services/${serviceId}/export`,
      headers: auth(),
    });
    const rows: string[][] = parse(exported.body, { bom: true });
    expect(rows[0]).toEqual([
      'SIPUsername',
      'Name',
      'Email',
      'PhoneNumber',
      'AuthUsername',
      'Password',
      'ExternalId',
    ]);
    expect(rows[1]).toEqual([
      "'-1-1",
      `'=HYPERLINK("http://evil.example","Anna")`,
      'anna@contoso.example',
      '+441235123465',
      "'+1+1",
      '',
      "'@SUM(1)",
    ]);
    // A value that itself starts with an apostrophe before a formula character keeps it through the round trip.
    expect(rows[2]).toEqual(["''=2", 'Bo', 'bo@contoso.example', '', '', '', "'plain"]);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r](?!\d{7,15}$)/);

    const reimported = (await importCsv(exported.body, true)).json();
    expect(reimported.plan.ok).toBe(true);
    expect(reimported.plan.counts).toMatchObject({ unchanged: 2 });
    expect(reimported.plan.rows.map((r: { changedFields: string[] }) => r.changedFields)).toEqual([[], []]);
  });

  it('guards the audit CSV export, where an administrator named like a formula appears', async () => {
    await t.ctx.services.administrators.create(system, {
      email: '-2+3+cmd@x.test',
      password: 'correct horse battery',
      platformOperator: true,
    });
    const { token } = await t.ctx.services.administrators.createToken(system, '-2+3+cmd@x.test', 'probe');
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}`,
      headers: auth(token),
      payload: { name: '@Contoso' },
    });
    expect(renamed.statusCode).toBe(200);
    const exported = await t.app.inject({
      url: `/api/v1/accounts/${accountId}/audit/export?format=csv`,
      headers: auth(),
    });
    const rows: string[][] = parse(exported.body);
    const row = rows.find((cells) => cells.includes("'-2+3+cmd@x.test"));
    expect(row).toBeDefined();
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('takes the same SIP password lengths from the API and from a CSV file', async () => {
    const longest = 'p'.repeat(128);
    const tooLong = 'p'.repeat(129);
    const anna = (await t.ctx.store.repos.users.listAllInAccount(accountId)).find(
      (u) => u.email === 'anna@contoso.example',
    )!;
    const patch = (sipPassword: string) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/accounts/${accountId}/users/${anna.id}`,
        headers: auth(),
        payload: { sipPassword },
      });
    const csvWith = (password: string) =>
      [
        'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
        `,,anna@contoso.example,,,${password},`,
      ].join('\r\n');
    expect((await patch(longest)).statusCode).toBe(200);
    expect((await importCsv(csvWith(longest), true)).json().plan.ok).toBe(true);
    const refused = await patch(tooLong);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('at most 128 characters');
    const csvRefused = (await importCsv(csvWith(tooLong), true)).json();
    expect(csvRefused.plan.issues).toContainEqual(
      expect.objectContaining({
        column: 'Password',
        severity: 'error',
        message: expect.stringContaining('128'),
      }),
    );
  });
});
