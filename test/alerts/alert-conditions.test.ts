import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeConditions } from '../../src/alerts/edge-alerts.js';
import type { ProxyHealthState } from '../../src/edge/proxy-health.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';
import { clientWithPbxService, storeUser } from '../support/store-fixtures.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const HOUR = 3600_000;

/** Each alert condition against real data on both databases: it opens, names what to fix, and resolves. */
describe.each(DIALECTS)('alert conditions on %s', (dialect) => {
  let t: TestApp;
  let partnerId: string;
  let clientId: string;
  let serviceId: string;
  const open = async (accountId = clientId) =>
    (await t.ctx.services.alerts.listOpen(system, accountId)).map((a) => ({
      kind: a.kind,
      subject: a.subject,
      severity: a.severity,
      message: a.message,
      accountId: a.accountId,
    }));

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const made = await clientWithPbxService(t.ctx.store, 'Fabrikam', { name: 'Main PBX' });
    partnerId = made.partner.id;
    clientId = made.client.id;
    serviceId = made.service.id;
  });
  afterAll(() => t.close());

  it("opens sync_failed from the service's last run with its reason, and resolves on the next good run", async () => {
    const runs = t.ctx.store.repos.syncRuns;
    const newRun = (dryRun = false) =>
      runs.create({
        accountId: clientId,
        serviceId,
        dryRun,
        diagnostic: false,
        trigger: 'person',
        startedBy: 't',
      });
    const failed = await newRun();
    await runs.update(failed.id, {
      state: 'failed',
      error: 'Microsoft could not be reached',
      finishedAt: new Date().toISOString(),
    });
    const dry = await newRun(true);
    await runs.update(dry.id, { state: 'succeeded', finishedAt: new Date().toISOString() });
    await t.ctx.alerts.evaluator.evaluate();
    expect(await open()).toEqual([
      expect.objectContaining({ kind: 'sync_failed', subject: serviceId, severity: 'critical' }),
    ]);
    expect((await open())[0]!.message).toContain('Microsoft could not be reached');

    const warned = await newRun();
    await runs.update(warned.id, { state: 'warning', finishedAt: new Date().toISOString() });
    await t.ctx.alerts.evaluator.evaluate();
    expect((await open()).map((a) => a.kind)).toEqual(['sync_warning']);

    const good = await newRun();
    await runs.update(good.id, { state: 'succeeded', finishedAt: new Date().toISOString() });
    await t.ctx.alerts.evaluator.evaluate();
    expect(await open()).toEqual([]);
  });

  it('opens consent_revoked while Microsoft refuses the app, and resolves once consent is given again', async () => {
    const now = new Date().toISOString();
    await t.ctx.store.handle.db
      .insertInto('tenant_connections')
      .values({
        id: `tc-${dialect}`,
        account_id: clientId,
        tenant_id: '6f1d2c4b-0000-4000-8000-00000000beef',
        cloud: 'global',
        authority_host: 'https://login.microsoftonline.com',
        graph_base_url: 'https://graph.microsoft.com',
        teams_admin_base_url: null,
        consent_state: 'granted',
        consent_error: null,
        consented_at: now,
        client_id: null,
        client_secret_enc: null,
        delta_link: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await t.ctx.services.tenantConnections.markRevoked(clientId, 'AADSTS65001: not consented');
    await t.ctx.alerts.evaluator.evaluate();
    const found = await open();
    expect(found).toEqual([expect.objectContaining({ kind: 'consent_revoked', severity: 'critical' })]);
    expect(found[0]!.message).toContain('AADSTS65001');
    await t.ctx.store.repos.tenantConnections.update(clientId, {
      consentState: 'granted',
      consentError: null,
    });
    await t.ctx.alerts.evaluator.evaluate();
    expect(await open()).toEqual([]);
  });

  it('opens trial_expiring inside 14 days of the end, and licences_short when more users are configured than held', async () => {
    await t.ctx.store.repos.subscriptions.create({
      accountId: clientId,
      sku: 'pbx_user',
      trial: true,
      quantity: 1,
      trialEndsAt: new Date(Date.now() + 5 * 24 * HOUR).toISOString(),
    });
    await t.ctx.store.repos.users.createMany(
      [1, 2].map((n) =>
        storeUser(clientId, serviceId, n, { sipUsername: `30${n}`, sipPasswordEnc: 'sealed' }),
      ),
    );
    await t.ctx.alerts.evaluator.evaluate();
    const found = await open();
    expect(found.map((a) => a.kind).sort()).toEqual(['licences_short', 'trial_expiring']);
    expect(found.find((a) => a.kind === 'trial_expiring')!.message).toMatch(/ends on .* \(in [45] days\)/);
    expect(found.find((a) => a.kind === 'licences_short')!.message).toContain('2 users are configured but 1');
    await t.ctx.store.handle.db.deleteFrom('users').where('account_id', '=', clientId).execute();
    await t.ctx.store.handle.db.deleteFrom('subscriptions').where('account_id', '=', clientId).execute();
    await t.ctx.alerts.evaluator.evaluate();
    expect(await open()).toEqual([]);
  });

  it("opens trunk_down when the carrier refuses the trunk's REGISTER, warns while some addresses fail over, and resolves", async () => {
    const trunk = await t.ctx.services.voiceServices.create(system, clientId, {
      kind: 'trunk',
      name: 'Carrier trunk',
      sipDomain: 'trunk.fabrikam.example',
      country: 'GB',
    });
    await t.ctx.services.trunkSettings.put(system, clientId, trunk.id, {
      kind: 'registration',
      domain: 'sip.carrier.example',
      username: 'fabrikam',
      password: 'carrier-password',
    });
    const at = new Date().toISOString();
    const record = (state: Parameters<typeof t.ctx.store.repos.trunkSettings.recordState>[1]) =>
      t.ctx.store.repos.trunkSettings.recordState(trunk.id, state, at);
    const health = (...healthy: boolean[]) =>
      healthy.map((up, i) => ({
        address: `192.0.2.${i + 1}:5060`,
        healthy: up,
        checkedAt: at,
        reason: up ? null : 'no answer to OPTIONS',
      }));
    const trunkAlerts = async () => (await open()).filter((a) => a.kind === 'trunk_down');

    await record({ registration: { state: 'failed', detail: { code: 403, reason: 'Forbidden' } } });
    await t.ctx.alerts.evaluator.evaluate();
    expect(await trunkAlerts()).toEqual([
      expect.objectContaining({ subject: trunk.id, severity: 'critical', accountId: clientId }),
    ]);
    expect((await trunkAlerts())[0]!.message).toMatch(/failed to register with the carrier \(Forbidden\)/);

    await record({ registration: { state: 'registered', detail: {} }, health: health(true, false) });
    await t.ctx.alerts.evaluator.evaluate();
    expect((await trunkAlerts()).map((a) => a.message)).toEqual([
      expect.stringMatching(/1 of 2 addresses .* \(192\.0\.2\.2:5060\): calls go to the others/),
    ]);

    await record({ health: health(true, true) });
    await t.ctx.alerts.evaluator.evaluate();
    expect(await trunkAlerts()).toEqual([]);
  });

  it('opens asr_drop when the last hour answers far fewer calls than the day before', async () => {
    const now = Date.now();
    const rows = [];
    for (let i = 0; i < 40; i++) {
      const recent = i < 20;
      const startedAt = new Date(now - (recent ? 10 * 60_000 + i * 1000 : 5 * HOUR + i * 1000)).toISOString();
      const answered = recent ? i < 4 : i < 38;
      rows.push({
        id: `asr-${dialect}-${i}`,
        account_id: clientId,
        service_id: serviceId,
        user_id: null,
        direction: 'pbx-to-teams' as const,
        from_number: '201',
        to_number: '+442079460001',
        started_at: startedAt,
        ringing_at: null,
        answered_at: answered ? startedAt : null,
        ended_at: startedAt,
        duration_ms: 0,
        result: answered ? 'answered' : 'failed',
        final_status: answered ? 200 : 503,
        refused_by: null,
        q850_cause: null,
        proxy: null,
        codec: null,
        refusal_code: null,
        refusal_message: null,
        legs: '[]',
        transfers: '[]',
        media: null,
      });
    }
    await t.ctx.store.handle.db.insertInto('call_records').values(rows).execute();
    await t.ctx.alerts.evaluator.evaluate();
    const found = await open();
    expect(found).toEqual([expect.objectContaining({ kind: 'asr_drop', severity: 'critical' })]);
    expect(found[0]!.message).toContain('fell to 20%');
    expect(found[0]!.message).toContain('from 90%');
  });

  it("shows the edge's platform alerts to the provider, not to its client, and resolves them when the proxy answers", async () => {
    const proxy = (lastOkAt: string | undefined): ProxyHealthState => ({
      proxy: 'sip.pstnhub.microsoft.com',
      lastOkAt,
      roundTripMs: undefined,
      lastAttemptAt: undefined,
      lastStatus: 503,
      lastError: 'Service Unavailable',
      consecutiveFailures: 4,
      failures: 4,
      healthy: false,
    });
    const started = Date.now() - 10 * 60_000;
    const subjects = ['sip.pstnhub.microsoft.com', 'certificate'];
    const stale = {
      health: { list: () => [proxy(new Date(Date.now() - 4 * 60_000).toISOString())] },
      certificate: { daysLeft: 9 },
    };
    await t.ctx.alerts.evaluator.reportEdge(edgeConditions(stale, started, Date.now()), subjects);
    const forPartner = await open(partnerId);
    expect(
      forPartner
        .filter((a) => a.accountId === null)
        .map((a) => a.kind)
        .sort(),
    ).toEqual(['edge_certificate_expiring', 'edge_unhealthy']);
    expect((await open()).filter((a) => a.accountId === null)).toEqual([]);

    const fresh = {
      health: { list: () => [proxy(new Date().toISOString())] },
      certificate: { daysLeft: 80 },
    };
    await t.ctx.alerts.evaluator.reportEdge(edgeConditions(fresh, started, Date.now()), subjects);
    expect((await open(partnerId)).filter((a) => a.accountId === null)).toEqual([]);
  });

  it('gives a proxy 3 minutes from the edge start before calling it unhealthy', () => {
    const never = {
      health: {
        list: () =>
          [
            {
              proxy: 'p',
              lastOkAt: undefined,
              lastStatus: undefined,
              lastError: undefined,
              consecutiveFailures: 0,
            },
          ] as ProxyHealthState[],
      },
      certificate: { daysLeft: 90 },
    };
    const start = Date.parse('2026-12-01T10:00:00Z');
    expect(edgeConditions(never, start, start + 2 * 60_000)).toEqual([]);
    expect(edgeConditions(never, start, start + 3 * 60_000).map((c) => c.kind)).toEqual(['edge_unhealthy']);
  });
});
