import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { consentRoundTrip } from '../support/consent-round-trip.js';
import { fastClients } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

interface RunView {
  id: string;
  state: string;
  error: string | null;
  counters: Record<string, number>;
  plan: unknown[];
  log: { message: string }[];
}

describe.each(DIALECTS)('sync against the emulator demo tenant on %s', (dialect) => {
  let emulator: RunningEmulator;
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload && { payload }),
    });

  async function syncNow(dryRun = false, diagnostic = false) {
    const started = await api('POST', `/api/v1/accounts/${accountId}/services/${serviceId}/sync`, {
      dryRun,
      diagnostic,
    });
    expect(started.statusCode).toBe(202);
    await t.ctx.createWorker().drain();
    const run: RunView = (
      await api('GET', `/api/v1/accounts/${accountId}/sync-runs/${started.json().run.id}`)
    ).json();
    return run;
  }

  async function userByObject(objectId: string) {
    const users = (await api('GET', `/api/v1/accounts/${accountId}/users?limit=500`)).json().items as {
      objectId: string;
      id: string;
      phoneNumber: string | null;
      version: number;
    }[];
    return users.find((u) => u.objectId === objectId)!;
  }

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, { microsoftClients: fastClients });
    const partner = (await api('POST', '/api/v1/accounts', { name: 'Provider', kind: 'partner' })).json();
    accountId = (
      await api('POST', '/api/v1/accounts', { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).json().id;
    serviceId = (
      await api('POST', `/api/v1/accounts/${accountId}/services`, {
        name: 'PBX',
        sipDomain: 'pbx.contoso.example',
        country: 'GB',
      })
    ).json().id;
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('refuses to sync before the tenant is connected, saying what to do', async () => {
    const run = await syncNow();
    expect(run.state).toBe('failed');
    expect(run.error).toMatch(/connect the tenant first|not connected/i);
    // The worker logs it at warn with the run id and the reason, not as an ordinary "job finished".
    const finished = t.logLines
      .map((line) => JSON.parse(line) as { level: number; msg: string; runId?: string; reason?: string })
      .filter((entry) => entry.msg.startsWith('job finished'));
    expect(finished.at(-1)).toMatchObject({ level: 40, runId: run.id, reason: run.error });
    expect(finished.at(-1)?.msg).toBe(`job finished as failed (run ${run.id}): ${run.error}`);
  });

  it('connects the tenant by administrator consent', async () => {
    const connect = await api('PUT', `/api/v1/accounts/${accountId}/tenant-connection`, {
      tenantId: DEMO_TENANT_ID,
      cloud: 'custom',
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      authorityHost: emulator.url,
      graphBaseUrl: emulator.url,
      teamsAdminBaseUrl: emulator.teamsAdminUrl,
    });
    expect(connect.statusCode).toBe(200);
    expect(connect.json().connection).toMatchObject({ consentState: 'pending', hasClientSecret: true });
    expect(connect.body).not.toContain(DEMO_CLIENT_SECRET);
    // The administrator's browser follows the consent URL; Microsoft (the emulator) redirects back to us, we send
    // it on to sign in, and the tenant's Global Administrator's ID token records the consent. The browser comes
    // back cross-site, without the portal's SameSite=Strict session cookie: the single-use state binds it.
    const trip = await consentRoundTrip(t.app, connect.json().consentUrl);
    expect(trip.afterConsent.statusCode).toBe(302);
    expect(trip.final.json()).toMatchObject({ consentState: 'granted', tenantId: DEMO_TENANT_ID });
    const forged = new URLSearchParams(trip.consentReturn);
    forged.set('state', 'forged-state-value');
    const refused = await t.app.inject({ url: `/api/v1/consent/callback?${forged.toString()}` });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('was not started here');
  });

  it('shows in a dry run exactly what the first sync then does', async () => {
    const dry = await syncNow(true);
    expect(dry.state).toBe('succeeded');
    expect((await api('GET', `/api/v1/accounts/${accountId}/users`)).json().total).toBe(0);
    const run = await syncNow();
    expect(run.state).toMatch(/succeeded|warning/);
    expect(run.plan).toEqual(dry.plan);
    expect(run.counters).toMatchObject({ excludedByCallingPlan: 2, resourceAccounts: 3 });
    expect(run.counters.added).toBeGreaterThan(30);
    expect(run.log.map((l) => l.message).join('\n')).toContain('enabled users: total=');
    const withNumber = await userByObject(demoUserId(1));
    expect(withNumber.phoneNumber).toBe('+442079460001');
    expect(await userByObject(demoUserId(33))).toBeUndefined();
    const status = (await api('GET', `/api/v1/accounts/${accountId}/services/${serviceId}/sync`)).json();
    expect(status).toMatchObject({ status: expect.stringMatching(/up_to_date|warning/), queuedChanges: 0 });
  });

  it('logs the requests to Microsoft in diagnostic mode, without secrets or tokens', async () => {
    const run = await syncNow(true, true);
    const log = run.log.map((l) => l.message).join('\n');
    // A sync after the first reads the users delta rather than every user.
    expect(log).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\.0\/users(\/delta)?\?/);
    expect(log).toMatch(/POST .*\/oauth2\/v2\.0\/token\S* -> 200/);
    expect(log).toContain('"access_token":"[redacted]"');
    expect(log).not.toContain(DEMO_CLIENT_SECRET);
    expect(log).not.toMatch(/"access_token":"ey/);
  });

  it('writes a number set in the portal to the tenant on the next sync', async () => {
    const user = await userByObject(demoUserId(11));
    const set = await api('PATCH', `/api/v1/accounts/${accountId}/users/${user.id}`, {
      phoneNumber: '+442079460111',
    });
    expect(set.statusCode).toBe(200);
    expect(
      (await api('GET', `/api/v1/accounts/${accountId}/services/${serviceId}/sync`)).json(),
    ).toMatchObject({ status: 'changes_queued', queuedChanges: 1 });
    const run = await syncNow();
    expect(run.counters.written).toBe(1);
    // Read it back from the tenant the way Teams reports it.
    const client = fastClients({
      tenantId: DEMO_TENANT_ID,
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      cloud: 'custom',
      authorityHost: emulator.url,
      graphBaseUrl: emulator.url,
      teamsAdminBaseUrl: emulator.teamsAdminUrl,
    });
    const config = (await client.getTeamsUserConfigurations([demoUserId(11)])).get(demoUserId(11));
    expect(config?.telephoneNumbers.map((n) => n.telephoneNumber)).toEqual(['+442079460111']);
    expect(
      (await api('GET', `/api/v1/accounts/${accountId}/services/${serviceId}/sync`)).json().queuedChanges,
    ).toBe(0);
  });

  it('takes a number changed in the tenant into the portal, and reports a two-sided change as a conflict', async () => {
    await fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}/users/${demoUserId(2)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '+442079460222' }),
    });
    const both = await userByObject(demoUserId(3));
    await api('PATCH', `/api/v1/accounts/${accountId}/users/${both.id}`, { phoneNumber: '+442079460333' });
    await fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}/users/${demoUserId(3)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '+442079460334' }),
    });
    const run = await syncNow();
    expect((await userByObject(demoUserId(2))).phoneNumber).toBe('+442079460222');
    expect(run.state).toBe('warning');
    expect(run.counters.conflicts).toBe(1);
    expect(run.plan).toContainEqual(
      expect.objectContaining({ type: 'conflict', portal: '+442079460333', tenant: '+442079460334' }),
    );
    expect((await userByObject(demoUserId(3))).phoneNumber).toBe('+442079460333');
    // The conflict's number is still to write, but the button shows the problem first.
    const status = (await api('GET', `/api/v1/accounts/${accountId}/services/${serviceId}/sync`)).json();
    expect(status).toMatchObject({ status: 'warning', lastRun: { id: run.id } });
    expect(status.queuedChanges).toBeGreaterThan(0);
  });

  it("shows a running sync's progress from its worker's heartbeat", async () => {
    const started = await api('POST', `/api/v1/accounts/${accountId}/services/${serviceId}/sync`, {});
    const { run } = started.json<{ run: { id: string; jobId: string } }>();
    const job = await t.ctx.store.repos.jobs.claim('progress-test', 60_000);
    expect(job?.id).toBe(run.jobId);
    await t.ctx.store.repos.jobs.heartbeat(run.jobId, 'progress-test', 60_000, {
      phase: 'applying',
      done: 40,
      of: 90,
    });
    const status = (await api('GET', `/api/v1/accounts/${accountId}/services/${serviceId}/sync`)).json();
    expect(status).toMatchObject({
      status: 'syncing',
      lastRun: { id: run.id, progress: { phase: 'applying', done: 40, of: 90 } },
    });
    // Let the lease go and finish the run normally, so later tests start from a settled service.
    await t.ctx.store.repos.jobs.fail(run.jobId, 'progress-test', 'handed back by the test', new Date());
    await t.ctx.createWorker().drain();
  });
});
