import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID } from '../../src/emulator/demo-tenant.seed.js';
import { launchChromium, signedInPage } from './support/browser.js';
import { startDemoPortalServer, type DemoPortalServer } from './support/demo-portal-server.js';
import { ADMIN } from './support/portal-server.js';
import { screenshots } from './support/screenshots.js';

const eventually = <T>(read: () => T | Promise<T>, timeout = 15_000) =>
  expect.poll(read, { timeout, interval: 100 });

interface Run {
  id: string;
  state: string;
  dryRun: boolean;
  counters: Record<string, number>;
}
interface UserRow {
  id: string;
  email: string;
  displayName: string;
  sipUsername: string | null;
  hasSipPassword: boolean;
  syncError: string | null;
}

// An administrator's second day: licences, connecting Microsoft 365, syncing, fixing numbers, importing users.
describe('the portal with the Microsoft 365 emulator', () => {
  let server: DemoPortalServer;
  let browser: Browser;
  let page: Page;
  let accountId: string;
  let serviceId: string;
  const pageErrors: string[] = [];
  const url = (path: string) => `${server.baseUrl}/accounts/${accountId}${path}`;
  const servicePath = () => `/services/${serviceId}`;
  const runs = async () =>
    (
      await server.api<{ items: Run[] }>(
        'GET',
        `/api/v1/accounts/${accountId}/services/${serviceId}/sync/runs`,
      )
    ).items;
  const userNamed = async (name: string) =>
    (
      await server.api<{ items: UserRow[] }>(
        'GET',
        `/api/v1/accounts/${accountId}/users?search=${encodeURIComponent(name)}`,
      )
    ).items[0]!;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startDemoPortalServer(), launchChromium()]);
    const partner = await server.api<{ id: string }>('POST', '/api/v1/accounts', {
      name: 'Provider',
      kind: 'partner',
    });
    accountId = (
      await server.api<{ id: string }>('POST', '/api/v1/accounts', {
        name: 'Contoso',
        kind: 'client',
        parentId: partner.id,
      })
    ).id;
    serviceId = (
      await server.api<{ id: string }>('POST', `/api/v1/accounts/${accountId}/services`, {
        name: 'Head office PBX',
        sipDomain: 'pbx.contoso.example',
        country: 'GB',
      })
    ).id;
    await server.api('POST', `/api/v1/accounts/${accountId}/subscriptions`, {
      sku: 'pbx_user',
      quantity: 50,
      trial: true,
    });
    await server.api('POST', `/api/v1/accounts/${accountId}/subscriptions`, {
      sku: 'phone_app_user',
      quantity: 10,
    });
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the licences held, with the trial end date', async () => {
    await page.goto(url('/licences'));
    await page.getByRole('heading', { name: 'Licences' }).waitFor();
    const rows = page.locator('tbody tr');
    await eventually(() => rows.count()).toBe(2);
    const pbx = rows.filter({ hasText: 'PBX user' });
    expect(await pbx.locator('td[data-label="Quantity"]').textContent()).toBe('50');
    expect(await pbx.locator('td[data-label="Trial"]').textContent()).toMatch(
      /trial ends .+ \(30 days left\)/,
    );
    expect(
      await rows.filter({ hasText: 'Phone App user' }).locator('td[data-label="Trial"]').textContent(),
    ).toBe('no');
    const summary = page.getByRole('article', { name: /PBX user/ });
    expect(await summary.locator('[data-count="held"]').textContent()).toBe('50');
    expect(await summary.locator('[data-count="free"]').textContent()).toBe('50');
    await screenshots(page, '11-licences');
  });

  it('connects the demo tenant by administrator consent: a window to Microsoft and back', async () => {
    await page.getByRole('link', { name: 'Microsoft 365' }).click();
    await page.getByRole('heading', { name: 'Microsoft 365 tenant' }).waitFor();
    expect(await page.locator('#consent-heading .badge').textContent()).toBe('Not connected');
    await screenshots(page, '12-tenant-not-connected');

    await page.getByLabel('Cloud').selectOption('custom');
    await page.getByLabel('Tenant (optional)').fill(DEMO_TENANT_ID);
    await page.getByLabel('App secret').fill(DEMO_CLIENT_SECRET);
    await page.getByLabel('Sign-in (authority) host').fill(server.emulator.url);
    await page.getByLabel('Graph base URL').fill(server.emulator.url);
    await page.getByLabel('Teams admin base URL').fill(server.emulator.teamsAdminUrl);
    // No app id: the API refuses, and the message sits under the field, which gets focus.
    const refusedWindow = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Connect' }).click();
    const refused = await refusedWindow;
    await eventually(() => refused.isClosed()).toBe(true);
    const clientId = page.getByLabel('App (client) id');
    const clientIdError = page.locator('.field', { has: clientId }).locator('.field-error');
    await eventually(() => clientIdError.count()).toBe(1);
    expect(await clientId.evaluate((el) => el === document.activeElement)).toBe(true);

    await clientId.fill(DEMO_CLIENT_ID);
    const consentWindow = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Connect' }).click();
    const popup = await consentWindow;
    // Consent given, Microsoft asks who signs in: the tenant's Global Administrator (that proves the consent).
    await popup.getByRole('link', { name: /Megan Bowen/ }).click();
    await eventually(() => popup.isClosed()).toBe(true);
    await eventually(() => page.locator('#consent-heading .badge').textContent()).toBe('Connected');
    expect(await page.getByRole('status').allTextContents()).toContainEqual(
      expect.stringContaining('Consent granted: the tenant is connected'),
    );
    const connection = await server.api<Record<string, unknown>>(
      'GET',
      `/api/v1/accounts/${accountId}/tenant-connection`,
    );
    expect(connection).toMatchObject({
      consentState: 'granted',
      tenantId: DEMO_TENANT_ID,
      hasClientSecret: true,
    });
    expect(await page.content()).not.toContain(DEMO_CLIENT_SECRET);
    await screenshots(page, '13-tenant-connected');
  });

  it('shows a dry run’s plan, applies it, and lists the sync in the history with its counters and log', async () => {
    await page.goto(url(servicePath()));
    await page.getByRole('link', { name: 'Sync', exact: true }).click();
    const status = page.locator('.sync-status');
    await eventually(() => status.getAttribute('data-status')).toBe('never_synced');
    await screenshots(page, '14-sync-never');

    const dryRunButton = page.getByRole('button', { name: 'Dry run…' });
    await dryRunButton.click();
    const dialog = page.getByRole('dialog', { name: 'Dry run: what a sync will change' });
    await dialog.getByText('Dry run finished').waitFor();
    const added = dialog.getByRole('region', { name: 'Added' });
    expect(Number(await added.locator('h3 .badge').textContent())).toBeGreaterThan(30);
    expect(await added.textContent()).toContain('Adele Vance');
    expect(
      await dialog.locator('.counter', { hasText: 'excluded (Calling Plan)' }).locator('dd').textContent(),
    ).toBe('2');
    expect((await server.api<{ total: number }>('GET', `/api/v1/accounts/${accountId}/users`)).total).toBe(0);
    await screenshots(page, '15-dry-run');
    // Escape closes the dialog and gives focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await eventually(() => dialog.count()).toBe(0);
    expect(await dryRunButton.evaluate((el) => el === document.activeElement)).toBe(true);

    await dryRunButton.click();
    await dialog.getByText('Dry run finished').waitFor();
    await dialog.getByRole('button', { name: 'Apply: sync now' }).click();
    await eventually(() => dialog.count()).toBe(0);
    await eventually(() => status.getAttribute('data-status')).toMatch(/up_to_date|warning/);
    const sync = (await runs()).find((r) => !r.dryRun)!;
    expect(sync.counters.added).toBeGreaterThan(30);

    const history = page.locator('.history-table tbody tr');
    await eventually(() => history.count()).toBe(3);
    const newest = history.first();
    expect(await newest.locator('td[data-label="Started by"]').textContent()).toContain(ADMIN.email);
    expect(await newest.locator('td[data-label="Started by"]').textContent()).not.toContain('dry run');
    const counters = newest.locator('.counter');
    expect(await counters.allTextContents()).toEqual(
      expect.arrayContaining([`total${sync.counters.total}`, `added${sync.counters.added}`, 'conflicts0']),
    );
    expect(await history.nth(1).textContent()).toContain('dry run');
    await screenshots(page, '16-sync-history');

    await newest.getByRole('button', { name: /^Log/ }).click();
    const log = page.getByRole('dialog', { name: /^Sync of / });
    await eventually(() => log.locator('.run-log').textContent()).toContain('enabled users: total=');
    await screenshots(page, '17-sync-log');
    await log.getByRole('button', { name: 'Close' }).click();
    await eventually(() => log.count()).toBe(0);
  });

  it('writes a number set in the portal, and shows Microsoft’s refusal on the user', async () => {
    const debra = await userNamed('Debra Berger');
    await page.goto(url(`/users/${debra.id}`));
    const number = page.getByLabel('Number', { exact: true });
    await number.fill('020 7946 0119');
    await page.getByRole('button', { name: 'Save' }).click();
    const numberField = page.locator('.field', { has: number });
    await eventually(() => numberField.locator('.field-error').textContent()).toMatch(
      /^The telephone number provided is not valid/,
    );
    await numberField.getByRole('button', { name: 'Use this' }).click();
    expect(await number.inputValue()).toBe('+442079460119');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();

    await page.goto(url(`${servicePath()}/sync`));
    const status = page.locator('.sync-status');
    await eventually(() => status.getAttribute('data-status')).toBe('changes_queued');
    expect(await page.locator('.sync-text').textContent()).toContain('One user’s number was changed');
    await page.getByLabel('Diagnostic sync').check();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await eventually(async () => (await runs())[0]!.state).toBe('warning');
    expect((await runs())[0]!.counters).toMatchObject({ errors: 1, written: 0 });
    // Microsoft refused the number: the warning outranks the change still queued, and the text says both.
    await eventually(() => page.locator('.sync-text').textContent()).toContain('finished with problems');
    expect(await status.getAttribute('data-status')).toBe('warning');
    expect(await page.locator('.sync-text').textContent()).toContain(
      'One user’s number is still to be written to the tenant.',
    );
    expect(await page.locator('.history-table tbody tr').first().textContent()).toContain('diagnostic');
    expect((await userNamed('Debra Berger')).syncError).toMatch(/lacks appropriate licenses/);

    await page.getByRole('link', { name: 'Users' }).first().click();
    await page.getByLabel('Search').fill('Debra');
    await eventually(() => page.locator('.pager-status').textContent()).toBe('1–1 of 1');
    const row = page.locator('tbody tr', { hasText: 'Debra Berger' });
    await eventually(() => row.getByTestId('sync-error').textContent()).toContain(
      "lacks appropriate licenses to assign a 'DirectRouting' number",
    );
    expect(await row.locator('.warnings').textContent()).toContain('Sync problem');
    await screenshots(page, '18-users-sync-error');
  });

  it('imports a CSV: a dry run reports the bad row with its fix, the corrected file is applied all at once', async () => {
    const adele = await userNamed('Adele Vance');
    const alex = await userNamed('Alex Wilber');
    const csv = (secondEmail: string) =>
      Buffer.from(
        [
          'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
          `301,Adele Vance,${adele.email},,,pw-301-secret,E301`,
          `302,Alex Wilber,${secondEmail},442079460302,,pw-302-secret,E302`,
        ].join('\r\n') + '\r\n',
      );
    await page.goto(url(`${servicePath()}/import`));
    await page.getByRole('heading', { name: 'Import users from CSV' }).waitFor();
    await page.getByRole('button', { name: 'Check the file' }).click();
    await eventually(() => page.locator('.field-error').textContent()).toBe('Choose the CSV file to import.');

    const fileInput = page.getByLabel('CSV file');
    await fileInput.setInputFiles({
      name: 'users.csv',
      mimeType: 'text/csv',
      buffer: csv('nobody@contoso.example'),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    const report = page.locator('.import-table tbody tr');
    await eventually(() => report.count()).toBeGreaterThan(0);
    const emailRow = report
      .filter({ hasText: 'Error' })
      .filter({ has: page.locator('td[data-label="Column"]', { hasText: 'Email' }) });
    expect(await emailRow.locator('td[data-label="Row"]').textContent()).toBe('3');
    expect(await emailRow.locator('td[data-label="Fix"]').textContent()).not.toBe('—');
    expect(await page.getByRole('button', { name: /^Apply/ }).count()).toBe(0);
    expect((await userNamed('Adele Vance')).sipUsername).toBeNull();
    await screenshots(page, '19-import-report');

    await fileInput.setInputFiles({ name: 'users-fixed.csv', mimeType: 'text/csv', buffer: csv(alex.email) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText('The file can be imported.').waitFor();
    await page.getByRole('button', { name: 'Apply: import 2 rows' }).click();
    await page.getByText('Imported: 0 created, 2 updated').waitFor();
    expect(await userNamed('Adele Vance')).toMatchObject({ sipUsername: '301', hasSipPassword: true });
    expect(await userNamed('Alex Wilber')).toMatchObject({ sipUsername: '302' });
    await screenshots(page, '20-import-applied');
  });

  it('exports the service’s users and offers the CSV template', async () => {
    const exported = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download users (CSV)' }).click();
    const file = await exported;
    expect(file.suggestedFilename()).toBe(`users-${serviceId}.csv`);
    const text = readFileSync(await file.path(), 'utf8');
    expect(text.split(/\r?\n/)[0]).toContain('SIPUsername');
    expect(text).toMatch(/301,Adele Vance,/);
    expect(text).not.toContain('pw-301-secret');

    const template = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download the PBX template' }).click();
    const templateFile = await template;
    expect(templateFile.suggestedFilename()).toBe('callbridge-pbx-template.csv');
    expect(readFileSync(await templateFile.path(), 'utf8').split('\r\n')[0]).toBe(
      'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
    );
  });

  it('rolls the import back from the import history: the plan per user first, then the restore', async () => {
    await page.goto(url(`${servicePath()}/import`));
    const history = page.locator('section', { has: page.getByRole('heading', { name: 'Import history' }) });
    await eventually(() => history.locator('tbody tr').count()).toBe(1);
    await history.getByRole('button', { name: /^Roll back/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Roll back the import of/ });
    await dialog.getByText('Plan: nothing was changed yet.').waitFor();
    const adele = dialog.locator('tbody tr', { hasText: (await userNamed('Adele Vance')).email });
    expect(await adele.locator('td[data-label="Action"]').textContent()).toBe('restore');
    expect(await adele.locator('td[data-label="Portal"]').textContent()).toContain(
      'sipUsername: 301 → (none)',
    );
    expect((await userNamed('Adele Vance')).sipUsername).toBe('301');
    await screenshots(page, '21-import-rollback-plan');
    await dialog.getByRole('button', { name: 'Roll back 2 user(s)' }).click();
    await dialog.getByText(/^Rolled back/).waitFor();
    expect(await userNamed('Adele Vance')).toMatchObject({ sipUsername: null });
    expect(await userNamed('Alex Wilber')).toMatchObject({ sipUsername: null });
  });

  it('offers Roll back on applied syncs in the history, opening the plan of what it would restore', async () => {
    await page.goto(url(`${servicePath()}/sync`));
    const history = page.locator('section', { has: page.getByRole('heading', { name: 'Sync history' }) });
    const applied = (await runs()).filter(
      (r) => !r.dryRun && (r.state === 'succeeded' || r.state === 'warning'),
    );
    await eventually(() => history.getByRole('button', { name: /^Roll back/ }).count()).toBe(applied.length);
    await history
      .getByRole('button', { name: /^Roll back/ })
      .last()
      .click();
    const dialog = page.getByRole('dialog', { name: /^Roll back the sync of/ });
    await dialog.getByText('Plan: nothing was changed yet.').waitFor();
    // The first sync only added users: it changed no number, so there is nothing to restore.
    expect(await dialog.getByText(/^0 to restore/).count()).toBe(1);
    expect(await dialog.getByRole('button', { name: /^Roll back \d/ }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('ran without a script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
