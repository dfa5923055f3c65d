import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

/**
 * Issue 22's API on both stores: Retry now (the stamp the SIP role watches, the user pending at once, audited),
 * the state filter, the registration detail (final, next attempt), and DELETE (audited, licence freed).
 */
describe.each(DIALECTS)('users API on %s: retry now, state filter, delete', (dialect) => {
  let t: TestApp;
  let accountId: string;
  let failedId: string;
  let registeredId: string;
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string) =>
    t.app.inject({
      method,
      url: `/api/v1/accounts/${accountId}${url}`,
      headers: { authorization: `Bearer ${t.token}` },
    });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const { services, store } = t.ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    accountId = (
      await services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).id;
    await services.subscriptions.create(system, accountId, { sku: 'pbx_user', quantity: 3 });
    const service = await services.voiceServices.create(system, accountId, {
      name: 'PBX',
      sipDomain: 'pbx.example',
    });
    const add = async (n: number) =>
      (
        await services.users.create(system, accountId, {
          serviceId: service.id,
          email: `user${n}@contoso.test`,
          displayName: `User ${n}`,
          sipUsername: `u${n}`,
          sipPassword: `pw-${n}`,
        })
      ).id;
    failedId = await add(1);
    registeredId = await add(2);
    await store.repos.users.recordRegistrationState(failedId, 'failed', {
      statusCode: 503,
      reason: 'Service Unavailable',
      final: false,
      retryAt: '2030-01-01T00:00:00.000Z',
    });
    await store.repos.users.recordRegistrationState(registeredId, 'registered', {
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
  }, 60_000);
  afterAll(() => t.close());

  it('filters by state and shows when the next attempt comes', async () => {
    const failed = (await call('GET', '/users?registrationState=failed')).json<{
      items: { id: string; registrationDetail: object }[];
    }>();
    expect(failed.items.map((u) => u.id)).toEqual([failedId]);
    expect(failed.items[0]!.registrationDetail).toEqual({
      statusCode: 503,
      reason: 'Service Unavailable',
      final: false,
      retryAt: '2030-01-01T00:00:00.000Z',
    });
    const bad = await call('GET', '/users?registrationState=gone');
    expect(bad.statusCode).toBe(400);
  });

  it('Retry now stamps the request for the SIP role and answers the user pending', async () => {
    const retried = await call('POST', `/users/${failedId}/registration/retry`);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({
      id: failedId,
      registrationState: 'pending',
      registrationDetail: {},
    });
    const row = (await t.ctx.store.repos.users.listRegistrationsForSystem()).find((u) => u.id === failedId);
    expect(Date.parse(row!.retryRequestedAt!)).toBeGreaterThan(Date.now() - 60_000);
    const again = await call('POST', `/users/${failedId}/registration/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      code: 'precondition_failed',
      message: "Only a failed registration can be retried; this user's registration is pending.",
    });
  });

  it('DELETE removes the user, audits it and frees the licence; a second DELETE is 404', async () => {
    const used = async () =>
      (await call('GET', '/licences')).json<{ items: { used: number }[] }>().items[0]!.used;
    expect(await used()).toBe(2);
    expect((await call('DELETE', `/users/${registeredId}`)).statusCode).toBe(204);
    expect(await used()).toBe(1);
    expect((await call('GET', `/users/${registeredId}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/users/${registeredId}`)).statusCode).toBe(404);
    const audit = await t.ctx.services.audit.list(system, accountId, { limit: 5 });
    expect(audit[0]).toMatchObject({
      action: 'user.delete',
      objectId: registeredId,
      before: { sipUsername: 'u2', displayName: 'User 2' },
      after: null,
    });
    expect(JSON.stringify(audit[0])).not.toContain('pw-2');
  });
});
