import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe('licence subscriptions', () => {
  let t: TestApp;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('adds licences and a 30-day trial, changes the quantity, cancels, and counts only what is held', async () => {
    const account = (await call('POST', '/api/v1/accounts', { name: 'Provider', kind: 'partner' })).json();
    const paid = (
      await call('POST', `/api/v1/accounts/${account.id}/subscriptions`, { sku: 'pbx_user', quantity: 20 })
    ).json();
    const trial = (
      await call('POST', `/api/v1/accounts/${account.id}/subscriptions`, {
        sku: 'phone_app_user',
        quantity: 5,
        trial: true,
      })
    ).json();
    const days = (Date.parse(trial.trialEndsAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(
      (
        await call('PATCH', `/api/v1/accounts/${account.id}/subscriptions/${paid.id}`, { quantity: 25 })
      ).json(),
    ).toMatchObject({ quantity: 25 });
    expect(await t.ctx.services.subscriptions.held(system, account.id)).toEqual([
      { sku: 'pbx_user', held: 25, trialEndsAt: null },
      { sku: 'phone_app_user', held: 5, trialEndsAt: trial.trialEndsAt },
    ]);
    const cancelled = (
      await call('PATCH', `/api/v1/accounts/${account.id}/subscriptions/${trial.id}`, { state: 'cancelled' })
    ).json();
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelledAt: expect.any(String) });
    expect(await t.ctx.services.subscriptions.held(system, account.id)).toEqual([
      { sku: 'pbx_user', held: 25, trialEndsAt: null },
    ]);
    const expired = new Date(Date.now() + 31 * 86_400_000);
    await call('POST', `/api/v1/accounts/${account.id}/subscriptions`, {
      sku: 'trunk_user',
      quantity: 3,
      trial: true,
    });
    expect((await t.ctx.services.subscriptions.held(system, account.id, expired)).map((l) => l.sku)).toEqual([
      'pbx_user',
    ]);
  });

  it('refuses a quantity below one, naming the field', async () => {
    const account = (await call('POST', '/api/v1/accounts', { name: 'P2', kind: 'partner' })).json();
    const response = await call('POST', `/api/v1/accounts/${account.id}/subscriptions`, {
      sku: 'pbx_user',
      quantity: 0,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().details.issues).toEqual([{ field: 'quantity', message: 'must be at least 1' }]);
  });
});
