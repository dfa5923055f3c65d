import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { clientAccount } from './support/security-app.js';
import { DIALECTS } from '../support/test-database.js';

/**
 * Issue 14: a NUL byte in a name, `search` or an audit filter was a 500 on PostgreSQL ("invalid byte sequence")
 * and stored as is on SQLite. It is a 400 naming the field on both, checked once for every route, and a CSV cell
 * holding one is an error of its row.
 */
describe.each(DIALECTS)('NUL bytes (%s)', (dialect) => {
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  const auth = () => ({ authorization: `Bearer ${t.token}` });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const call = (url: string, payload: object) =>
      t.app.inject({ method: 'POST', url, headers: auth(), payload });
    const { account, service } = await clientAccount(t, 'Contoso');
    accountId = account.id;
    serviceId = service.id;
    await call(`/api/v1/accounts/${accountId}/subscriptions`, { sku: 'pbx_user', quantity: 10 });
    await call(`/api/v1/accounts/${accountId}/users`, {
      serviceId,
      email: 'anna@contoso.example',
      displayName: 'Anna',
    });
  });
  afterAll(() => t.close());

  const expectRefused = (response: { statusCode: number; json(): unknown }, field: string) => {
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining(`${field}: must not contain a NUL character`),
      details: { issues: [expect.objectContaining({ field })] },
    });
  };

  it('refuses a NUL byte in an account name and stores nothing', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}`,
      headers: auth(),
      payload: { name: 'Contoso\u0000 Ltd' },
    });
    expectRefused(response, 'name');
    expect((await t.ctx.store.repos.accounts.findById(accountId))?.name).toBe('Contoso');
  });

  it('refuses a NUL byte in a nested field, naming its path', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/users`,
      headers: auth(),
      payload: { serviceId, email: 'bo@contoso.example', displayName: 'Bo\u0000' },
    });
    expectRefused(response, 'displayName');
  });

  it('refuses a NUL byte in the users search', async () => {
    const response = await t.app.inject({
      url: `/api/v1/accounts/${accountId}/users?search=An%00na`,
      headers: auth(),
    });
    expectRefused(response, 'querystring.search');
  });

  it('refuses a NUL byte in an audit filter, and in the audit export', async () => {
    for (const path of ['audit', 'audit/export']) {
      const response = await t.app.inject({
        url: `/api/v1/accounts/${accountId}/${path}?objectType=user%00`,
        headers: auth(),
      });
      expectRefused(response, 'querystring.objectType');
    }
  });

  it('reports a NUL byte in a CSV cell as an error of its row and column, and imports nothing', async () => {
    const csv = [
      'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
      '201,Anna\u0000,anna@contoso.example,,,,E1',
    ].join('\r\n');
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/services/${serviceId}/import?dryRun=false`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(response.statusCode).toBe(200);
    const answer = response.json();
    expect(answer.applied).toBe(false);
    expect(answer.plan.issues).toContainEqual(
      expect.objectContaining({
        row: 2,
        column: 'Name',
        severity: 'error',
        message: expect.stringMatching(/NUL/),
      }),
    );
    const users = await t.ctx.store.repos.users.listAllInAccount(accountId);
    expect(users.map((u) => u.displayName)).toEqual(['Anna']);
  });
});
