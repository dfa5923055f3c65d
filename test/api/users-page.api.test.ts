import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

/** The users page over HTTP (issue 21): cursor paging, how the total was counted, refusals. */
describe.each(DIALECTS)('users page API on %s', (dialect) => {
  let t: TestApp;
  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });
  const get = (url: string) => call('GET', url);

  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('pages by cursor to the end, says the total is exact, and refuses a cursor with an offset', async () => {
    const partner = (
      await call('POST', '/api/v1/accounts', { name: 'Paging Partner', kind: 'partner' })
    ).json();
    const client = (
      await call('POST', '/api/v1/accounts', { name: 'Paged', kind: 'client', parentId: partner.id })
    ).json();
    await t.ctx.services.subscriptions.create(system, client.id, { sku: 'pbx_user', quantity: 20 });
    const service = (
      await call('POST', `/api/v1/accounts/${client.id}/services`, {
        name: 'PBX',
        sipDomain: 'pbx.paged.example',
        country: 'GB',
      })
    ).json();
    for (let i = 1; i <= 7; i++)
      await call('POST', `/api/v1/accounts/${client.id}/users`, {
        serviceId: service.id,
        email: `p${i}@paged.example`,
        displayName: `Paged ${i}`,
      });
    const base = `/api/v1/accounts/${client.id}/users?sort=email&order=desc&limit=3`;
    const seen: string[] = [];
    let url = base;
    for (;;) {
      const page = (await get(url)).json<{
        items: { email: string }[];
        total: number;
        totalIs: string;
        nextCursor: string | null;
      }>();
      expect(page).toMatchObject({ total: 7, totalIs: 'exact' });
      seen.push(...page.items.map((u) => u.email));
      if (!page.nextCursor) break;
      url = `${base}&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1].map((i) => `p${i}@paged.example`));

    const first = (await get(base)).json<{ nextCursor: string }>();
    const both = await get(`${base}&offset=3&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toContain('either cursor or offset');
    const otherSort = await get(
      `/api/v1/accounts/${client.id}/users?cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    expect(otherSort.statusCode).toBe(400);
    expect(otherSort.json()).toMatchObject({ code: 'validation_failed', details: { field: 'cursor' } });
  });
});
