import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe.each(DIALECTS)('API for accounts, services and users on %s', (dialect) => {
  let t: TestApp;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });

  beforeAll(async () => {
    // A route that fails the way a bug would, to see what the caller and the log get.
    t = await createTestApp(dialect, {
      extend: (app) =>
        app.get('/api/v1/__boom', async () => {
          throw new Error('kaboom');
        }),
    });
  });
  afterAll(() => t.close());

  async function clientWithService(name: string) {
    const partner = (
      await call('POST', '/api/v1/accounts', { name: `${name} Partner`, kind: 'partner' })
    ).json();
    const client = (
      await call('POST', '/api/v1/accounts', { name, kind: 'client', parentId: partner.id })
    ).json();
    await t.ctx.services.subscriptions.create(system, client.id, { sku: 'pbx_user', quantity: 10 });
    const service = (
      await call('POST', `/api/v1/accounts/${client.id}/services`, {
        name: 'HQ PBX',
        sipDomain: 'pbx.contoso.example',
        country: 'GB',
      })
    ).json();
    return { partner, client, service };
  }

  it('answers the health probes without a token', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: dialect });
  });

  it('refuses /api/v1 without a valid token', async () => {
    const anonymous = await t.app.inject({ url: '/api/v1/accounts' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'unauthenticated' });
    const forged = await t.app.inject({
      url: '/api/v1/accounts',
      headers: { authorization: 'Bearer cb_forged' },
    });
    expect(forged.statusCode).toBe(401);
  });

  it('creates a client account, a PBX service and a user, and reads them back', async () => {
    const { partner, client, service } = await clientWithService('Contoso');
    expect(client).toMatchObject({ kind: 'client', parentId: partner.id, status: 'active' });
    expect(service).toMatchObject({
      kind: 'pbx',
      transport: 'udp',
      registrationExpiry: 3600,
      teams: { phoneAppEnabled: false },
    });
    const created = await call('POST', `/api/v1/accounts/${client.id}/users`, {
      serviceId: service.id,
      email: 'Anna@Contoso.example',
      displayName: 'Anna Example',
      phoneNumber: '+44 1235 123400 ext. 201',
      sipUsername: '201',
      sipPassword: 'pbx-secret-201',
    });
    expect(created.statusCode).toBe(201);
    const user = created.json();
    expect(user).toMatchObject({
      email: 'anna@contoso.example',
      phoneNumber: '+441235123400',
      extension: '201',
      lineUri: 'tel:+441235123400;ext=201',
      hasSipPassword: true,
      registrationState: 'pending',
    });
    expect(created.body).not.toContain('pbx-secret-201');

    expect((await call('GET', `/api/v1/accounts/${client.id}`)).json()).toEqual(client);
    expect((await call('GET', `/api/v1/accounts/${client.id}/services/${service.id}`)).json()).toEqual(
      service,
    );
    expect((await call('GET', `/api/v1/accounts/${client.id}/users/${user.id}`)).json()).toEqual(user);
    expect((await call('GET', `/api/v1/accounts?parentId=${partner.id}`)).json().items).toEqual([client]);
    const listed = (await call('GET', `/api/v1/accounts/${client.id}/users?search=anna`)).json();
    expect(listed).toMatchObject({ total: 1, items: [{ id: user.id }] });
  });

  it('updates accounts, services and users, and audits each change without secrets', async () => {
    const { client, service } = await clientWithService('Updates');
    expect(
      (await call('PATCH', `/api/v1/accounts/${client.id}`, { name: 'Updates Ltd' })).json(),
    ).toMatchObject({ name: 'Updates Ltd' });
    expect(
      (
        await call('PATCH', `/api/v1/accounts/${client.id}/services/${service.id}`, {
          transport: 'tcp',
          registrationExpiry: 600,
        })
      ).json(),
    ).toMatchObject({ transport: 'tcp', registrationExpiry: 600 });
    const user = (
      await call('POST', `/api/v1/accounts/${client.id}/users`, {
        serviceId: service.id,
        email: 'bo@updates.example',
        displayName: 'Bo',
      })
    ).json();
    expect(user).toMatchObject({ registrationState: 'disabled', hasSipPassword: false });
    const patched = await call('PATCH', `/api/v1/accounts/${client.id}/users/${user.id}`, {
      sipUsername: '300',
      sipPassword: 'audit-me-not',
      version: 1,
    });
    expect(patched.json()).toMatchObject({
      sipUsername: '300',
      hasSipPassword: true,
      registrationState: 'pending',
    });
    const stale = await call('PATCH', `/api/v1/accounts/${client.id}/users/${user.id}`, {
      displayName: 'Late',
      version: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'precondition_failed' });
    const audit = await t.ctx.services.audit.list(system, client.id, { limit: 50 });
    expect(audit.map((e) => e.action)).toEqual([
      'user.update',
      'user.create',
      'service.update',
      'account.update',
      'service.create',
      'subscription.create',
      'account.create',
    ]);
    expect(audit[0]?.actor).toMatchObject({
      type: 'api_token',
      label: 'owner@callbridge.test',
      source: 'api',
    });
    expect(JSON.stringify(audit)).not.toContain('audit-me-not');
  });

  it('names the field and the rule of a bad input', async () => {
    const { client } = await clientWithService('Bad input');
    const response = await call('POST', `/api/v1/accounts/${client.id}/services`, {
      name: 'X',
      sipDomain: 'not a host',
      registrationExpiry: 5,
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('validation_failed');
    expect(body.details.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'sipDomain' }),
        { field: 'registrationExpiry', message: 'must be at least 60 seconds' },
      ]),
    );
    const noParent = await call('POST', '/api/v1/accounts', { name: 'Orphan', kind: 'client' });
    expect(noParent.json()).toMatchObject({ code: 'validation_failed', details: { field: 'parentId' } });
  });

  it('refuses a number that is not E.164 with the exact message and the corrected number', async () => {
    const { client, service } = await clientWithService('Numbers');
    const response = await call('POST', `/api/v1/accounts/${client.id}/users`, {
      serviceId: service.id,
      email: 'cy@numbers.example',
      displayName: 'Cy',
      phoneNumber: '01235 123465',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'invalid_phone_number',
      details: { field: 'phoneNumber', suggestion: '+441235123465' },
    });
    expect(response.json().message).toMatch(/^The telephone number provided is not valid/);
  });

  it('answers 404 for unknown ids and 409 for duplicates, naming the holder of a number', async () => {
    const { client, service } = await clientWithService('Clashes');
    const missing = await call(
      'GET',
      `/api/v1/accounts/${client.id}/users/00000000-0000-4000-8000-000000000000`,
    );
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not_found' });
    expect((await call('GET', '/api/v1/accounts/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    const dupService = await call('POST', `/api/v1/accounts/${client.id}/services`, {
      name: 'HQ PBX',
      sipDomain: 'pbx.clashes.example',
    });
    expect(dupService.statusCode).toBe(409);
    await call('POST', `/api/v1/accounts/${client.id}/users`, {
      serviceId: service.id,
      email: 'di@clashes.example',
      displayName: 'Di Holder',
      phoneNumber: '+441235123465',
    });
    const clash = await call('POST', `/api/v1/accounts/${client.id}/users`, {
      serviceId: service.id,
      email: 'ed@clashes.example',
      displayName: 'Ed',
      phoneNumber: '+441235123465',
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().message).toContain('Di Holder');
  });

  it("hides another account's service behind a 404", async () => {
    const a = await clientWithService('Tenant A');
    const b = await clientWithService('Tenant B');
    const response = await call('GET', `/api/v1/accounts/${b.client.id}/services/${a.service.id}`);
    expect(response.statusCode).toBe(404);
  });

  it('answers an unexpected failure with 500 and a correlation id that is in the log', async () => {
    const response = await call('GET', '/api/v1/__boom');
    expect(response.statusCode).toBe(500);
    const body = response.json();
    expect(body.code).toBe('internal');
    expect(body.message).not.toContain('kaboom');
    expect(
      t.logLines.some((line) => line.includes(body.details.correlationId) && line.includes('kaboom')),
    ).toBe(true);
  });

  it('serves the OpenAPI document with the v1 routes', async () => {
    const doc = (await t.app.inject({ url: '/api/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/accounts',
        '/api/v1/accounts/{accountId}/services',
        '/api/v1/accounts/{accountId}/users/{userId}',
      ]),
    );
    expect(doc.components.schemas).toHaveProperty('User');
  });
});
