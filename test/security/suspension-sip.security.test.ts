import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { Kamailio, kamailioInstalled } from '../sip/support/kamailio.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';

const installed = kamailioInstalled();
if (!installed)
  console.warn('Suspension SIP test SKIPPED: kamailio not installed (apt-get install kamailio).');

/**
 * Issue 14: a suspended account kept its users registered at the PBX. The sip role leaves out users of suspended
 * accounts (and of accounts beneath a suspended partner): the agent unregisters them from a real Kamailio and
 * shows them disabled with the reason; reactivation registers them again.
 */
describe.skipIf(!installed)('suspension unregisters the account’s users at the PBX (Kamailio)', () => {
  let kamailio: Kamailio;
  let t: TestApp;
  let role: SipRole;
  let partnerId: string;
  let accountId: string;
  const userIds: string[] = [];
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });
  const states = async () =>
    Promise.all(
      userIds.map(async (id) =>
        (await api('GET', `/accounts/${accountId}/users/${id}`)).json<{
          registrationState: string;
          registrationDetail: { reason?: string };
        }>(),
      ),
    );
  const bindings = async () => {
    const registered = await kamailio.registered();
    return ['s4001', 's4002'].filter((u) => registered.has(u)).length;
  };
  const setStatus = async (id: string, status: 'active' | 'suspended') => {
    expect((await api('PATCH', `/accounts/${id}`, { status })).statusCode).toBe(200);
    await role.reload();
  };

  beforeAll(async () => {
    kamailio = await Kamailio.start({
      users: [
        { username: 's4001', password: 'pw-4001' },
        { username: 's4002', password: 'pw-4002' },
      ],
    });
    t = await createTestApp('sqlite');
    role = await startSipRole({ ...t.ctx, config: { ...t.ctx.config, sipHost: '127.0.0.1', sipPort: 0 } });
    partnerId = (await api('POST', '/accounts', { name: 'Provider', kind: 'partner' })).json().id;
    accountId = (
      await api('POST', '/accounts', { name: 'Contoso', kind: 'client', parentId: partnerId })
    ).json().id;
    await api('POST', `/accounts/${accountId}/subscriptions`, { sku: 'pbx_user', quantity: 10 });
    const service = (
      await api('POST', `/accounts/${accountId}/services`, {
        name: 'PBX',
        sipDomain: kamailio.domain,
        proxyHost: '127.0.0.1',
        proxyPort: kamailio.port,
        transport: 'udp',
        registrationExpiry: 300,
      })
    ).json();
    for (const n of ['4001', '4002']) {
      const user = await api('POST', `/accounts/${accountId}/users`, {
        serviceId: service.id,
        email: `u${n}@contoso.example`,
        displayName: `User ${n}`,
        sipUsername: `s${n}`,
        sipPassword: `pw-${n}`,
      });
      userIds.push(user.json<{ id: string }>().id);
    }
    await role.reload();
    await until(async () => (await bindings()) === 2, 10_000, 'both users registered');
  });
  afterAll(async () => {
    await role?.stop();
    await t?.close();
    await kamailio?.dispose();
  });

  it('unregisters the users of a suspended account, shows why, and registers them again on reactivation', async () => {
    await setStatus(accountId, 'suspended');
    await until(async () => (await bindings()) === 0, 10_000, 'both users unregistered');
    await until(
      async () => (await states()).every((s) => s.registrationState === 'disabled'),
      10_000,
      'both shown disabled',
    );
    for (const state of await states()) expect(state.registrationDetail.reason).toBe('account suspended');

    await setStatus(accountId, 'active');
    await until(async () => (await bindings()) === 2, 10_000, 'both registered again');
    await until(
      async () => (await states()).every((s) => s.registrationState === 'registered'),
      10_000,
      'both shown registered',
    );
  });

  it('unregisters them too when their partner is suspended', async () => {
    await setStatus(partnerId, 'suspended');
    await until(async () => (await bindings()) === 0, 10_000, 'unregistered beneath the suspended partner');
    await until(
      async () =>
        (await states()).every(
          (s) => s.registrationState === 'disabled' && s.registrationDetail.reason === 'account suspended',
        ),
      10_000,
      'shown disabled: account suspended',
    );
    await setStatus(partnerId, 'active');
    await until(async () => (await bindings()) === 2, 10_000, 'registered again with the partner active');
  });
});
