import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';
import { DESKTOP, screenshots } from './support/screenshots.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;
const eventually = <T>(read: () => T | Promise<T>, timeout = 15_000) =>
  expect.poll(read, { timeout, interval: 100 });

const OWNER = { email: 'owner@contoso.test', password: 'the owner’s own password' };
const NEWCOMER = { email: 'new.admin@provider.test', password: 'chosen by the operator' };

/**
 * Issue 14 in the portal: a password someone else chose is replaced before anything else, and a suspended
 * account shows a banner and no actions, until it is reactivated.
 */
describe('the portal: forced password change and suspension', () => {
  let server: PortalServer;
  let browser: Browser;
  let partnerId: string;
  let accountId: string;
  let serviceId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startPortalServer(), launchChromium()]);
    partnerId = (
      await server.api<{ id: string }>('POST', '/api/v1/accounts', { name: 'Provider', kind: 'partner' })
    ).id;
    accountId = (
      await server.api<{ id: string }>('POST', '/api/v1/accounts', {
        name: 'Contoso',
        kind: 'client',
        parentId: partnerId,
      })
    ).id;
    serviceId = (
      await server.api<{ id: string }>('POST', `/api/v1/accounts/${accountId}/services`, {
        name: 'PBX',
        sipDomain: 'pbx.contoso.example',
        country: 'GB',
      })
    ).id;
    await server.ctx.services.accounts.setBrand(system, partnerId, { supportEmail: 'help@provider.test' });
    await server.ctx.services.administrators.create(system, { ...OWNER, mustChangePassword: false });
    await server.ctx.services.administrators.grantRole(system, accountId, OWNER.email, 'account_owner');
    await server.ctx.services.administrators.create(system, NEWCOMER);
    await server.ctx.services.administrators.grantRole(system, accountId, NEWCOMER.email, 'service_viewer');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for a new password at the first sign-in with one the operator chose, and nothing else until then', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page: Page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.baseUrl);
    await page.getByLabel('Email').fill(NEWCOMER.email);
    await page.getByLabel('Password').fill(NEWCOMER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Account sections' }).count()).toBe(0);
    await screenshots(page, '40-forced-password-change');

    await page.getByLabel('Current password').fill(NEWCOMER.password);
    await page.getByLabel('New password', { exact: true }).fill('too short');
    await page.getByLabel('New password again').fill('too short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await eventually(() => page.locator('.field-error').first().textContent()).toContain('12 characters');
    await page.getByLabel('New password', { exact: true }).fill('my own long password');
    await page.getByLabel('New password again').fill('my own long passwort');
    await page.getByRole('button', { name: 'Change password' }).click();
    await eventually(() => page.locator('.field-error').first().textContent()).toContain('does not match');
    await page.getByLabel('New password again').fill('my own long password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
    await context.close();

    const signedIn = await server.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: NEWCOMER.email, password: 'my own long password' },
    });
    expect(signedIn.json()).toMatchObject({ mustChangePassword: false });
  });

  it('shows a suspended account read-only with a banner saying whom to contact, and gives the actions back on reactivation', async () => {
    await server.api('PATCH', `/api/v1/accounts/${accountId}`, { status: 'suspended' });
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.baseUrl);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
    await page.goto(`${server.baseUrl}/accounts/${accountId}/users`);
    const banner = page.locator('.suspension-banner');
    await eventually(() => banner.textContent()).toContain('This account is suspended');
    expect(await banner.textContent()).toContain('Contact Provider (help@provider.test)');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Add a user' }).count()).toBe(0);
    await screenshots(page, '41-suspended-account');
    await page.goto(`${server.baseUrl}/accounts/${accountId}/services`);
    await eventually(() => banner.isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Add a PBX service' }).count()).toBe(0);
    await page.goto(`${server.baseUrl}/accounts/${accountId}/services/${serviceId}/sync`);
    await eventually(() => banner.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: /Sync now/i }).count()).toBe(0);

    // The partner's side (here the platform operator) still has the account's Status, to reactivate it.
    const operator = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
    await operator.goto(`${server.baseUrl}/accounts/${accountId}`);
    await eventually(() => operator.locator('.suspension-banner').isVisible()).toBe(true);
    const settings = operator.getByRole('form', { name: 'Account settings' });
    await settings.getByLabel('Status').selectOption('active');
    await settings.getByRole('button', { name: 'Save' }).click();
    await eventually(() => operator.locator('.suspension-banner').count()).toBe(0);
    await operator.context().close();

    await page.goto(`${server.baseUrl}/accounts/${accountId}/users`);
    await page.getByRole('link', { name: 'Add a user' }).waitFor();
    expect(await banner.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
