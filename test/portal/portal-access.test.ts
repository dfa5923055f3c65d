import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_PROVISIONED } from '../../src/domain/phone-app.js';
import { demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import { demoTenantAccount } from '../support/demo-tenant-account.js';
import { launchChromium, signedInPage } from './support/browser.js';
import { startDemoPortalServer, type DemoPortalServer } from './support/demo-portal-server.js';
import { ADMIN } from './support/portal-server.js';
import { DESKTOP, screenshots } from './support/screenshots.js';

const eventually = <T>(read: () => T | Promise<T>, timeout = 15_000) =>
  expect.poll(read, { timeout, interval: 100 });

const DAY = 86_400_000;
const INVITED = { email: 'megan.bowen@contoso.example', password: 'a long enough password 42' };

interface Finding {
  check: string;
  user: string | null;
  message: string;
  fix: string[];
}
interface Run {
  state: string;
  dryRun: boolean;
}

/** The demo tenant's UPN of demo user n (27 and 28 are Phone App candidates left in Islands mode). */
function demoUpn(n: number): string {
  const user = (demoSeed().tenants ?? []).flatMap((t) => t.users ?? []).find((u) => u.id === demoUserId(n));
  return user!.userPrincipalName;
}

// A customer's administration: licences, the Phone App on the Teams services tab, administrators and the audit log.
describe('the portal: licences, Phone App, administrators and audit', () => {
  let server: DemoPortalServer;
  let browser: Browser;
  let page: Page;
  let accountId: string;
  let serviceId: string;
  let invitationLink: string;
  const pageErrors: string[] = [];
  const url = (path: string) => `${server.baseUrl}/accounts/${accountId}${path}`;
  const teamsUrl = () => url(`/services/${serviceId}/teams`);
  const phoneApp = () =>
    server.api<{ step: string; consent: string; enabled: boolean; phoneAppUsers: number }>(
      'GET',
      `/api/v1/accounts/${accountId}/services/${serviceId}/phone-app`,
    );

  beforeAll(async () => {
    [server, browser] = await Promise.all([startDemoPortalServer(), launchChromium()]);
    const { account, service } = await demoTenantAccount(server.ctx, server.emulator);
    accountId = account.id;
    serviceId = service.id;
    // A PBX trial that ended three days ago: held for 14 days more, with a warning.
    const trial = await server.api<{ id: string }>('POST', `/api/v1/accounts/${accountId}/subscriptions`, {
      sku: 'pbx_user',
      quantity: 20,
      trial: true,
    });
    await server.ctx.store.handle.db
      .updateTable('subscriptions')
      .set({ trial_ends_at: new Date(Date.now() - 3 * DAY).toISOString() })
      .where('id', '=', trial.id)
      .execute();
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows held, used and free per licence, and the trial’s warning first', async () => {
    await page.goto(url('/licences'));
    const card = page.getByRole('article', { name: /PBX user/ });
    await card.waitFor();
    expect(await card.locator('[data-count="held"]').textContent()).toBe('20');
    expect(await card.locator('[data-count="used"]').textContent()).toBe('0');
    expect(await card.locator('[data-count="free"]').textContent()).toBe('20');
    expect(await card.locator('.badge').textContent()).toBe('trial ended');
    expect(await card.textContent()).toContain('Service stops');
    const warning = page.locator('.licence-warnings');
    expect(await warning.getAttribute('role')).toBe('alert');
    expect(await warning.textContent()).toMatch(
      /PBX user: The PBX user trial ended on \d{4}-\d\d-\d\d; the service stops for its users on/,
    );
    // The subscription behind it is still listed beneath.
    expect(await page.locator('tbody tr').count()).toBe(1);
    await screenshots(page, '21-licences-summary');
  });

  it('says the Phone App is not provisioned where the account holds no Phone App licences, with no switch', async () => {
    await page.goto(teamsUrl());
    const step = page.locator('.phone-app-step');
    await eventually(() => step.textContent()).toBe(NOT_PROVISIONED);
    expect(await page.getByRole('switch', { name: 'Enable Phone App' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run checks' }).count()).toBe(0);
    // Large Tenant Mode is there for every service; a bad group id is refused at its field.
    await page.getByRole('switch', { name: 'Large Tenant Mode' }).check();
    const groups = page.getByLabel('Standard users’ group ids');
    await groups.fill('not-a-group');
    await page.getByRole('button', { name: 'Save' }).click();
    const groupsField = page.locator('.field', { has: groups });
    await eventually(() => groupsField.locator('.field-error').textContent()).toContain(
      'must be an Entra ID group id',
    );
    expect(await groups.evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshots(page, '22-teams-not-provisioned');
    await page.getByRole('switch', { name: 'Large Tenant Mode' }).uncheck();
    await groups.fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved. The next sync reads all users.').waitFor();
  });

  it('enables the Phone App, authorizes it in a consent window, and says to run Sync', async () => {
    await server.api('POST', `/api/v1/accounts/${accountId}/subscriptions`, {
      sku: 'phone_app_user',
      quantity: 10,
    });
    await page.goto(teamsUrl());
    const toggle = page.getByRole('switch', { name: 'Enable Phone App' });
    await toggle.check();
    await page.locator('.phone-app-enable').getByRole('button', { name: 'Save' }).click();
    const step = page.locator('.phone-app-step');
    await eventually(() => step.getAttribute('data-step')).toBe('authorize');
    expect(await step.textContent()).toContain('Authorize Phone App for my Organization');
    expect(await phoneApp()).toMatchObject({ enabled: true, consent: 'not_requested', step: 'authorize' });

    const consentWindow = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Authorize Phone App for my Organization' }).click();
    const popup = await consentWindow;
    // Microsoft asks who signs in: the tenant's Global Administrator, whose ID token proves the consent.
    await popup.getByRole('link', { name: /Megan Bowen/ }).click();
    await eventually(() => popup.isClosed()).toBe(true);
    await eventually(() => step.getAttribute('data-step')).toBe('sync');
    expect(await step.textContent()).toContain('Run Sync Now');
    expect(await page.locator('.phone-app-authorize .badge').textContent()).toBe('authorized');
    expect(await phoneApp()).toMatchObject({ consent: 'granted', step: 'sync' });
    await screenshots(page, '23-teams-authorized');
    await step.getByRole('link', { name: 'Go to Sync' }).click();
    await page.getByRole('button', { name: 'Sync now' }).waitFor();
  });

  it('runs the Phone App checks after a sync: the Islands users’ Teams Only finding with its fix steps', async () => {
    await server.api('POST', `/api/v1/accounts/${accountId}/services/${serviceId}/sync`, {});
    const runs = async () =>
      (
        await server.api<{ items: Run[] }>(
          'GET',
          `/api/v1/accounts/${accountId}/services/${serviceId}/sync/runs`,
        )
      ).items;
    await eventually(async () => (await runs())[0]?.state, 60_000).toMatch(/succeeded|warning/);
    const islands = [demoUpn(27), demoUpn(28)];
    const { findings } = await server.api<{ findings: Finding[] }>(
      'GET',
      `/api/v1/accounts/${accountId}/services/${serviceId}/phone-app/checks`,
    );
    const teamsOnly = findings.filter((f) => f.check === 'teams_only');
    expect(teamsOnly.map((f) => f.user)).toEqual(expect.arrayContaining(islands));

    await page.goto(teamsUrl());
    await page.getByRole('button', { name: 'Run checks' }).click();
    const group = page.getByRole('region', { name: 'Teams Only' });
    await eventually(() => group.locator('.finding').count()).toBe(teamsOnly.length);
    for (const upn of islands) {
      const finding = group.locator('.finding', { hasText: upn });
      expect(await finding.locator('.finding-who').textContent()).toBe(upn);
      const expected = teamsOnly.find((f) => f.user === upn)!;
      expect(await finding.locator('ol.finding-fix li').allTextContents()).toEqual(expected.fix);
    }
    const status = await phoneApp();
    expect(status.step).toBe('ready');
    expect(status.phoneAppUsers).toBeGreaterThan(0);
    expect(await page.locator('.phone-app-step .hint').textContent()).toContain(
      `${status.phoneAppUsers} Phone App users on this service`,
    );
    await screenshots(page, '24-phone-app-checks');

    // On the users list, the Phone App users are a kind of their own, with their own icon.
    await page.goto(url('/users'));
    await page.getByLabel('Kind').selectOption({ label: 'Phone App user' });
    await eventually(() => page.locator('.pager-status').textContent()).toBe(
      `1–${status.phoneAppUsers} of ${status.phoneAppUsers}`,
    );
    expect(await page.locator('tbody tr').getByRole('img', { name: 'Phone App user' }).count()).toBe(
      status.phoneAppUsers,
    );
  });

  it('invites an administrator: no mail server, so the link is shown to copy', async () => {
    await page.goto(url(''));
    await page
      .getByRole('navigation', { name: 'Account sections' })
      .getByRole('link', { name: 'Administrators' })
      .click();
    await page.getByRole('heading', { name: 'Administrators', level: 1 }).waitFor();
    const invite = page.getByRole('form', { name: 'Invite an administrator' });
    await invite.getByLabel('Email').fill('not an email');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await eventually(() => invite.locator('.field-error').textContent()).toContain(
      'must be an email address',
    );

    await invite.getByLabel('Email').fill(INVITED.email);
    await invite.getByLabel('Role').selectOption({ label: 'Service Contributor' });
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    const sent = invite.locator('.invite-link');
    await eventually(() => sent.textContent()).toContain('not emailed');
    invitationLink = await sent.getByLabel('Invitation link').inputValue();
    expect(invitationLink).toMatch(new RegExp(`^${server.baseUrl}/invitation#token=cbi_`));
    expect(await sent.getByRole('button', { name: 'Copy' }).isVisible()).toBe(true);
    const row = page.locator('.invitations-table tbody tr', { hasText: INVITED.email });
    await eventually(() => row.locator('td[data-label="State"]').textContent()).toBe('pending');
    expect(await row.locator('td[data-label="Role"]').textContent()).toBe('Service Contributor');
    await screenshots(page, '25-administrators-invited');
  });

  it('accepts the invitation in another browser: a short password is refused at the field, then signed in to that account only', async () => {
    const other = await browser.newContext({ viewport: DESKTOP });
    const invitee = await other.newPage();
    invitee.on('pageerror', (error) => pageErrors.push(error.message));
    await invitee.goto(invitationLink);
    await invitee.getByRole('heading', { name: 'Accept the invitation' }).waitFor();
    // The page says what the link is for before anything is typed.
    await eventually(() => invitee.locator('form .muted').first().textContent()).toContain(
      `as Service Contributor, with the email ${INVITED.email}`,
    );
    await screenshots(invitee, '26-invitation');
    await invitee.getByLabel('Your name').fill('Megan Bowen');
    const password = invitee.getByLabel('Password');
    await password.fill('too short');
    await invitee.getByRole('button', { name: 'Accept and sign in' }).click();
    const passwordField = invitee.locator('.field', { has: password });
    await eventually(() => passwordField.locator('.field-error').textContent()).toContain('12 characters');

    await password.fill(INVITED.password);
    await invitee.getByRole('button', { name: 'Accept and sign in' }).click();
    await invitee.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
    expect(new URL(invitee.url()).pathname).toBe('/');
    expect(await invitee.locator('.who-name').textContent()).toBe('Megan Bowen');
    const accountLinks = invitee.locator('main .card a');
    await eventually(() => accountLinks.allTextContents()).toEqual(['Contoso']);
    // A Service Contributor manages no administrators and reads no audit log: those sections are not offered.
    await accountLinks.first().click();
    const nav = invitee.getByRole('navigation', { name: 'Account sections' });
    await nav.getByRole('link', { name: 'Licences' }).waitFor();
    expect(await nav.getByRole('link').allTextContents()).not.toContain('Administrators');
    expect(await nav.getByRole('link').allTextContents()).not.toContain('Audit log');

    // The link worked once: opened again, it says so at once.
    const again = await other.newPage();
    await again.goto(invitationLink);
    await eventually(() => again.getByRole('alert').textContent()).toContain(
      'This invitation link is not valid',
    );
    await other.close();

    await page.reload();
    const row = page.locator('.invitations-table tbody tr', { hasText: INVITED.email });
    await eventually(() => row.locator('td[data-label="State"]').textContent()).toBe('accepted');
    const role = page.locator('.roles-table tbody tr', { hasText: INVITED.email });
    expect(await role.locator('td[data-label="Role"]').textContent()).toBe('Service Contributor');
  });

  it('lists the invitation in the audit log, filters by object type and exports CSV', async () => {
    await page
      .getByRole('navigation', { name: 'Account sections' })
      .getByRole('link', { name: 'Audit log' })
      .click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const rows = page.locator('.audit-table tbody tr');
    await eventually(() => rows.count()).toBeGreaterThan(3);
    // The acceptance is recorded on the invitation, by the invitee.
    const accepted = rows.filter({ hasText: 'invitation.accept' });
    expect(await accepted.locator('td[data-label="Who"]').textContent()).toBe(INVITED.email);
    expect(await accepted.locator('td[data-label="Object"]').textContent()).toContain('Invitation');
    await page.getByLabel('Object type').selectOption('invitation');
    await eventually(() => rows.locator('td[data-label="Action"]').allTextContents()).toEqual([
      'invitation.accept',
      'invitation.create',
    ]);
    const created = rows.filter({ hasText: 'invitation.create' });
    expect(await created.locator('td[data-label="Who"]').textContent()).toContain(ADMIN.email);
    expect(await created.locator('td[data-label="Object"]').textContent()).toContain(INVITED.email);
    await screenshots(page, '27-audit-log');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`audit-${accountId}.csv`);
    const csv = readFileSync(await file.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain('action');
    // Exported with the filter: the invitation's two entries, its creation and its acceptance.
    expect(lines).toHaveLength(3);
    expect(csv).toContain('invitation.accept');
    expect(csv).toContain('invitation.create');
    expect(csv).toContain(INVITED.email);
    expect(csv).not.toContain('cbi_');
  });

  it('shows a sign-in error handed back in the address, and no Microsoft button when Entra ID is not set up', async () => {
    const other = await browser.newContext({ viewport: DESKTOP });
    const signIn = await other.newPage();
    await signIn.goto(
      `${server.baseUrl}/sign-in?error=${encodeURIComponent('Your Microsoft account has no Callbridge access.')}`,
    );
    await eventually(() => signIn.getByRole('alert').textContent()).toBe(
      'Your Microsoft account has no Callbridge access.',
    );
    const providers = await (await fetch(`${server.baseUrl}/api/session/providers`)).json();
    expect(providers).toEqual({ password: true, entra: false });
    expect(await signIn.getByRole('link', { name: 'Sign in with Microsoft' }).count()).toBe(0);
    await other.close();
  });

  it('ran without a script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
