import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_DOMAIN,
  DEMO_UNCONSENTED_TENANT_ID,
  demoSeed,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, syncToEnd } from '../support/demo-tenant-account.js';
import { DIALECTS } from '../support/test-database.js';
import type { TestApp } from '../support/test-app.js';
import { clientAccount, emulatorEndpoints, holderOf, securityApp } from './support/security-app.js';

/**
 * Finding 3 of issue 14, "server-side request forgery": a tenant id such as `_emulator/tenants#` or `metrics#`
 * made the server fetch internal URLs and a diagnostic sync put the answers in the run log. Tenant ids are a
 * GUID or a domain name before they reach any URL, and diagnostic logs hold only the connection's own exchanges.
 */
describe.each(DIALECTS)('finding 3: a tenant id never steers a request (%s)', (dialect) => {
  let emulator: RunningEmulator;
  let t: TestApp;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await securityApp(dialect, emulator);
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  it('refuses a tenant id that is neither a GUID nor a domain name, saying which field and why', async () => {
    const { account } = await clientAccount(t, 'Probe');
    const owner = await holderOf(t, account.id, 'account_owner');
    for (const tenantId of [
      '_emulator/tenants#',
      'metrics#',
      '../common',
      'a b',
      'x?y=1',
      'contoso.com/../x',
    ]) {
      const refused = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/accounts/${account.id}/tenant-connection`,
        headers: owner.headers,
        payload: { tenantId, ...emulatorEndpoints(emulator) },
      });
      expect(refused.statusCode, tenantId).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'validation_failed' });
      expect(JSON.stringify(refused.json())).toContain('tenantId');
    }
    expect(await t.ctx.store.repos.tenantConnections.findByAccount(account.id)).toBeUndefined();
    const domain = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/accounts/${account.id}/tenant-connection`,
      headers: owner.headers,
      payload: { tenantId: DEMO_TENANT_DOMAIN, ...emulatorEndpoints(emulator) },
    });
    expect(domain.statusCode).toBe(200);
  });

  it('a stored tenant id from before is checked too: the diagnostic sync fetches and logs nothing internal', async () => {
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    // A row written before tenant ids were checked.
    await t.ctx.store.repos.tenantConnections.update(account.id, { tenantId: '_emulator/tenants#' });
    const run = await syncToEnd(t.ctx, account.id, service.id, { dryRun: true, diagnostic: true });
    expect(run.state).toBe('failed');
    const log = JSON.stringify(run.log);
    expect(log).not.toContain(DEMO_UNCONSENTED_TENANT_ID);
    expect(log).not.toContain('fabrikam');
    expect(run.error).toMatch(/tenant id/i);
  });

  it('keeps method, URL, status and redacted, capped bodies of the own endpoints only in a diagnostic log', async () => {
    const { account, service } = await demoTenantAccount(t.ctx, emulator);
    const run = await syncToEnd(t.ctx, account.id, service.id, { dryRun: true, diagnostic: true });
    expect(run.error).toBeNull();
    const exchanges = run.log.filter((l) => /^(GET|POST|PATCH|PUT|DELETE) /.test(l.message));
    expect(exchanges.length).toBeGreaterThan(3);
    for (const line of exchanges) {
      const [method, url, arrow, status] = line.message.split(/\s+/);
      expect(method).toMatch(/^[A-Z]+$/);
      expect(arrow).toBe('->');
      expect(status).toMatch(/^\d{3}$/);
      expect(url!.startsWith(emulator.url) || url!.startsWith(emulator.teamsAdminUrl)).toBe(true);
      expect(line.message.length).toBeLessThan(2_500);
    }
    const log = JSON.stringify(run.log);
    expect(log).not.toContain(DEMO_CLIENT_SECRET);
    expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });
});
