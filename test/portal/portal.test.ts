import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';
import { DESKTOP, screenshots } from './support/screenshots.js';

/** Polls until the expectation holds; generous, since two busy cores can slow a debounced search. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });

interface Account {
  id: string;
  name: string;
  parentId: string | null;
}

// One server, one browser, one signed-in page; the steps build on each other like an administrator's first day.
describe('the portal in Chromium', () => {
  let server: PortalServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let client: Account;
  let userUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startPortalServer(), launchChromium()]);
    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the portal at / and any portal path, with a strict content security policy', async () => {
    const response = await fetch(`${server.baseUrl}/accounts/00000000-0000-0000-0000-000000000000/users`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('<div id="root">');
    const api = await fetch(`${server.baseUrl}/api/v1/nothing-here`);
    expect(api.headers.get('content-type')).toContain('application/json');
  });

  it('refuses a wrong password, then signs in', async () => {
    await page.goto(server.baseUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshots(page, '01-sign-in');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain(
      'The email or password is not right',
    );
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'cb_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
  });

  it('creates a partner and a client account, and switches between accounts in the header', async () => {
    await page.getByLabel('Partner name').fill('Northwind Partners');
    await page.getByRole('button', { name: 'Add partner' }).click();
    await page.getByRole('heading', { name: 'Northwind Partners' }).waitFor();
    const partnerId = new URL(page.url()).pathname.split('/').pop()!;
    await server.api('POST', '/api/v1/accounts', { name: 'Fabrikam', kind: 'client', parentId: partnerId });
    await page.getByLabel('Client name').fill('Contoso');
    await page.getByRole('button', { name: 'Add client' }).click();
    await page.getByRole('heading', { name: 'Contoso' }).waitFor();
    const accounts = await server.api<{ items: Account[] }>('GET', '/api/v1/accounts');
    client = accounts.items.find((a) => a.name === 'Contoso')!;
    expect(client.parentId).toBe(partnerId);
    // The partner gives its new client licences for the users the tests configure.
    await server.api('POST', `/api/v1/accounts/${client.id}/subscriptions`, {
      sku: 'pbx_user',
      quantity: 500,
    });

    // The switcher in the header: a button that opens a searchable list of partners and their clients.
    const openSwitcher = async () => {
      await page.locator('.switcher-button').click();
      return page.getByRole('region', { name: 'Switch account' });
    };
    await (await openSwitcher()).getByRole('link', { name: 'Northwind Partners' }).click();
    await page.getByRole('heading', { name: 'Northwind Partners' }).waitFor();
    const clientLinks = page.getByRole('region', { name: 'Client accounts' }).getByRole('link');
    expect(await clientLinks.allTextContents()).toEqual(['Contoso', 'Fabrikam']);
    await screenshots(page, '03-partner-account');
    await page.goto(`${server.baseUrl}/accounts/${partnerId}/users`);
    const menu = await openSwitcher();
    await menu.getByLabel('Find an account').fill('fabri');
    expect(await menu.getByRole('link').allTextContents()).toEqual([
      'All accounts',
      expect.stringContaining('Northwind Partners'),
      'Fabrikam',
    ]);
    await page.screenshot({ path: 'test-output/screenshots/03b-switcher-desktop.png' });
    await menu.getByLabel('Find an account').fill('cont');
    await menu.getByRole('link', { name: 'Contoso' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/accounts/${client.id}/users`);
    expect(await page.locator('.switcher-current').textContent()).toBe('Contoso');
    await page.keyboard.press('Escape');
    await (await openSwitcher()).getByLabel('Find an account').press('Escape');
    expect(await page.getByRole('region', { name: 'Switch account' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Callbridge' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await screenshots(page, '02-accounts');
  });

  it('adds a PBX service from the 3CX template and shows field errors at the field', async () => {
    await page.goto(`${server.baseUrl}/accounts/${client.id}/services/new`);
    await page.getByRole('heading', { name: 'Add a PBX service' }).waitFor();
    const template = page.getByLabel('PBX template');
    expect(await template.locator('option').allTextContents()).toEqual(
      expect.arrayContaining(['3CX', 'FreePBX / Asterisk', 'Cisco CUCM', 'Avaya', 'Mitel', 'Custom']),
    );
    await page.getByLabel('Name').fill('Head office PBX');
    await template.selectOption({ label: 'Cisco CUCM' });
    expect(await page.getByLabel('Transport').inputValue()).toBe('tcp');
    await page.getByLabel('SIP domain').fill('not a host name');
    await page.getByLabel('Country (optional)').fill('gb');
    await page.getByRole('button', { name: 'Add service' }).click();
    const domainError = page
      .locator('.field', { has: page.getByLabel('SIP domain') })
      .locator('.field-error');
    await eventually(() => domainError.textContent()).toContain('must be a host name');
    await screenshots(page, '04-service-error');
    await page.getByLabel('SIP domain').fill('pbx.contoso.example');
    await page.getByRole('button', { name: 'Add service' }).click();
    await page.getByRole('heading', { name: 'Head office PBX' }).waitFor();
    await page.getByText('Microsoft Teams').waitFor();
    const services = await server.api<{ items: { pbxType: string; transport: string; country: string }[] }>(
      'GET',
      `/api/v1/accounts/${client.id}/services`,
    );
    expect(services.items).toEqual([
      expect.objectContaining({ pbxType: 'cisco-cucm', transport: 'tcp', country: 'GB' }),
    ]);
    await screenshots(page, '05-service-settings');
    await page.getByRole('link', { name: 'Services' }).first().click();
    await page.getByRole('link', { name: 'Head office PBX' }).waitFor();
    await screenshots(page, '06-services');
  });

  it('adds a user, shows the E.164 error with the suggested number, and uses it in one click', async () => {
    await page.goto(`${server.baseUrl}/accounts/${client.id}/users/new`);
    await page.getByRole('heading', { name: 'Add a user' }).waitFor();
    await page.getByLabel('Email').fill('anna@contoso.example');
    await page.getByLabel('Display name').fill('Anna Example');
    await page.getByLabel('SIP username').fill('201');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('heading', { name: 'Anna Example' }).waitFor();
    userUrl = page.url();

    const number = page.getByLabel('Number', { exact: true });
    await number.fill('01235 123465');
    await page.getByRole('button', { name: 'Save' }).click();
    const numberField = page.locator('.field', { has: number });
    await eventually(() => numberField.locator('.field-error').textContent()).toMatch(
      /^The telephone number provided is not valid/,
    );
    expect(await number.getAttribute('aria-invalid')).toBe('true');
    expect(await number.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await numberField.locator('.suggestion').textContent()).toContain('+441235123465');
    await screenshots(page, '07-user-number-error');
    await numberField.getByRole('button', { name: 'Use this' }).click();
    expect(await number.inputValue()).toBe('+441235123465');
    expect(await numberField.locator('.field-error').count()).toBe(0);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await page.locator('dd.mono').textContent()).toBe('tel:+441235123465');
  });

  it('takes a SIP password without ever showing it back', async () => {
    const secret = 'pbx-secret-201-xyz';
    expect(await page.getByTestId('password-state').textContent()).toBe('not set');
    await page.getByLabel('Password', { exact: true }).fill(secret);
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.getByTestId('password-state').textContent()).toBe('set');
    const replace = page.getByLabel('New password (replaces the stored one)');
    expect(await replace.inputValue()).toBe('');
    expect(await replace.getAttribute('type')).toBe('password');
    await page.reload();
    await page.getByTestId('password-state').waitFor();
    expect(await page.getByTestId('password-state').textContent()).toBe('set');
    expect(await page.content()).not.toContain(secret);
    const userId = userUrl.split('/').pop()!;
    const user = await server.api<Record<string, unknown>>(
      'GET',
      `/api/v1/accounts/${client.id}/users/${userId}`,
    );
    expect(user).toMatchObject({ hasSipPassword: true, registrationState: 'pending' });
    expect(JSON.stringify(user)).not.toContain(secret);
    await screenshots(page, '08-user');
  });

  it('pages, searches, filters and sorts 251 users on the server', async () => {
    const services = await server.api<{ items: { id: string }[] }>(
      'GET',
      `/api/v1/accounts/${client.id}/services`,
    );
    const serviceId = services.items[0]!.id;
    for (let i = 1; i <= 250; i++) {
      const n = String(i).padStart(3, '0');
      await server.api('POST', `/api/v1/accounts/${client.id}/users`, {
        serviceId,
        email: `person${n}@contoso.example`,
        displayName: `Person ${n}`,
        phoneNumber: `+44123512${String(1000 + i)}`,
        sipUsername: `ext${n}`,
        ...(i % 2 === 0 && { sipPassword: `secret-${n}` }),
      });
    }
    await page.getByRole('link', { name: 'Users' }).first().click();
    const status = page.locator('.pager-status');
    await eventually(() => status.textContent()).toBe('1–50 of 251');
    const names = () => page.locator('td.col-name').allTextContents();
    expect((await names())[0]).toBe('Anna Example');
    expect(await page.locator('tbody tr').first().getByRole('img', { name: 'Standard user' }).count()).toBe(
      1,
    );
    await screenshots(page, '09-users');

    await page.getByRole('button', { name: 'Next' }).first().click();
    await eventually(() => status.textContent()).toBe('51–100 of 251');
    expect((await names())[0]).toBe('Person 050');
    await page.getByLabel('Per page').selectOption('100');
    await eventually(() => status.textContent()).toBe('1–100 of 251');

    await page.getByLabel('Search').fill('ext123');
    await eventually(() => names()).toEqual(['Person 123']);
    expect(await status.textContent()).toBe('1–1 of 1');
    expect(new URL(page.url()).searchParams.get('q')).toBe('ext123');
    await page.getByLabel('Search').fill('+441235121007');
    await eventually(() => names()).toEqual(['Person 007']);
    await page.getByLabel('Search').fill('');

    await page.getByLabel('Registration', { exact: true }).selectOption({ label: 'Disabled' });
    await eventually(() => status.textContent()).toBe('1–100 of 125');
    const disabled = await server.api<{ total: number }>(
      'GET',
      `/api/v1/accounts/${client.id}/users?registrationState=disabled&limit=1`,
    );
    expect(disabled.total).toBe(125);
    const firstDot = page.locator('tbody .reg').first();
    expect(await firstDot.getAttribute('aria-label')).toMatch(/^Registration disabled: /);
    await firstDot.focus();
    expect(await firstDot.locator('.tooltip').isVisible()).toBe(true);
    await page.getByLabel('Registration', { exact: true }).selectOption({ label: 'All states' });

    await page.getByRole('button', { name: 'Email: sort ascending' }).click();
    await page.getByRole('button', { name: 'Email: sort descending' }).click();
    await eventually(async () => (await names())[0]).toBe('Person 250');
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Email');
    await screenshots(page, '10-users-sorted');
  });

  it('can be used with the keyboard alone: every control is reachable and shows its focus', async () => {
    await page.goto(`${server.baseUrl}/accounts/${client.id}/users`);
    await page.locator('.pager-status').waitFor();
    // The page's heading has focus on arrival: Tab goes on into the page, Shift+Tab back to the header.
    const forward = await tabThrough(page, 'Tab', 30);
    expect(forward).toEqual(
      expect.arrayContaining([
        'Add a user',
        'Search',
        'Kind',
        'Name: sort descending',
        'Anna Example',
        'Next',
      ]),
    );
    await page.reload();
    await page.locator('.pager-status').waitFor();
    // Back through the sections (Calls, and Teams edge for operators among them), Sign out, Change password and the
    // switcher to the product name.
    const backward = await tabThrough(page, 'Shift+Tab', 14);
    expect(backward).toEqual(
      expect.arrayContaining([
        'Users',
        'Services',
        'Overview',
        'Account Contoso: switch account',
        'Callbridge',
      ]),
    );
  });

  it('signs out: the session ends on the server and the sign-in page comes back', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const session = await page.evaluate(async () => (await fetch('/api/session')).status);
    expect(session).toBe(401);
    await page.goto(`${server.baseUrl}/accounts/${client.id}/users`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('table').count()).toBe(0);
  });

  it('ran without a script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

/** Presses the key n times; returns the names of the elements focused, failing if one shows no focus outline. */
async function tabThrough(page: Page, key: 'Tab' | 'Shift+Tab', n: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    await page.keyboard.press(key);
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const label = (el as HTMLInputElement).labels?.[0]?.textContent;
      const name = el.getAttribute('aria-label') ?? label ?? el.textContent ?? '';
      return { name: name.trim(), outline: getComputedStyle(el).outlineStyle };
    });
    if (!focused) continue;
    expect(focused.outline, `focus outline of ${focused.name}`).not.toBe('none');
    names.push(focused.name);
  }
  return names;
}
