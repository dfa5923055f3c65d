import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeCallUsers } from '../../src/calls/store-call-users.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe.each(DIALECTS)('Service call settings through the API on %s', (dialect) => {
  let t: TestApp;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });

  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  async function clientWith(name: string, calls?: object) {
    const partner = (await call('POST', '/api/v1/accounts', { name: `${name} P`, kind: 'partner' })).json();
    const client = (
      await call('POST', '/api/v1/accounts', { name, kind: 'client', parentId: partner.id })
    ).json();
    await t.ctx.services.subscriptions.create(system, client.id, { sku: 'pbx_user', quantity: 10 });
    const created = await call('POST', `/api/v1/accounts/${client.id}/services`, {
      name: 'HQ PBX',
      sipDomain: 'pbx.example.com',
      ...(calls && { calls }),
    });
    return { client, created, url: `/api/v1/accounts/${client.id}/services/${created.json().id}` };
  }

  it('a new service has the default call settings; creating with some sets those and defaults the rest', async () => {
    const plain = await clientWith('Defaults');
    expect(plain.created.statusCode).toBe(201);
    expect(plain.created.json().calls).toEqual({
      ringTimeoutSeconds: 60,
      ringback: 'pass-through',
      holdMode: 'inactive',
      teamsRingDelaySeconds: 0,
      pbxNoAnswerToTeamsVoicemail: true,
      maxCallsPerUser: null,
      maxCallsPerService: null,
      maxCallMinutes: null,
    });
    const set = await clientWith('Set', { ringTimeoutSeconds: 25, maxCallsPerUser: 2 });
    expect(set.created.json().calls).toMatchObject({
      ringTimeoutSeconds: 25,
      maxCallsPerUser: 2,
      ringback: 'pass-through',
    });
    expect((await call('GET', set.url)).json().calls).toEqual(set.created.json().calls);
  });

  it('a change merges into the stored settings, is audited before and after, and reaches the next call', async () => {
    const { client, url } = await clientWith('Change');
    const changed = await call('PATCH', url, {
      calls: {
        ringback: '183-as-180',
        holdMode: 'music-from-pbx',
        maxCallsPerService: 20,
        maxCallMinutes: 90,
      },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const again = await call('PATCH', url, { calls: { ringTimeoutSeconds: 30, maxCallMinutes: null } });
    expect(again.json().calls).toEqual({
      ringTimeoutSeconds: 30,
      ringback: '183-as-180',
      holdMode: 'music-from-pbx',
      teamsRingDelaySeconds: 0,
      pbxNoAnswerToTeamsVoicemail: true,
      maxCallsPerUser: null,
      maxCallsPerService: 20,
      maxCallMinutes: null,
    });
    expect((await call('GET', url)).json().calls).toEqual(again.json().calls);
    const audit = await t.ctx.services.audit.list(system, client.id, { limit: 5 });
    const [last] = audit.filter((e) => e.action === 'service.update');
    expect(last?.before).toMatchObject({ calls: { ringTimeoutSeconds: 60, maxCallMinutes: 90 } });
    expect(last?.after).toMatchObject({ calls: { ringTimeoutSeconds: 30, maxCallMinutes: null } });

    // The B2BUA's directory reads them when a call starts (milliseconds).
    const user = (
      await call('POST', `/api/v1/accounts/${client.id}/users`, {
        serviceId: again.json().id,
        email: 'cy@change.example',
        displayName: 'Cy',
        sipUsername: '301',
        sipPassword: 'a-long-sip-secret',
      })
    ).json();
    const found = await storeCallUsers(t.ctx, () => undefined).find(user.id);
    expect(found?.settings).toEqual({
      ringTimeoutMs: 30_000,
      ringback: '183-as-180',
      holdMode: 'music-from-pbx',
      teamsRingDelayMs: 0,
      pbxNoAnswerToTeamsVoicemail: true,
      maxCallsPerUser: null,
      maxCallsPerService: 20,
      maxCallDurationMs: null,
    });
  });

  it('refuses unknown fields, out-of-range values and settings that contradict each other, changing nothing', async () => {
    const { url } = await clientWith('Refusals', { maxCallsPerService: 5 });
    const unknown = await call('PATCH', url, { calls: { ringTimeout: 30 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      code: 'validation_failed',
      details: { unknownFields: ['calls.ringTimeout'] },
    });
    expect(unknown.json().message).toContain('ringTimeoutSeconds');

    const range = await call('PATCH', url, { calls: { ringTimeoutSeconds: 2, holdMode: 'music' } });
    expect(range.statusCode).toBe(400);
    const fields = range.json().details.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['calls.ringTimeoutSeconds', 'calls.holdMode']));
    expect(range.json().message).toContain('at least 5 seconds');

    const zero = await call('PATCH', url, { calls: { maxCallsPerUser: 0 } });
    expect(zero.json().message).toContain('send null for no limit');

    const above = await call('PATCH', url, { calls: { maxCallsPerUser: 6 } });
    expect(above.statusCode).toBe(400);
    expect(above.json()).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'calls.maxCallsPerUser' }] },
    });
    expect(above.json().message).toContain("the service's limit (5 calls)");

    const delay = await call('PATCH', url, { calls: { teamsRingDelaySeconds: 30, ringTimeoutSeconds: 20 } });
    expect(delay.statusCode).toBe(400);
    expect(delay.json().details.issues[0].field).toBe('calls.teamsRingDelaySeconds');

    const created = await call('POST', url.replace(/\/[^/]+$/, ''), {
      name: 'Other',
      sipDomain: 'pbx.example.com',
      calls: { maxCallsPerUser: 9, maxCallsPerService: 3 },
    });
    expect(created.statusCode).toBe(400);

    expect((await call('GET', url)).json().calls).toMatchObject({
      ringTimeoutSeconds: 60,
      holdMode: 'inactive',
      maxCallsPerUser: null,
      maxCallsPerService: 5,
      teamsRingDelaySeconds: 0,
    });
  });

  it("another account's administrator can neither read nor change a service's call settings", async () => {
    const victim = await clientWith('Victim');
    const attacker = await clientWith('Attacker');
    const email = 'admin@attacker.example';
    await t.ctx.services.administrators.create(system, { email, password: 'long enough password' });
    await t.ctx.services.administrators.grantRole(system, attacker.client.id, email, 'account_owner');
    const { token } = await t.ctx.services.administrators.createToken(system, email, 'attacker');
    const as = (method: 'GET' | 'PATCH', url: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload && { payload }),
      });
    // Their own service: allowed (the token works).
    expect((await as('PATCH', attacker.url, { calls: { maxCallsPerUser: 1 } })).statusCode).toBe(200);
    const serviceId = victim.url.split('/').at(-1)!;
    for (const url of [victim.url, `/api/v1/accounts/${attacker.client.id}/services/${serviceId}`]) {
      expect((await as('GET', url)).statusCode).not.toBe(200);
      const change = await as('PATCH', url, { calls: { maxCallMinutes: 1 } });
      expect([403, 404]).toContain(change.statusCode);
    }
    expect((await call('GET', victim.url)).json().calls.maxCallMinutes).toBeNull();
  });
});
