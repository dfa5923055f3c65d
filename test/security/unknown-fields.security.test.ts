import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { clientAccount } from './support/security-app.js';
import { DIALECTS } from '../support/test-database.js';

interface OpenApiOperation {
  requestBody?: { content?: Record<string, unknown> };
}
type OpenApiDocument = { paths: Record<string, Record<string, OpenApiOperation>> };

const WRITE_METHODS = ['post', 'put', 'patch'];

/** A path of the OpenAPI document with its parameters filled in: any uuid, or a real role name. */
function fill(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'role' ? 'service_viewer' : randomUUID()));
}

/**
 * Issue 15: `PATCH .../users/{id}` with `{"password": ...}` (the field is `sipPassword`) answered 200 and changed
 * nothing. Every write route refuses unknown fields with a 400 naming them, and says which field was meant.
 */
describe.each(DIALECTS)('unknown fields (%s)', (dialect) => {
  let t: TestApp;
  let accountId: string;
  let userId: string;
  const auth = () => ({ authorization: `Bearer ${t.token}` });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const call = (url: string, payload: object) =>
      t.app.inject({ method: 'POST', url, headers: auth(), payload });
    const { account, service } = await clientAccount(t, 'Contoso');
    accountId = account.id;
    const serviceId = service.id;
    userId = (
      await call(`/api/v1/accounts/${accountId}/users`, {
        serviceId,
        email: 'anna@contoso.example',
        displayName: 'Anna',
        sipUsername: '201',
      })
    ).json().id;
  });
  afterAll(() => t.close());

  it('refuses a misspelt field of a user, says which was meant, and changes nothing', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}/users/${userId}`,
      headers: auth(),
      payload: { password: 'pw-that-would-be-lost' },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('validation_failed');
    expect(body.message).toBe('unknown field `password`; did you mean `sipPassword`?');
    expect(body.details.unknownFields).toEqual(['password']);
    const user = await t.app.inject({
      url: `/api/v1/accounts/${accountId}/users/${userId}`,
      headers: auth(),
    });
    expect(user.json()).toMatchObject({ hasSipPassword: false, version: 1 });
  });

  it('names an unknown field beside a known one, and one nested in an object', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}/users/${userId}`,
      headers: auth(),
      payload: { displayName: 'Anna B', phone: '+441235123465' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('unknown field `phone`; did you mean `phoneNumber`?');
    expect((await t.ctx.store.repos.users.findById(accountId, userId))?.displayName).toBe('Anna');
  });

  it('refuses an unknown field on every write route of the OpenAPI document', async () => {
    const document = (await t.app.inject({ url: '/api/docs/json' })).json<OpenApiDocument>();
    const accepted: string[] = [];
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!WRITE_METHODS.includes(method)) continue;
        checked += 1;
        const response = await t.app.inject({
          method: method.toUpperCase() as 'POST',
          url: fill(path),
          headers: auth(),
          payload: { callbridgeUnknownField: 1 },
        });
        const body = response.json<{ message?: string; details?: { unknownFields?: string[] } }>();
        // A route that reads no JSON at all (the CSV import) refuses the whole body instead.
        const refused =
          (response.statusCode === 415 && operation.requestBody === undefined) ||
          (response.statusCode === 400 &&
            body.details?.unknownFields?.includes('callbridgeUnknownField') === true &&
            body.message?.includes('`callbridgeUnknownField`') === true);
        if (!refused) accepted.push(`${method.toUpperCase()} ${path}: ${response.statusCode}`);
      }
    }
    expect(checked).toBeGreaterThan(15);
    expect(accepted).toEqual([]);
  });
});
