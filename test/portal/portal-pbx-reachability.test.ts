import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/**
 * Issue 21 in the portal: the service page says whether its PBX answers and when it last did, and a user whose
 * PBX stopped answering shows "Unconfirmed", not "Registered".
 */
describe('the portal: a PBX that stopped answering', () => {
  let server: PortalServer;
  let browser: Browser;
  let page: Page;
  let accountId: string;
  let serviceId: string;
  let userId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startPortalServer(), launchChromium()]);
    const { services, store } = server.ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    accountId = (
      await services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).id;
    await services.subscriptions.create(system, accountId, { sku: 'pbx_user', quantity: 5 });
    serviceId = (
      await services.voiceServices.create(system, accountId, { name: 'PBX', sipDomain: 'pbx.example' })
    ).id;
    userId = (
      await services.users.create(system, accountId, {
        serviceId,
        email: 'bo@contoso.example',
        displayName: 'Bo Example',
        sipUsername: '301',
        sipPassword: 'secret',
      })
    ).id;
    // As the SIP role reports a PBX that stopped answering its OPTIONS probe.
    await store.repos.pbxReachability.record([serviceId], {
      reachable: false,
      lastConfirmedAt: '2026-03-01T10:00:00.000Z',
      checkedAt: '2026-03-01T10:01:00.000Z',
      reason: 'No answer (408)',
    });
    await store.repos.users.recordRegistrationState(userId, 'unconfirmed', {
      lastSuccessAt: '2026-03-01T09:58:00.000Z',
      expiresAt: '2026-03-01T10:58:00.000Z',
      reason: 'The PBX has not answered since 2026-03-01T10:00:00.000Z',
    });
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the PBX unreachable on the service page, with when it last answered and why', async () => {
    await page.goto(`${server.baseUrl}/accounts/${accountId}/services/${serviceId}`);
    const badge = page.locator('.pbx-reachability');
    await badge.waitFor();
    expect(await badge.locator('.badge').textContent()).toBe('PBX unreachable');
    const text = (await badge.textContent()) ?? '';
    expect(text).toContain(new Date('2026-03-01T10:00:00.000Z').toLocaleString('en-US'));
    expect(text).toContain('No answer (408)');

    await server.ctx.store.repos.pbxReachability.record([serviceId], {
      reachable: true,
      lastConfirmedAt: '2026-03-01T10:05:00.000Z',
      checkedAt: '2026-03-01T10:05:00.000Z',
      reason: null,
    });
    await page.reload();
    await page.locator('.pbx-reachability .badge-ok').waitFor();
    expect(await page.locator('.pbx-reachability .badge').textContent()).toBe('PBX reachable');
  });

  it('shows the user unconfirmed with what it means', async () => {
    await page.goto(`${server.baseUrl}/accounts/${accountId}/users/${userId}`);
    await page.getByRole('heading', { name: 'Bo Example' }).waitFor();
    const card = page.locator('section.card', {
      has: page.getByRole('heading', { name: 'Registration', exact: true }),
    });
    expect(await card.getByRole('img').getAttribute('aria-label')).toMatch(
      /^Registration unconfirmed: The PBX stopped answering/,
    );
    expect(pageErrors).toEqual([]);
  });
});
