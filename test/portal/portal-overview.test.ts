import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationState } from '../../src/domain/records.js';
import { storeUser } from '../support/store-fixtures.js';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';
import { screenshots } from './support/screenshots.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/**
 * Issue 18 in the portal: a client's account page is its health page (registrations with the failing users, PBX
 * and sync per service, today's calls and ASR, Teams edge, licences, open alerts), and a partner's page lists its
 * customers' health, worst first.
 */
describe('the portal: account health page and provider overview', () => {
  let server: PortalServer;
  let browser: Browser;
  let page: Page;
  let partnerId: string;
  let contoso: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startPortalServer(), launchChromium()]);
    const { services, store } = server.ctx;
    partnerId = (await services.accounts.create(system, { name: 'Northwind Voice', kind: 'partner' })).id;
    const client = (name: string) =>
      services.accounts.create(system, { name, kind: 'client', parentId: partnerId }).then((a) => a.id);
    contoso = await client('Contoso');
    const fabrikam = await client('Fabrikam');
    for (const name of ['Adatum', 'Litware', 'Tailspin']) await client(name);
    const pbx = (accountId: string, name: string) =>
      services.voiceServices
        .create(system, accountId, { name, sipDomain: 'pbx.example', country: 'GB' })
        .then((s) => s.id);
    const contosoPbx = await pbx(contoso, 'London PBX');
    const fabrikamPbx = await pbx(fabrikam, 'PBX');
    const states: RegistrationState[] = [
      ...Array<RegistrationState>(42).fill('registered'),
      'failed',
      'failed',
      'unconfirmed',
      'disabled',
    ];
    await store.repos.users.createMany(
      states.map((state, i) =>
        storeUser(contoso, contosoPbx, i, {
          displayName: state === 'failed' ? `Failing ${i}` : `User ${i}`,
          registrationState: state,
          registrationDetail: state === 'failed' ? { statusCode: 403, reason: 'Forbidden' } : {},
        }),
      ),
    );
    const now = new Date().toISOString();
    await store.repos.pbxReachability.record([contosoPbx], {
      reachable: true,
      lastConfirmedAt: now,
      checkedAt: now,
      reason: null,
    });
    await store.repos.pbxReachability.record([fabrikamPbx], {
      reachable: false,
      lastConfirmedAt: null,
      checkedAt: now,
      reason: 'no answer to OPTIONS',
    });
    const run = await store.repos.syncRuns.create({
      accountId: contoso,
      serviceId: contosoPbx,
      dryRun: false,
      diagnostic: false,
      trigger: 'schedule',
      startedBy: 'scheduler',
    });
    await store.repos.syncRuns.update(run.id, { state: 'succeeded', finishedAt: now });
    const { recorder } = server.ctx.calls;
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 4; i++)
      recorder.ended({
        id: `overview-${i}`,
        accountId: contoso,
        serviceId: contosoPbx,
        direction: 'pbx-to-teams',
        from: '201',
        to: '+442079460001',
        startedAt,
        endedAt: startedAt,
        result: i === 3 ? 'failed' : 'answered',
        legs: [],
      });
    await recorder.flush();
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const card = (name: string) =>
    page.locator('section.card', { has: page.getByRole('heading', { name, exact: true }) });

  it("shows a client's registrations with the failing users, its PBX and sync, and today's calls", async () => {
    await page.goto(`${server.baseUrl}/accounts/${contoso}`);
    const registrations = card('Registrations');
    await registrations.waitFor();
    expect(await registrations.textContent()).toContain('42 of 46 users registered');
    const failing = registrations.getByRole('link', { name: 'Failing 42' });
    expect(await failing.getAttribute('href')).toMatch(
      new RegExp(`/accounts/${contoso}/users/[0-9a-f-]{36}$`),
    );
    expect(await registrations.textContent()).toContain('403 Forbidden');
    expect(await registrations.getAttribute('class')).toContain('health-bad');
    const pbxAndSync = card('PBX and sync');
    expect(await pbxAndSync.textContent()).toContain('PBX reachable');
    expect(await pbxAndSync.textContent()).toContain('Synced');
    const calls = card("Today's calls");
    expect(await calls.locator('dd').allTextContents()).toEqual(['4', '3', '1', '75%']);
    expect(await page.locator('section.card', { hasText: 'Teams edge' }).textContent()).toContain(
      'Not running on this server',
    );
    const alerts = card('Open alerts');
    // The alerts API serves the panel: none are open here.
    await expect
      .poll(async () => alerts.textContent(), { timeout: 10_000 })
      .toBe('Open alertsNo open alerts.');
    await screenshots(page, 'account-health');
  });

  it("lists a partner's customers worst first: the PBX that does not answer before the failing users", async () => {
    await page.goto(`${server.baseUrl}/accounts/${partnerId}`);
    const table = page.locator('table.provider-table');
    await table.locator('tbody tr').first().waitFor();
    const names = await table.locator('tbody tr td:first-child').allTextContents();
    expect(names).toEqual(['Fabrikam', 'Contoso', 'Adatum', 'Litware', 'Tailspin']);
    const worst = table.locator('tbody tr').first();
    expect(await worst.textContent()).toContain('1 PBX does not answer');
    expect(await worst.textContent()).toContain('Critical');
    expect(await table.locator('tbody tr').nth(1).textContent()).toContain('3 users do not register');
    expect(await table.locator('tbody tr').nth(2).textContent()).toContain('Healthy');
    await worst.getByRole('link', { name: 'Fabrikam' }).waitFor();
    await screenshots(page, 'provider-overview');
    expect(pageErrors).toEqual([]);
  });
});
