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
    const held = async (at?: Date) =>
      (await t.ctx.services.licences.summary(system, account.id, at)).map((l) => ({
        sku: l.sku,
        held: l.held,
        trialEndsAt: l.trialEndsAt,
        state: l.state,
      }));
    expect(await held()).toEqual([
      { sku: 'pbx_user', held: 25, trialEndsAt: null, state: 'ok' },
      { sku: 'phone_app_user', held: 5, trialEndsAt: trial.trialEndsAt, state: 'trial' },
    ]);
    const cancelled = (
      await call('PATCH', `/api/v1/accounts/${account.id}/subscriptions/${trial.id}`, { state: 'cancelled' })
    ).json();
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelledAt: expect.any(String) });
    expect((await held()).filter((l) => l.held > 0)).toEqual([
      { sku: 'pbx_user', held: 25, trialEndsAt: null, state: 'ok' },
    ]);
    const expired = new Date(Date.now() + 31 * 86_400_000);
    await call('POST', `/api/v1/accounts/${account.id}/subscriptions`, {
      sku: 'trunk_user',
      quantity: 3,
      trial: true,
    });
    // 31 days on, the trial has ended: 14 days of warning while its users keep working, then nothing is held.
    const trunk = (at: Date) => held(at).then((lines) => lines.find((l) => l.sku === 'trunk_user'));
    expect(await trunk(expired)).toMatchObject({ held: 3, state: 'grace' });
    const listed = await t.ctx.services.subscriptions.list(system, account.id, expired);
    expect(listed.find((s) => s.sku === 'trunk_user')).toMatchObject({
      state: 'cancelled',
      cancelledAt: expect.any(String),
    });
    expect(listed.find((s) => s.sku === 'pbx_user' && !s.trial)).toMatchObject({ state: 'active' });
    expect(await trunk(new Date(Date.now() + 45 * 86_400_000))).toMatchObject({ held: 0, state: 'ok' });
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
