import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/worker/worker.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';
import { clientWithPbxService, storeUser } from '../support/store-fixtures.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'whsec-a-long-enough-signing-secret';

/**
 * Alerts end to end over the API (issue 18): a condition opens one alert, delivered to a real local receiver that
 * checks the HMAC signature, retried after a 500; it updates while it lasts and resolves by itself, which is
 * delivered too; the delivery log tells what happened; "send test" goes the same way.
 */
describe.each(DIALECTS)('alerts on %s', (dialect) => {
  let t: TestApp;
  let worker: Worker;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let partnerId: string;
  let clientId: string;
  let serviceId: string;
  let subscriptionId: string;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });

  /** Runs the worker until no delivery is pending (retries are due after a few milliseconds here). */
  async function deliverAll(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await worker.drain();
      const log = await t.ctx.store.repos.alertSubscriptions.listDeliveries(partnerId, subscriptionId, 50);
      if (!log.some((d) => d.state === 'pending')) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('deliveries still pending');
  }

  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { alertWebhookAllowLoopback: true } });
    worker = t.ctx.createWorker({ retryBaseMs: 10 });
    receiver = await startWebhookReceiver(SECRET);
    const { partner, client, service } = await clientWithPbxService(t.ctx.store, 'Contoso', {
      name: 'London PBX',
    });
    partnerId = partner.id;
    clientId = client.id;
    serviceId = service.id;
    await t.ctx.store.repos.users.createMany(
      [1, 2, 3, 4, 5].map((n) =>
        storeUser(client.id, service.id, n, {
          sipUsername: `20${n}`,
          registrationState: n <= 3 ? 'failed' : 'registered',
        }),
      ),
    );
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it('subscribes a webhook on the provider and never answers its secret', async () => {
    const res = await call('POST', `/accounts/${partnerId}/alert-subscriptions`, {
      channel: 'webhook',
      name: 'NOC',
      url: receiver.url,
      secret: SECRET,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(SECRET);
    subscriptionId = res.json<{ id: string; hasSecret: boolean }>().id;
    expect(res.json<{ hasSecret: boolean }>().hasSecret).toBe(true);
    const listed = await call('GET', `/accounts/${partnerId}/alert-subscriptions`);
    expect(listed.body).not.toContain(SECRET);
    const stored = await t.ctx.store.handle.db
      .selectFrom('alert_subscriptions')
      .select('secret_enc')
      .execute();
    expect(stored[0]!.secret_enc).not.toContain(SECRET);
    const audit = await t.ctx.store.handle.db
      .selectFrom('audit_entries')
      .select(['object_type', 'before', 'after'])
      .where('object_type', '=', 'alert_subscription')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });

  it("opens one alert when 3 of 5 users lost registration, delivered signed to the provider's receiver after a 500", async () => {
    receiver.answers.push({ status: 500, body: 'receiver-internal-detail' });
    await t.ctx.alerts.evaluator.evaluate();
    const open = await call('GET', `/accounts/${clientId}/alerts?state=open`);
    expect(open.statusCode).toBe(200);
    const items = open.json<{
      items: {
        kind: string;
        subject: string;
        subjectLabel: string;
        message: string;
        details: { failed: number; total: number };
      }[];
    }>().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: 'registrations_lost',
      subject: serviceId,
      subjectLabel: 'London PBX',
    });
    expect(items[0]!.details).toMatchObject({ failed: 3, total: 5 });
    expect(items[0]!.message).toContain('3 of 5 users of London PBX');

    await deliverAll();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    expect(receiver.received.map((r) => r.event)).toEqual(['alert.opened', 'alert.opened']);
    expect(receiver.received[1]!.body.alert).toMatchObject({
      kind: 'registrations_lost',
      accountId: clientId,
    });

    const log = await call('GET', `/accounts/${partnerId}/alert-subscriptions/${subscriptionId}/deliveries`);
    const deliveries = log.json<{
      items: { state: string; attempts: number; statusCode: number; event: string }[];
    }>().items;
    expect(deliveries).toEqual([
      expect.objectContaining({ event: 'alert.opened', state: 'delivered', attempts: 2, statusCode: 200 }),
    ]);
    expect(log.body).not.toContain('receiver-internal-detail');
    expect(t.logLines.join('\n')).not.toContain(SECRET);
  });

  it('updates the open alert while the condition lasts, without telling the receiver again', async () => {
    await t.ctx.alerts.evaluator.evaluate();
    await deliverAll();
    expect(receiver.received).toHaveLength(2);
    const open = await t.ctx.services.alerts.listOpen(
      { type: 'system', id: null, label: 'test', source: 'cli' },
      partnerId,
    );
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ count: 2, accountName: 'Contoso', state: 'open' });
  });

  it('resolves by itself when the users register again, and says so to the receiver', async () => {
    await t.ctx.store.handle.db
      .updateTable('users')
      .set({ registration_state: 'registered' })
      .where('service_id', '=', serviceId)
      .execute();
    await t.ctx.alerts.evaluator.evaluate();
    await deliverAll();
    expect(receiver.received.at(-1)).toMatchObject({ event: 'alert.resolved', signatureValid: true });
    expect(receiver.received.at(-1)!.body.alert.state).toBe('resolved');
    const open = await call('GET', `/accounts/${clientId}/alerts?state=open`);
    expect(open.json<{ items: unknown[] }>().items).toHaveLength(0);
    const history = await call('GET', `/accounts/${clientId}/alerts`);
    expect(history.json<{ items: { state: string; resolvedAt: string | null }[] }>().items).toEqual([
      expect.objectContaining({ state: 'resolved', resolvedAt: expect.any(String) }),
    ]);
  });

  it('opens a new episode when the condition comes back, keeping the old one as history', async () => {
    await t.ctx.store.repos.pbxReachability.record([serviceId], {
      reachable: false,
      lastConfirmedAt: null,
      checkedAt: new Date().toISOString(),
      reason: 'no answer to OPTIONS',
    });
    await t.ctx.alerts.evaluator.evaluate();
    const history = await call('GET', `/accounts/${clientId}/alerts`);
    const items = history.json<{ items: { state: string; details: { reason: string } }[] }>().items;
    expect(items.map((i) => i.state)).toEqual(['open', 'resolved']);
    expect(items[0]!.details.reason).toBe('pbx_unreachable');
  });

  it('sends a test message on request, signed and logged', async () => {
    const before = receiver.received.length;
    const res = await call('POST', `/accounts/${partnerId}/alert-subscriptions/${subscriptionId}/test`);
    expect(res.statusCode).toBe(202);
    await deliverAll();
    const got = receiver.received.slice(before).find((r) => r.event === 'test');
    expect(got?.signatureValid).toBe(true);
    const log = await call('GET', `/accounts/${partnerId}/alert-subscriptions/${subscriptionId}/deliveries`);
    expect(log.json<{ items: { event: string; state: string }[] }>().items[0]).toMatchObject({
      event: 'test',
      state: 'delivered',
    });
  });

  it('refuses a subscription with an unknown field, a webhook without a secret, or a kind that does not exist', async () => {
    const unknown = await call('POST', `/accounts/${clientId}/alert-subscriptions`, {
      channel: 'email',
      name: 'x',
      email: 'noc@example.com',
      colour: 'red',
    });
    expect(unknown.statusCode).toBe(400);
    const noSecret = await call('POST', `/accounts/${clientId}/alert-subscriptions`, {
      channel: 'webhook',
      name: 'x',
      url: 'https://hooks.example.com/x',
    });
    expect(noSecret.statusCode).toBe(400);
    expect(noSecret.json()).toMatchObject({ code: 'validation_failed', details: { field: 'secret' } });
    const badKind = await call('POST', `/accounts/${clientId}/alert-subscriptions`, {
      channel: 'email',
      name: 'x',
      email: 'noc@example.com',
      kinds: ['everything'],
    });
    expect(badKind.statusCode).toBe(400);
  });
});
