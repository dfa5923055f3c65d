import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT_ID, demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { carrierNamesOf, type CarrierNames } from '../../src/services/sync/carrier-setup.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const actor = { type: 'system', id: null, label: 'test', source: 'api' } as const;

describe.each(DIALECTS)('carrier-model tenant objects on %s', (dialect) => {
  let emulator: RunningEmulator;
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  let names: CarrierNames;
  const tenant = () => emulator.tenants.get(DEMO_TENANT_ID)!;
  const settings = (body: object) =>
    fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const sync = () => syncToEnd(t.ctx, accountId, serviceId);
  const objects = async () => {
    const status = await t.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${accountId}/services/${serviceId}/sync`,
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(status.statusCode).toBe(200);
    const list = status.json().tenantObjects as {
      kind: string;
      state: string;
      reason: string | null;
      name: string;
    }[];
    return Object.fromEntries(list.map((o) => [o.kind, o]));
  };

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, { microsoftClients: fastClients });
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    accountId = account.id;
    serviceId = service.id;
    names = carrierNamesOf(serviceId, t.ctx.config.sbcDomain);
    // Microsoft cannot verify the customer subdomain yet (DNS not visible): for an hour, unless changed below.
    expect((await settings({ domainReadyDelayMs: 3_600_000 })).ok).toBe(true);
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('creates what it can and keeps the rest pending with Microsoft’s reason, shown in the sync status', async () => {
    const run = await sync();
    expect(run.state).toBe('succeeded');
    const found = await objects();
    expect(found['domain']).toMatchObject({ name: names.domain, state: 'pending' });
    expect(found['domain']!.reason).toMatch(/DNS record is not visible yet/);
    expect(found['voice_route']).toMatchObject({
      state: 'pending',
      reason: expect.stringContaining(names.domain),
    });
    expect(found['pstn_usage']).toMatchObject({ state: 'ready' });
    expect(found['voice_routing_policy']).toMatchObject({ state: 'ready' });
    expect(tenant().telephony.voiceRoutes.has(names.voiceRoute)).toBe(false);
    expect(run.log.map((l) => l.message).join('\n')).toContain(`Domain ${names.domain} is pending`);
  });

  it('gives a user the Direct Routing number, enterprise voice and the voice routing policy', async () => {
    const user = (await t.ctx.store.repos.users.listForSync(accountId, serviceId)).find(
      (u) => u.objectId === demoUserId(11),
    )!;
    await t.ctx.services.users.update(actor, accountId, user.id, { phoneNumber: '+442079460111' });
    const run = await sync();
    expect(run.counters).toMatchObject({ written: 1, errors: 0 });
    const inTenant = tenant().users.get(demoUserId(11))!;
    expect(inTenant).toMatchObject({ enterpriseVoice: true, voiceRoutingPolicy: names.voiceRoutingPolicy });
    expect(
      tenant()
        .telephony.numbersOf(demoUserId(11))
        .map((n) => n.telephoneNumber),
    ).toEqual(['+442079460111']);
  });

  it('retries pending objects on the worker’s own schedule, with backoff, without another sync', async () => {
    const runsBefore = (await t.ctx.services.sync.history(actor, accountId, serviceId)).length;
    // Not yet due: the next attempt waits out the backoff.
    expect(await t.ctx.createScheduler({ now: () => new Date() }).tick()).toBe(0);
    expect((await settings({ domainReadyDelayMs: 0 })).ok).toBe(true);
    const later = t.ctx.createScheduler({ now: () => new Date(Date.now() + 2 * 3600_000) });
    expect(await later.tick()).toBe(1);
    expect(await later.tick()).toBe(0); // joins the queued retry
    await t.ctx.createWorker().drain();
    const found = await objects();
    expect(Object.values(found).map((o) => o.state)).toEqual(['ready', 'ready', 'ready', 'ready']);
    expect(tenant().telephony.voiceRoutes.get(names.voiceRoute)).toMatchObject({
      OnlinePstnGatewayList: [names.domain],
      OnlinePstnUsages: [names.pstnUsage],
    });
    expect(await t.ctx.services.sync.history(actor, accountId, serviceId)).toHaveLength(runsBefore);
    expect(await later.tick()).toBe(0);
  });

  it('ensures the objects again on each sync without duplicating them', async () => {
    const run = await sync();
    expect(run.state).toBe('succeeded');
    expect(tenant().telephony.pstnUsages.filter((u) => u === names.pstnUsage)).toHaveLength(1);
    expect(Object.values(await objects()).every((o) => o.state === 'ready')).toBe(true);
  });
});
