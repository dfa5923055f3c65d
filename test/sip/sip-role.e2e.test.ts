import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { Kamailio, kamailioInstalled } from './support/kamailio.js';
import { until } from '../support/until.js';

const installed = kamailioInstalled();
if (!installed) console.warn('SIP role e2e test SKIPPED: kamailio not installed (apt-get install kamailio).');

describe.skipIf(!installed)(
  'the sip role registers users configured through the API to a real PBX (Kamailio)',
  () => {
    let kamailio: Kamailio;
    let t: TestApp;
    let role: SipRole;
    let accountId: string;
    const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${t.token}` },
        ...(payload && { payload }),
      });
    const userState = async (id: string) =>
      (await api('GET', `/api/v1/accounts/${accountId}/users/${id}`)).json<{
        registrationState: string;
        registrationDetail: { statusCode?: number; lastSuccessAt?: string };
      }>();

    beforeAll(async () => {
      kamailio = await Kamailio.start({
        users: [
          { username: 'a3001', password: 'pw-3001' },
          { username: 'a3002', password: 'pw-3002' },
        ],
      });
      t = await createTestApp('sqlite');
      role = await startSipRole({ ...t.ctx, config: { ...t.ctx.config, sipHost: '127.0.0.1', sipPort: 0 } });
      const partner = (await api('POST', '/api/v1/accounts', { name: 'Provider', kind: 'partner' })).json();
      accountId = (
        await api('POST', '/api/v1/accounts', { name: 'Contoso', kind: 'client', parentId: partner.id })
      ).json().id;
      await api('POST', `/api/v1/accounts/${accountId}/subscriptions`, { sku: 'pbx_user', quantity: 10 });
    });
    afterAll(async () => {
      await role?.stop();
      await t?.close();
      await kamailio?.dispose();
    });

    it('registers a user, shows a wrong password as failed with the PBX answer, and re-registers when it is fixed', async () => {
      const service = (
        await api('POST', `/api/v1/accounts/${accountId}/services`, {
          name: 'PBX',
          sipDomain: kamailio.domain,
          proxyHost: '127.0.0.1',
          proxyPort: kamailio.port,
          transport: 'udp',
          registrationExpiry: 300,
        })
      ).json();
      const good = (
        await api('POST', `/api/v1/accounts/${accountId}/users`, {
          serviceId: service.id,
          email: 'anna@contoso.example',
          displayName: 'Anna',
          sipUsername: 'a3001',
          sipPassword: 'pw-3001',
        })
      ).json();
      const bad = (
        await api('POST', `/api/v1/accounts/${accountId}/users`, {
          serviceId: service.id,
          email: 'bo@contoso.example',
          displayName: 'Bo',
          sipUsername: 'a3002',
          sipPassword: 'not-the-password',
        })
      ).json();
      expect(good.registrationState).toBe('pending');
      await role.reload();
      await until(
        async () => (await userState(good.id)).registrationState === 'registered',
        10_000,
        'Anna registered',
      );
      expect((await userState(good.id)).registrationDetail.lastSuccessAt).toEqual(expect.any(String));
      expect((await kamailio.registered()).has('a3001')).toBe(true);
      await until(async () => (await userState(bad.id)).registrationState === 'failed', 10_000, 'Bo failed');
      expect((await userState(bad.id)).registrationDetail.statusCode).toBe(401);
      expect((await kamailio.registered()).has('a3002')).toBe(false);

      await api('PATCH', `/api/v1/accounts/${accountId}/users/${bad.id}`, { sipPassword: 'pw-3002' });
      await role.reload();
      await until(
        async () => (await userState(bad.id)).registrationState === 'registered',
        10_000,
        'Bo registered after the fix',
      );
      expect((await kamailio.registered()).has('a3002')).toBe(true);

      await api('PATCH', `/api/v1/accounts/${accountId}/users/${good.id}`, { registrationEnabled: false });
      await role.reload();
      await until(async () => !(await kamailio.registered()).has('a3001'), 10_000, 'Anna unregistered');
    });
  },
);
