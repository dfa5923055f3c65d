import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { Kamailio, freePort, kamailioInstalled } from './support/kamailio.js';

const installed = kamailioInstalled();
if (!installed) console.warn('Registration settings test SKIPPED: kamailio not installed.');

const USERS = 30;
/** REGISTERs per second the role may start: low, so pacing shows in how long a change takes. */
const RATE = 30;
const subscribers = Array.from({ length: USERS * 5 }, (_, i) => ({ username: `s${i}`, password: `pw-${i}` }));

/**
 * Issue 22: every service setting the agent uses (expiry, transport, proxy host, proxy port, domain) takes effect
 * at once when changed through the API, paced at the REGISTER rate, checked in real Kamailio location tables.
 */
describe.skipIf(!installed)('a service setting changed through the API takes effect at once, paced', () => {
  let a: Kamailio; // 127.0.0.1, registrar for pbx.test and pbx2.test, AoRs with their domain
  let b: Kamailio; // 127.0.0.1, another port
  let c: Kamailio; // 127.0.0.2, same port as a
  let t: TestApp;
  let role: SipRole;
  let accountId: string;
  let batch = 0;
  const api = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
    const response = await t.app.inject({
      method,
      url: `/api/v1/accounts/${accountId}${url}`,
      headers: { authorization: `Bearer ${t.token}` },
      payload,
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json<{ id: string }>();
  };

  beforeAll(async () => {
    a = await Kamailio.start({
      users: subscribers,
      aliases: ['pbx2.test'],
      useDomain: true,
      children: 1,
    });
    b = await Kamailio.start({ users: subscribers, useDomain: true, children: 1 });
    c = await Kamailio.start({
      users: subscribers,
      useDomain: true,
      children: 1,
      host: '127.0.0.2',
      port: a.port,
    });
    t = await createTestApp('sqlite');
    const port = await freePort();
    role = await startSipRole({
      ...t.ctx,
      config: { ...t.ctx.config, sipHost: '127.0.0.1', sipPort: port, sipRegisterRate: RATE },
    });
    t.ctx.hooks.registrationsChanged = () => void role.reload();
    const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
    const partner = await t.ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    accountId = (
      await t.ctx.services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).id;
    await t.ctx.services.subscriptions.create(system, accountId, { sku: 'pbx_user', quantity: 1000 });
  }, 60_000);
  afterAll(async () => {
    await role?.stop();
    await t?.close();
    await Promise.all([a?.dispose(), b?.dispose(), c?.dispose()]);
  });

  /** A service on Kamailio `a` over UDP with USERS users, all registered there. */
  async function registeredService(settings: Record<string, unknown> = {}) {
    const first = batch++ * USERS;
    const service = await api('POST', '/services', {
      name: `PBX ${batch}`,
      sipDomain: 'pbx.test',
      proxyHost: '127.0.0.1',
      proxyPort: a.port,
      transport: 'udp',
      registrationExpiry: 3600,
      ...settings,
    });
    const names = Array.from({ length: USERS }, (_, i) => `s${first + i}`);
    for (const [i, name] of names.entries()) {
      await api('POST', '/users', {
        serviceId: service.id,
        email: `${name}@contoso.example`,
        displayName: `User ${name}`,
        sipUsername: name,
        sipPassword: `pw-${first + i}`,
      });
    }
    await until(async () => (await countAt(a, names, 'pbx.test')) === USERS, 30_000, 'all registered at a');
    return { serviceId: service.id, names };
  }

  async function countAt(pbx: Kamailio, names: string[], domain: string) {
    const registered = await pbx.registered();
    return names.filter((name) => registered.has(`${name}@${domain}`)).length;
  }

  /**
   * Changes the service, then waits until every user moved. The move costs USERS unregistrations and USERS new
   * registrations (or USERS refreshes): at RATE per second it cannot be done in under a second when paced.
   */
  async function change(serviceId: string, patch: object, moved: () => Promise<boolean>, what: string) {
    const started = Date.now();
    await api('PATCH', `/services/${serviceId}`, patch);
    const took = await until(moved, 30_000, what, 100);
    expect(took).toBeLessThan(20_000); // at once: no restart, no poll interval to wait for
    expect(Date.now() - started).toBeGreaterThanOrEqual((USERS / RATE) * 1000 * 0.8); // paced
  }

  it('expiry: every user refreshes asking for the new expiry', async () => {
    const { serviceId, names } = await registeredService();
    const expiries = async () =>
      (await Promise.all(names.map((n) => a.bindingsOf(`${n}@pbx.test`)))).flat().map((x) => x.expires);
    expect(Math.min(...(await expiries()))).toBeGreaterThan(600);
    await change(
      serviceId,
      { registrationExpiry: 120 },
      async () => {
        const values = await expiries();
        return values.length === USERS && values.every((e) => e > 0 && e <= 120);
      },
      'every binding at 120 s',
    );
  }, 90_000);

  it('transport: every user moves from UDP to TCP, the UDP binding removed', async () => {
    const { serviceId, names } = await registeredService();
    await change(
      serviceId,
      { transport: 'tcp' },
      async () => {
        const all = (await Promise.all(names.map((n) => a.bindingsOf(`${n}@pbx.test`)))).flat();
        return all.length === USERS && all.every((x) => x.address.includes('transport=tcp'));
      },
      'one TCP binding per user',
    );
  }, 90_000);

  it('proxy port: every user moves to the PBX on the new port', async () => {
    const { serviceId, names } = await registeredService();
    await change(
      serviceId,
      { proxyPort: b.port },
      async () =>
        (await countAt(b, names, 'pbx.test')) === USERS && (await countAt(a, names, 'pbx.test')) === 0,
      'all at b, none left at a',
    );
  }, 90_000);

  it('proxy host: every user moves to the PBX at the new address', async () => {
    const { serviceId, names } = await registeredService();
    await change(
      serviceId,
      { proxyHost: '127.0.0.2' },
      async () =>
        (await countAt(c, names, 'pbx.test')) === USERS && (await countAt(a, names, 'pbx.test')) === 0,
      'all at c, none left at a',
    );
  }, 90_000);

  it('domain: every user registers in the new domain and leaves the old one', async () => {
    const { serviceId, names } = await registeredService();
    await change(
      serviceId,
      { sipDomain: 'pbx2.test' },
      async () =>
        (await countAt(a, names, 'pbx2.test')) === USERS && (await countAt(a, names, 'pbx.test')) === 0,
      'all in pbx2.test, none left in pbx.test',
    );
  }, 90_000);
});
