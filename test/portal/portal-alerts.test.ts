import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService, storeUser } from '../support/store-fixtures.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';
import { screenshots } from './support/screenshots.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });
const SECRET = 'portal-webhook-signing-secret';

/**
 * Issue 18 in the portal: the alerts page (open alerts tinted by severity, filters in the address) and the
 * delivery settings: a webhook added (a private address refused by the field), "Send test" delivered to a real
 * receiver that checks the signature, and the delivery log saying so.
 */
describe('the portal: alerts and webhook settings', () => {
  let server: PortalServer;
  let browser: Browser;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let clientId: string;
  let partnerId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser, receiver] = await Promise.all([
      startPortalServer({ config: { alertWebhookAllowLoopback: true } }),
      launchChromium(),
      startWebhookReceiver(SECRET),
    ]);
    const made = await clientWithPbxService(server.ctx.store, 'Contoso', { name: 'London PBX' });
    clientId = made.client.id;
    partnerId = made.partner.id;
    await server.ctx.store.repos.users.createMany(
      [1, 2, 3, 4].map((n) =>
        storeUser(clientId, made.service.id, n, { registrationState: n <= 3 ? 'failed' : 'registered' }),
      ),
    );
    await server.ctx.alerts.evaluator.evaluate();
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  it("lists the client's open alert, reached from the account's sections, with what to do", async () => {
    await page.goto(`${server.baseUrl}/accounts/${clientId}`);
    await page
      .getByRole('navigation', { name: 'Account sections' })
      .getByRole('link', { name: 'Alerts' })
      .click();
    await page.getByRole('heading', { name: 'Open alerts' }).waitFor();
    const rows = page.locator('table.alert-list tbody tr');
    await eventually(() => rows.count()).toBe(1);
    const text = await rows.first().textContent();
    expect(text).toContain('Registrations lost');
    expect(text).toContain('London PBX');
    expect(text).toContain('3 of 4 users of London PBX failed to register');
    expect(text).toContain('Warning');
    expect(await rows.first().getAttribute('class')).toBe('alert-warning');
    await screenshots(page, 'alerts-page');
  });

  it('keeps the filters in the address', async () => {
    await page.getByLabel('State').selectOption('resolved');
    await eventually(() => new URL(page.url()).search).toBe('?state=resolved');
    await page.getByText('No alerts.').waitFor();
    await page.getByLabel('State').selectOption('open');
    await page.getByLabel('Kind').selectOption('sync_failed');
    await page.getByText('Nothing needs attention.').waitFor();
    await page.getByLabel('Kind').selectOption('registrations_lost');
    await eventually(() => page.locator('table.alert-list tbody tr').count()).toBe(1);
  });

  it("adds the provider's webhook, refusing a private address first, sends a test and shows it delivered", async () => {
    await page.goto(`${server.baseUrl}/accounts/${partnerId}/alerts/subscriptions`);
    await page.getByRole('heading', { name: 'Alert delivery' }).waitFor();
    const form = page.getByRole('form', { name: 'Add a subscription' });
    await form.getByLabel('Name').fill('NOC');
    await form.getByLabel('URL').fill('https://169.254.169.254/latest');
    await form.getByLabel('Signing secret').fill(SECRET);
    await form.getByRole('button', { name: 'Add subscription' }).click();
    await form.getByText('private, loopback, link-local or reserved address').waitFor();
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByRole('button', { name: 'Add subscription' }).click();
    const card = page.getByRole('region', { name: 'Subscription NOC' });
    await card.waitFor();
    expect(await card.textContent()).toContain(receiver.url);
    expect(await page.content()).not.toContain(SECRET);

    await card.getByRole('button', { name: 'Send test' }).click();
    await card.getByText('Test queued').waitFor();
    await server.ctx.createWorker().drain();
    const log = card.getByRole('table', { name: 'Delivery log' });
    await eventually(async () => (await log.locator('tbody tr').first().textContent()) ?? '').toContain(
      'delivered',
    );
    expect(await log.locator('tbody tr').first().textContent()).toContain('200');
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({ event: 'test', signatureValid: true });
    await screenshots(page, 'alert-delivery');
    expect(pageErrors).toEqual([]);
  });
});
