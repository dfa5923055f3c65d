import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { DIALECTS } from '../support/test-database.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { Kamailio, kamailioInstalled } from './support/kamailio.js';

const installed = kamailioInstalled();

interface ServiceAnswer {
  pbxReachability: { reachable: boolean; lastConfirmedAt: string | null; reason: string | null } | null;
}

/**
 * Issue 21 through the API: the service answer says whether its PBX answers and when it last did, and users show
 * `unconfirmed` (not `registered`) while it is away. TCP, so a stopped Kamailio refuses at once (on UDP the same
 * takes Timer F, 32 s, after the probe).
 */
describe.skipIf(!installed).each(DIALECTS)('PBX reachability in the API (%s)', (dialect) => {
  let kamailio: Kamailio;
  let t: TestApp;
  let role: SipRole;
  let accountId: string;
  const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });

  beforeAll(async () => {
    kamailio = await Kamailio.start({ users: [{ username: 'a4001', password: 'pw-4001' }] });
    t = await createTestApp(dialect);
    const config = { ...t.ctx.config, sipHost: '127.0.0.1', sipPort: 0, sipProbeSeconds: 1 };
    role = await startSipRole({ ...t.ctx, config });
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

  it('says per service whether the PBX answers and since when, and shows its users unconfirmed while it does not', async () => {
    const service = (
      await api('POST', `/api/v1/accounts/${accountId}/services`, {
        name: 'PBX',
        sipDomain: kamailio.domain,
        proxyHost: '127.0.0.1',
        proxyPort: kamailio.port,
        transport: 'tcp',
        registrationExpiry: 3600,
      })
    ).json();
    expect(service.pbxReachability).toBeNull(); // not probed yet
    const user = (
      await api('POST', `/api/v1/accounts/${accountId}/users`, {
        serviceId: service.id,
        email: 'anna@contoso.example',
        displayName: 'Anna',
        sipUsername: '4001',
        authUsername: 'a4001',
        sipPassword: 'pw-4001',
      })
    ).json();
    const serviceAnswer = async () =>
      (await api('GET', `/api/v1/accounts/${accountId}/services/${service.id}`)).json<ServiceAnswer>();
    const state = async () =>
      (await api('GET', `/api/v1/accounts/${accountId}/users/${user.id}`)).json<{
        registrationState: string;
      }>().registrationState;
    await role.reload();
    await until(async () => (await state()) === 'registered', 10_000, 'Anna registered');
    await until(
      async () => (await serviceAnswer()).pbxReachability?.reachable === true,
      5000,
      'PBX reachable',
    );
    const confirmed = (await serviceAnswer()).pbxReachability!.lastConfirmedAt!;
    expect(Date.parse(confirmed)).toBeGreaterThan(Date.now() - 10_000);

    await kamailio.stop();
    await until(async () => (await state()) === 'unconfirmed', 10_000, 'Anna unconfirmed');
    await until(
      async () => (await serviceAnswer()).pbxReachability?.reachable === false,
      5000,
      'PBX unreachable',
    );
    const down = (await serviceAnswer()).pbxReachability!;
    expect(down.reason).toEqual(expect.any(String));
    expect(Date.parse(down.lastConfirmedAt!)).toBeGreaterThanOrEqual(Date.parse(confirmed));
    const listed = (
      await api('GET', `/api/v1/accounts/${accountId}/users?registrationState=unconfirmed`)
    ).json<{ items: { id: string }[] }>();
    expect(listed.items.map((u) => u.id)).toEqual([user.id]);

    await kamailio.restart();
    await until(async () => (await kamailio.registered()).has('4001'), 10_000, 'Anna back at Kamailio');
    await until(async () => (await state()) === 'registered', 5000, 'Anna registered again');
    await until(async () => (await serviceAnswer()).pbxReachability?.reachable === true, 5000, 'PBX back');
  });
});
