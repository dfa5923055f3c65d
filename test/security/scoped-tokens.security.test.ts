import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const DAY = 86_400_000;

/**
 * Issue 14: a token scoped to service_viewer revoked its owner's unscoped operator token, and a token expiring in
 * one day minted a token with no expiry. A token manages (lists, creates, revokes) only tokens no broader and no
 * longer-lived than itself.
 */
describe.each(DIALECTS)('what an API token may do with other tokens on %s', (dialect) => {
  let t: TestApp;
  let accountId: string;
  const EMAIL = 'operator@provider.test';
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const call = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload && { payload }),
    });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const partner = await t.ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    accountId = (
      await t.ctx.services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).id;
    await t.ctx.services.administrators.create(system, {
      email: EMAIL,
      password: 'long enough password',
      platformOperator: true,
      mustChangePassword: false,
    });
    const make = async (name: string, expiresAt: Date | null, role?: 'service_viewer' | 'account_owner') => {
      const created = await t.ctx.services.administrators.createToken(
        system,
        EMAIL,
        name,
        expiresAt,
        role ? { accountId, role } : null,
      );
      ids[name] = created.id;
      tokens[name] = created.token;
    };
    await make('unscoped', null);
    await make('owner-scope', new Date(Date.now() + 30 * DAY), 'account_owner');
    await make('viewer-1d', new Date(Date.now() + DAY), 'service_viewer');
    await make('viewer-long', new Date(Date.now() + 300 * DAY), 'service_viewer');
    await make('short-unscoped', new Date(Date.now() + DAY));
  });
  afterAll(() => t.close());

  it('does not let a scoped token revoke a broader or longer-lived token of the same owner', async () => {
    for (const target of ['unscoped', 'owner-scope', 'viewer-long', 'short-unscoped']) {
      const refused = await call(tokens['viewer-1d']!, 'DELETE', `/tokens/${ids[target]}`);
      expect({ target, status: refused.statusCode }).toEqual({ target, status: 404 });
    }
    expect((await call(tokens['unscoped']!, 'GET', '/accounts')).statusCode).toBe(200);
    expect((await call(tokens['owner-scope']!, 'GET', `/accounts/${accountId}`)).statusCode).toBe(200);
  });

  it('lists only the tokens a token could manage', async () => {
    const listed = (await call(tokens['viewer-1d']!, 'GET', '/tokens')).json<{ items: { name: string }[] }>();
    expect(listed.items.map((i) => i.name)).toEqual(['viewer-1d']);
    const all = (await call(tokens['unscoped']!, 'GET', '/tokens')).json<{ items: { name: string }[] }>();
    expect(all.items.map((i) => i.name)).toEqual(
      expect.arrayContaining(['unscoped', 'owner-scope', 'viewer-1d', 'viewer-long', 'short-unscoped']),
    );
    const owner = (await call(tokens['owner-scope']!, 'GET', '/tokens')).json<{
      items: { name: string }[];
    }>();
    expect(owner.items.map((i) => i.name).sort()).toEqual(['owner-scope', 'viewer-1d']);
  });

  it('does not mint a token that outlives or outranks the token asking', async () => {
    const scope = { accountId, role: 'service_viewer' };
    const forever = await call(tokens['viewer-1d']!, 'POST', '/tokens', { name: 'forever', scope });
    expect(forever.statusCode).toBe(403);
    expect(forever.json().message).toContain('expire');
    const longer = await call(tokens['short-unscoped']!, 'POST', '/tokens', { name: 'x', expiresInDays: 30 });
    expect(longer.statusCode).toBe(403);
    const broader = await call(tokens['owner-scope']!, 'POST', '/tokens', { name: 'x', expiresInDays: 1 });
    expect(broader.statusCode).toBe(403);
    const narrower = await call(tokens['owner-scope']!, 'POST', '/tokens', {
      name: 'narrower',
      expiresInDays: 1,
      scope,
    });
    expect(narrower.statusCode).toBe(201);
    expect((await call(narrower.json().token, 'GET', `/accounts/${accountId}/services`)).statusCode).toBe(
      200,
    );
    const same = await call(tokens['viewer-1d']!, 'POST', '/tokens', {
      name: 'same',
      expiresInDays: 1,
      scope,
    });
    expect(same.statusCode).toBe(403);
    const within = await call(tokens['short-unscoped']!, 'POST', '/tokens', {
      name: 'within',
      expiresInDays: 1,
    });
    expect(within.statusCode).toBe(403);
  });

  it('revokes a token it covers, and the owner’s unscoped token still manages everything', async () => {
    expect((await call(tokens['owner-scope']!, 'DELETE', `/tokens/${ids['viewer-long']}`)).statusCode).toBe(
      404,
    );
    expect((await call(tokens['owner-scope']!, 'DELETE', `/tokens/${ids['viewer-1d']}`)).statusCode).toBe(
      204,
    );
    expect((await call(tokens['viewer-1d']!, 'GET', `/accounts/${accountId}`)).statusCode).toBe(401);
    expect((await call(tokens['unscoped']!, 'DELETE', `/tokens/${ids['viewer-long']}`)).statusCode).toBe(204);
  });
});
