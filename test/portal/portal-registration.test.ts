import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';
import { DESKTOP } from './support/screenshots.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });
const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/**
 * Issue 22 in the portal: a failed registration says whether another attempt comes, offers "Retry now" (the user
 * shows pending and the SIP role is asked through the database), and a user can be deleted (after a confirmation).
 */
describe('the portal: a failed registration, Retry now and Delete user', () => {
  let server: PortalServer;
  let browser: Browser;
  let page: Page;
  let accountId: string;
  let userId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startPortalServer(), launchChromium()]);
    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const { services, store } = server.ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    accountId = (
      await services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).id;
    await services.subscriptions.create(system, accountId, { sku: 'pbx_user', quantity: 5 });
    const service = await services.voiceServices.create(system, accountId, {
      name: 'PBX',
      sipDomain: 'pbx.example',
    });
    userId = (
      await services.users.create(system, accountId, {
        serviceId: service.id,
        email: 'bo@contoso.example',
        displayName: 'Bo Example',
        sipUsername: '301',
        sipPassword: 'wrong at the PBX',
      })
    ).id;
    // As the SIP role reports a wrong password.
    await store.repos.users.recordRegistrationState(userId, 'failed', {
      statusCode: 401,
      reason: 'Unauthorized',
      final: true,
    });
    await page.goto(server.baseUrl);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a final failure with no next attempt, and Retry now makes it pending', async () => {
    await page.goto(`${server.baseUrl}/accounts/${accountId}/users/${userId}`);
    await page.getByRole('heading', { name: 'Bo Example' }).waitFor();
    const card = page.locator('section.card', {
      has: page.getByRole('heading', { name: 'Registration', exact: true }),
    });
    expect(await card.getByRole('img').getAttribute('aria-label')).toMatch(/^Registration failed: /);
    expect(await card.locator('dd').allTextContents()).toEqual(
      expect.arrayContaining(['401', 'Unauthorized', 'None: fix the settings or the PBX, then retry now']),
    );
    await card.getByRole('button', { name: 'Retry now' }).click();
    await eventually(() => card.getByRole('img').getAttribute('aria-label')).toMatch(
      /^Registration pending: /,
    );
    expect(await card.getByRole('button', { name: 'Retry now' }).count()).toBe(0);
    const row = (await server.ctx.store.repos.users.listRegistrationsForSystem()).find(
      (u) => u.id === userId,
    );
    expect(row?.retryRequestedAt).toEqual(expect.any(String));
  });

  it('deletes the user after a confirmation and goes back to the list', async () => {
    const dialogs: string[] = [];
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Delete user' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe(`/accounts/${accountId}/users`);
    expect(dialogs).toEqual(['Delete Bo Example? They are unregistered from the PBX at once.']);
    expect(await server.ctx.store.repos.users.findById(accountId, userId)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
