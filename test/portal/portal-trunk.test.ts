import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** Issue 19 in the portal: a trunk service's SIP trunk is configured on its page, which shows its state. */
describe('the portal: a trunk service', () => {
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
        kind: 'trunk',
        name: 'Carrier',
        sipDomain: 'sip.carrier.example',
      })
    ).id;
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('configures a registration trunk (the password is not shown again) and shows its registration and health', async () => {
    await page.goto(`${server.baseUrl}/accounts/${accountId}/services/${serviceId}`);
    const form = page.getByRole('form', { name: 'SIP trunk' });
    await form.waitFor();
    await form.getByLabel('Kind').selectOption('registration');
    await form.getByLabel('Trunk domain').fill('sip.carrier.example');
    await form.getByLabel('Addresses').fill('192.0.2.10:5070\n192.0.2.11');
    await form.getByLabel('Username', { exact: true }).fill('trunk-4412');
    await form.getByLabel('Password').fill('carrier-secret-9');
    await form.getByLabel('Number format').selectOption('e164-no-plus');
    await form.getByLabel('Maximum channels (optional)').fill('30');
    await form.getByRole('button', { name: 'Save trunk' }).click();
    await page.getByText('Trunk saved.').waitFor();
    const stored = await server.ctx.store.repos.trunkSettings.find(accountId, serviceId);
    expect(stored).toMatchObject({
      kind: 'registration',
      addresses: [
        { host: '192.0.2.10', port: 5070 },
        { host: '192.0.2.11', port: null },
      ],
      username: 'trunk-4412',
      numberFormat: 'e164-no-plus',
      maxChannels: 30,
    });
    expect(await form.getByLabel('Password').inputValue()).toBe('');
    expect(await page.content()).not.toContain('carrier-secret-9');

    // As the sip role reports the trunk's registration and its addresses' OPTIONS health.
    await server.ctx.store.repos.trunkSettings.recordState(
      serviceId,
      {
        registration: { state: 'registered', detail: {} },
        health: [
          { address: '192.0.2.10:5070', healthy: true, checkedAt: '2026-03-01T10:00:00.000Z', reason: null },
          {
            address: '192.0.2.11:5060',
            healthy: false,
            checkedAt: '2026-03-01T10:00:00.000Z',
            reason: 'No answer',
          },
        ],
      },
      '2026-03-01T10:00:00.000Z',
    );
    await page.reload();
    const state = page.getByRole('region', { name: 'Trunk state' });
    await state.waitFor();
    const text = (await state.textContent()) ?? '';
    expect(text).toContain('registered');
    expect(text).toContain('192.0.2.10:5070answers OPTIONS');
    expect(text).toContain('192.0.2.11:5060not answering: No answer');
    expect(pageErrors).toEqual([]);
  });
});
