import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSipRole } from '../../src/roles/sip.role.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';
import { until } from '../support/until.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe.each(DIALECTS)(
  'licences on %s: consumption, refusal, summary, disabled without a licence',
  (dialect) => {
    let t: TestApp;
    let accountId: string;
    let serviceId: string;
    let subscriptionId: string;
    const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${t.token}`,
          ...(typeof payload === 'string' && { 'content-type': 'text/csv' }),
        },
        ...(payload !== undefined && { payload: payload as string }),
      });
    const addUser = (n: number, extra: object = {}) =>
      api('POST', `/api/v1/accounts/${accountId}/users`, {
        serviceId,
        email: `user${n}@contoso.test`,
        displayName: `User ${n}`,
        sipUsername: `u${n}`,
        sipPassword: `pw-${n}-secret`,
        ...extra,
      });
    const summary = async () =>
      (await api('GET', `/api/v1/accounts/${accountId}/licences`)).json<{
        items: {
          sku: string;
          held: number;
          used: number;
          free: number;
          state: string;
          warning: string | null;
        }[];
      }>().items;

    beforeAll(async () => {
      t = await createTestApp(dialect);
      const partner = await t.ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
      const client = await t.ctx.services.accounts.create(system, {
        name: 'Contoso',
        kind: 'client',
        parentId: partner.id,
      });
      accountId = client.id;
      // The PBX is an address where nothing answers: licensed users stay pending, unlicensed ones are disabled.
      serviceId = (
        await t.ctx.services.voiceServices.create(system, accountId, {
          name: 'PBX',
          sipDomain: '127.0.0.1',
          proxyPort: 9,
          country: 'GB',
        })
      ).id;
      subscriptionId = (
        await t.ctx.services.subscriptions.create(system, accountId, { sku: 'pbx_user', quantity: 2 })
      ).id;
    });
    afterAll(() => t.close());

    it('refuses configuring more users than licences, naming the SKU and the shortfall, and writes nothing', async () => {
      expect((await addUser(1)).statusCode).toBe(201);
      expect((await addUser(2)).statusCode).toBe(201);
      const third = await addUser(3);
      expect(third.statusCode).toBe(409);
      expect(third.json()).toMatchObject({
        code: 'licence_exceeded',
        message: expect.stringContaining('2 PBX user licences are held and 3 would be used: 1 short'),
      });
      const users = await api('GET', `/api/v1/accounts/${accountId}/users?search=user3`);
      expect(users.json().total).toBe(0);
      // A user without SIP credentials is not configured and consumes nothing.
      expect(
        (
          await api('POST', `/api/v1/accounts/${accountId}/users`, {
            serviceId,
            email: 'idle@contoso.test',
            displayName: 'Idle',
          })
        ).statusCode,
      ).toBe(201);
      expect(await summary()).toEqual([
        {
          sku: 'pbx_user',
          held: 2,
          used: 2,
          free: 0,
          state: 'ok',
          warning: null,
          trialEndsAt: null,
          serviceStopsAt: null,
        },
      ]);
    });

    it('refuses an import beyond the licences as a whole, and frees a licence when registration is turned off', async () => {
      const idle = (await api('GET', `/api/v1/accounts/${accountId}/users?search=idle`)).json().items[0];
      const csv = [
        'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
        'u9,Idle,idle@contoso.test,,u9,pw-9-secret,',
      ].join('\n');
      const refused = await api(
        'POST',
        `/api/v1/accounts/${accountId}/services/${serviceId}/import?dryRun=false`,
        csv,
      );
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('licence_exceeded');
      expect(
        (await api('GET', `/api/v1/accounts/${accountId}/users/${idle.id}`)).json().sipUsername,
      ).toBeNull();

      const first = (await api('GET', `/api/v1/accounts/${accountId}/users?search=user1`)).json().items[0];
      expect(
        (
          await api('PATCH', `/api/v1/accounts/${accountId}/users/${first.id}`, {
            registrationEnabled: false,
          })
        ).statusCode,
      ).toBe(200);
      const applied = await api(
        'POST',
        `/api/v1/accounts/${accountId}/services/${serviceId}/import?dryRun=false`,
        csv,
      );
      expect(applied.statusCode).toBe(200);
      expect((await summary())[0]).toMatchObject({ held: 2, used: 2, free: 0 });
    });

    it('counts a Phone App user against a PBX and a Phone App licence', async () => {
      const idle = (await api('GET', `/api/v1/accounts/${accountId}/users?search=idle`)).json().items[0];
      await t.ctx.store.repos.users.update(accountId, idle.id, { kind: 'phone_app' });
      await t.ctx.services.subscriptions.create(system, accountId, { sku: 'phone_app_user', quantity: 1 });
      const lines = await summary();
      expect(lines.map((l) => [l.sku, l.held, l.used])).toEqual([
        ['pbx_user', 2, 2],
        ['phone_app_user', 1, 1],
      ]);
    });

    it('shows users beyond the licences as disabled, with why, once the provider lowers the quantity', async () => {
      await t.ctx.services.subscriptions.update(system, accountId, subscriptionId, { quantity: 1 });
      const lines = await summary();
      expect(lines[0]).toMatchObject({ sku: 'pbx_user', held: 1, used: 2, state: 'short' });
      const role = await startSipRole({
        ...t.ctx,
        config: { ...t.ctx.config, sipHost: '127.0.0.1', sipPort: 0 },
      });
      try {
        const newest = (await api('GET', `/api/v1/accounts/${accountId}/users?search=idle`)).json().items[0];
        const state = async () =>
          (await api('GET', `/api/v1/accounts/${accountId}/users/${newest.id}`)).json<{
            registrationState: string;
            registrationDetail?: { reason?: string };
          }>();
        await until(
          async () => (await state()).registrationDetail?.reason !== undefined,
          10_000,
          'the licence reason',
        );
        expect(await state()).toMatchObject({
          registrationState: 'disabled',
          registrationDetail: { reason: expect.stringContaining('No PBX user licence is free') },
        });
        const older = (await api('GET', `/api/v1/accounts/${accountId}/users?search=user2`)).json().items[0];
        expect(older.registrationState).not.toBe('disabled');
      } finally {
        await role.stop();
      }
    });
  },
);
