import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { freePort, Kamailio, kamailioInstalled } from '../sip/support/kamailio.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';
import { until } from '../support/until.js';

const installed = kamailioInstalled();

interface TrunkAnswer {
  registration: { state: string; detail: { statusCode?: number; final?: boolean } } | null;
  health: { address: string; healthy: boolean; reason: string | null }[];
}

/**
 * Issue 19 through the API and the sip role: a registration trunk registers once with its credentials at the
 * carrier (Kamailio as registrar), and its state and the OPTIONS health of each address show in the trunk's
 * answer like users' registrations; wrong credentials show failed (final); an IP trunk's dead address unhealthy.
 */
describe.skipIf(!installed).each(DIALECTS)('trunk registration and health (%s)', (dialect) => {
  let kamailio: Kamailio;
  let t: TestApp;
  let role: SipRole;
  let accountId: string;
  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });
  const trunkService = async (name: string) =>
    (
      await api('POST', `/accounts/${accountId}/services`, {
        kind: 'trunk',
        name,
        sipDomain: kamailio.domain,
        country: 'GB',
      })
    ).json<{ id: string }>().id;

  beforeAll(async () => {
    kamailio = await Kamailio.start({ users: [{ username: 'trunk4412', password: 'carrier-pw-1' }] });
    t = await createTestApp(dialect);
    const config = { ...t.ctx.config, sipHost: '127.0.0.1', sipPort: 0, sipProbeSeconds: 1 };
    role = await startSipRole({ ...t.ctx, config });
    const partner = (await api('POST', '/accounts', { name: 'Provider', kind: 'partner' })).json();
    accountId = (
      await api('POST', '/accounts', { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).json().id;
  });
  afterAll(async () => {
    await role?.stop();
    await t?.close();
    await kamailio?.dispose();
  });

  it('registers the trunk once with its credentials; the state and address health show; a wrong password shows failed', async () => {
    const serviceId = await trunkService('Carrier');
    const url = `/accounts/${accountId}/services/${serviceId}/trunk`;
    const settings = {
      kind: 'registration',
      domain: kamailio.domain,
      addresses: [{ host: '127.0.0.1', port: kamailio.port }],
      transport: 'tcp',
      username: 'trunk4412',
      password: 'carrier-pw-1',
    };
    expect((await api('PUT', url, settings)).statusCode).toBe(200);
    await role.reload();
    const trunk = async () => (await api('GET', url)).json<TrunkAnswer>();
    await until(async () => (await trunk()).registration?.state === 'registered', 10_000, 'trunk registered');
    expect((await kamailio.registered()).has('trunk4412')).toBe(true);
    await until(async () => (await trunk()).health[0]?.healthy === true, 5000, 'address healthy');
    expect((await trunk()).health).toEqual([
      { address: `127.0.0.1:${kamailio.port}`, healthy: true, checkedAt: expect.any(String), reason: null },
    ]);

    expect((await api('PUT', url, { ...settings, password: 'not-the-password' })).statusCode).toBe(200);
    await role.reload();
    await until(async () => (await trunk()).registration?.state === 'failed', 10_000, 'trunk failed');
    expect((await trunk()).registration!.detail).toMatchObject({ final: true });
  });

  it("an IP trunk's address that does not answer is shown unhealthy, with why", async () => {
    const serviceId = await trunkService('IP carrier');
    const dead = await freePort();
    const url = `/accounts/${accountId}/services/${serviceId}/trunk`;
    const put = await api('PUT', url, {
      kind: 'ip',
      domain: 'carrier.example',
      addresses: [
        { host: '127.0.0.1', port: kamailio.port },
        { host: '127.0.0.1', port: dead },
      ],
      transport: 'tcp',
    });
    expect(put.statusCode).toBe(200);
    await role.reload();
    const health = async () => (await api('GET', url)).json<TrunkAnswer>().health;
    await until(async () => (await health()).length === 2, 10_000, 'both addresses pinged');
    const [live, down] = await health();
    expect(live).toMatchObject({ address: `127.0.0.1:${kamailio.port}`, healthy: true });
    expect(down).toMatchObject({ address: `127.0.0.1:${dead}`, healthy: false });
    expect(down!.reason).toEqual(expect.any(String));
    expect((await api('GET', url)).json<TrunkAnswer>().registration).toBeNull();
  });
});
