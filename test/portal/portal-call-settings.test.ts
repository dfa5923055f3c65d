import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** Issue 17 in the portal: a service's call settings shown and changed on its settings page. */
describe("the portal: a service's call settings", () => {
  let server: PortalServer;
  let browser: Browser;
  let page: Page;
  let accountId: string;
  let serviceId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startPortalServer(), launchChromium()]);
    const { services } = server.ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    accountId = (
      await services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).id;
    serviceId = (
      await services.voiceServices.create(system, accountId, {
        name: 'PBX',
        sipDomain: 'pbx.example',
        calls: { maxCallsPerService: 10 },
      })
    ).id;
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the stored settings, saves a change, and shows a refused one at its field', async () => {
    await page.goto(`${server.baseUrl}/accounts/${accountId}/services/${serviceId}`);
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Calls' }) });
    await form.waitFor();
    expect(await form.getByLabel('Ring timeout (seconds)').inputValue()).toBe('60');
    expect(await form.getByLabel('Calls at once for the service').inputValue()).toBe('10');
    expect(await form.getByLabel('Calls at once per user').inputValue()).toBe('');

    await form.getByLabel('Ring timeout (seconds)').fill('25');
    await form.getByLabel('Hold from the PBX').selectOption('music-from-pbx');
    await form.getByLabel('Longest call (minutes)').fill('120');
    await form.getByRole('button', { name: 'Save call settings' }).click();
    await form.getByText('Call settings saved').waitFor();
    const stored = await server.api<{ calls: Record<string, unknown> }>(
      'GET',
      `/api/v1/accounts/${accountId}/services/${serviceId}`,
    );
    expect(stored.calls).toMatchObject({
      ringTimeoutSeconds: 25,
      holdMode: 'music-from-pbx',
      maxCallMinutes: 120,
      maxCallsPerService: 10,
      maxCallsPerUser: null,
    });

    // More per user than the service allows: the API's refusal shows beneath the field; nothing is stored.
    const perUser = form.getByLabel('Calls at once per user');
    await perUser.fill('11');
    await form.getByRole('button', { name: 'Save call settings' }).click();
    await expect.poll(() => perUser.getAttribute('aria-invalid')).toBe('true');
    expect(await form.textContent()).toContain("must not exceed the service's limit (10 calls)");
    await perUser.fill('two');
    await form.getByRole('button', { name: 'Save call settings' }).click();
    expect(await form.textContent()).toContain('must be a whole number');
    const after = await server.api<{ calls: Record<string, unknown> }>(
      'GET',
      `/api/v1/accounts/${accountId}/services/${serviceId}`,
    );
    expect(after.calls.maxCallsPerUser).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
