import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationState } from '../../src/domain/records.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';
import { storeUser } from '../support/store-fixtures.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

/** The account health page and the provider overview over HTTP (issue 18), on both databases. */
describe.each(DIALECTS)('health overview API on %s', (dialect) => {
  let t: TestApp;
  let partnerId: string;
  let contoso: string;
  let fabrikam: string;
  let quiet: string;
  let pbxId: string;
  const get = (url: string, token = t.token) =>
    t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  async function tokenOf(role: 'sync_contributor' | 'account_owner', accountId: string, email: string) {
    await t.ctx.services.administrators.create(system, { email, password: 'long enough password' });
    await t.ctx.services.administrators.grantRole(system, accountId, email, role);
    return (await t.ctx.services.administrators.createToken(system, email, 'health')).token;
  }

  async function usersIn(accountId: string, serviceId: string, states: RegistrationState[], from: number) {
    await t.ctx.store.repos.users.createMany(
      states.map((state, i) =>
        storeUser(accountId, serviceId, from + i, {
          displayName: `User ${String(from + i).padStart(3, '0')}`,
          registrationState: state,
          registrationDetail: state === 'failed' ? { statusCode: 403, reason: 'Forbidden', final: true } : {},
        }),
      ),
    );
  }

  function call(accountId: string, serviceId: string, result: 'answered' | 'failed', startedAt: string) {
    t.ctx.calls.recorder.ended({
      id: `${accountId}-${result}-${startedAt}-${Math.random()}`,
      accountId,
      serviceId,
      direction: 'pbx-to-teams',
      from: '201',
      to: '+442079460001',
      startedAt,
      endedAt: startedAt,
      result,
      legs: [],
    });
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const { services, store } = t.ctx;
    partnerId = (await services.accounts.create(system, { name: 'Health Partner', kind: 'partner' })).id;
    const client = (name: string) =>
      services.accounts.create(system, { name, kind: 'client', parentId: partnerId }).then((a) => a.id);
    contoso = await client('Contoso');
    fabrikam = await client('Fabrikam');
    quiet = await client('Quiet');
    const pbx = (accountId: string) =>
      services.voiceServices
        .create(system, accountId, { name: 'PBX', sipDomain: 'pbx.health.example', country: 'GB' })
        .then((s) => s.id);
    pbxId = await pbx(contoso);
    const fabrikamPbx = await pbx(fabrikam);
    await pbx(quiet);

    // Contoso: 5 registered, 3 failed, 1 unconfirmed, 2 disabled; its PBX answers; its last sync failed.
    await usersIn(
      contoso,
      pbxId,
      [
        ...Array<RegistrationState>(5).fill('registered'),
        'failed',
        'failed',
        'failed',
        'unconfirmed',
        'disabled',
        'disabled',
      ],
      1,
    );
    const now = new Date().toISOString();
    await store.repos.pbxReachability.record([pbxId], {
      reachable: true,
      lastConfirmedAt: now,
      checkedAt: now,
      reason: null,
    });
    const run = await store.repos.syncRuns.create({
      accountId: contoso,
      serviceId: pbxId,
      dryRun: false,
      diagnostic: false,
      trigger: 'person',
      startedBy: 'test',
    });
    await store.repos.syncRuns.update(run.id, { state: 'failed', finishedAt: now, error: 'consent revoked' });
    // Fabrikam: its PBX does not answer (the worst), one failed user.
    await usersIn(fabrikam, fabrikamPbx, ['failed', 'registered'], 100);
    await store.repos.pbxReachability.record([fabrikamPbx], {
      reachable: false,
      lastConfirmedAt: null,
      checkedAt: now,
      reason: 'no answer to OPTIONS',
    });
    // Today: Contoso 3 answered and 1 failed; yesterday's calls do not count.
    const recent = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 3; i++) call(contoso, pbxId, 'answered', recent);
    call(contoso, pbxId, 'failed', recent);
    call(contoso, pbxId, 'failed', new Date(Date.now() - 30 * 3_600_000).toISOString());
    await t.ctx.calls.recorder.flush();
  });

  afterAll(() => t.close());

  it("shows registrations by state with the failing users, the PBX, the last sync and today's calls", async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const res = await get(`/api/v1/accounts/${contoso}/health?since=${encodeURIComponent(since)}`);
    expect(res.statusCode).toBe(200);
    const health = res.json();
    expect(health.registrations.total).toBe(11);
    expect(health.registrations.byState).toMatchObject({
      registered: 5,
      failed: 3,
      unconfirmed: 1,
      disabled: 2,
      pending: 0,
    });
    expect(health.registrations.failingUsers.map((u: { displayName: string }) => u.displayName)).toEqual([
      'User 006',
      'User 007',
      'User 008',
    ]);
    expect(health.registrations.failingUsers[0]).toMatchObject({ statusCode: 403, reason: 'Forbidden' });
    expect(health.services).toHaveLength(1);
    expect(health.services[0].pbx.reachable).toBe(true);
    expect(health.services[0].lastSync).toMatchObject({ state: 'failed', error: 'consent revoked' });
    expect(health.calls).toMatchObject({ attempts: 4, answered: 3, failed: 1, answerSeizureRatio: 0.75 });
    expect(health.teamsEdge.state).toBe('not_running');
    expect(health.hidden).toEqual([]);
  });

  it('refuses a since more than 7 days back, naming the field', async () => {
    const since = new Date(Date.now() - 8 * 86_400_000).toISOString();
    const res = await get(`/api/v1/accounts/${contoso}/health?since=${encodeURIComponent(since)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', details: { field: 'since' } });
  });

  it('gives a Sync Contributor the sync state and hides what their role does not show', async () => {
    const token = await tokenOf('sync_contributor', contoso, `sync-${dialect}@health.test`);
    const health = (await get(`/api/v1/accounts/${contoso}/health`, token)).json();
    expect(health.registrations).toBeNull();
    expect(health.calls).toBeNull();
    expect(health.services[0].lastSync.state).toBe('failed');
    expect(health.services[0].pbx).toBeNull();
    expect(health.hidden.map((h: { permission: string }) => h.permission)).toEqual(['service.read']);
  });

  it("answers another customer's administrator 404, as for an account that does not exist", async () => {
    const token = await tokenOf('account_owner', quiet, `quiet-${dialect}@health.test`);
    const res = await get(`/api/v1/accounts/${contoso}/health`, token);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Contoso');
    expect((await get(`/api/v1/accounts/${partnerId}/client-health`, token)).statusCode).toBe(404);
  });

  it('lists the clients worst first: the unreachable PBX, then the failed sync, then the healthy', async () => {
    const res = await get(`/api/v1/accounts/${partnerId}/client-health`);
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.total).toBe(3);
    expect(page.items.map((c: { name: string }) => c.name)).toEqual(['Fabrikam', 'Contoso', 'Quiet']);
    expect(page.items[0]).toMatchObject({ severity: 'critical', unreachablePbx: 1, failingUsers: 1 });
    expect(page.items[0].issues.map((i: { code: string }) => i.code)).toEqual([
      'pbx_unreachable',
      'registrations_failing',
    ]);
    expect(page.items[1]).toMatchObject({ severity: 'critical', failingUsers: 4 });
    expect(page.items[1].callsLastHour).toMatchObject({ attempts: 4, failed: 1 });
    expect(page.items[2]).toMatchObject({ severity: 'ok', issues: [] });
  });

  it('pages the provider overview after sorting, so page 2 continues page 1', async () => {
    const second = (await get(`/api/v1/accounts/${partnerId}/client-health?limit=2&offset=2`)).json();
    expect(second).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect(second.items.map((c: { name: string }) => c.name)).toEqual(['Quiet']);
  });

  it('refuses the provider overview on a client account, saying where to look', async () => {
    const res = await get(`/api/v1/accounts/${contoso}/client-health`);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/partner accounts/);
  });
});
