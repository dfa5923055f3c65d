import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';
import { screenshots } from './support/screenshots.js';

const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });
const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;
const srtpKey = 'JPEaIxHegfuv53ykBPZk8hV0GO8kTiiqRMfHimEE';

/**
 * Issue 18 in the portal: the user's call log (a failed call red), the call page with its Failure Advice, details
 * and the SIP ladder diagram (a message's body on click, secrets removed), and the text download.
 */
describe('the portal: call log, call page with advice and ladder', () => {
  let server: PortalServer;
  let browser: Browser;
  let page: Page;
  let accountId: string;
  let userId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startPortalServer(), launchChromium()]);
    const { services } = server.ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    accountId = (
      await services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).id;
    const service = await services.voiceServices.create(system, accountId, {
      name: 'PBX',
      sipDomain: 'pbx.example',
    });
    userId = (
      await services.users.create(system, accountId, {
        serviceId: service.id,
        email: 'bo@contoso.example',
        displayName: 'Bo Example',
      })
    ).id;
    const base = { accountId, serviceId: service.id, userId, from: '301', to: '+442079460001' };
    const { recorder } = server.ctx.calls;
    recorder.ended({
      ...base,
      id: 'portal-answered',
      direction: 'pbx-to-teams',
      startedAt: '2026-11-20T09:10:00.000Z',
      answeredAt: '2026-11-20T09:10:04.000Z',
      endedAt: '2026-11-20T09:12:04.000Z',
      result: 'answered',
      legs: [{ side: 'teams', sipCallId: 't1', finalStatus: 200, peer: 'sip.pstnhub.microsoft.com' }],
      media: { packets: { pbx: 6000, teams: 5990 }, lost: { teams: 10 }, mos: 4.2, codec: 'PCMU/8000' },
    });
    recorder.ended({
      ...base,
      id: 'portal-failed',
      direction: 'pbx-to-teams',
      startedAt: '2026-11-20T09:00:00.000Z',
      endedAt: '2026-11-20T09:00:01.500Z',
      result: 'failed',
      legs: [
        { side: 'pbx', sipCallId: 'p2', finalStatus: 404 },
        {
          side: 'teams',
          sipCallId: 't2',
          finalStatus: 404,
          peer: 'sip.pstnhub.microsoft.com',
          reason: 'Q.850;cause=1;text="Unallocated number"',
        },
      ],
      ladder: [
        {
          at: '2026-11-20T09:00:00.000Z',
          leg: 'pbx',
          direction: 'in',
          summary: 'INVITE sip:301@cb.example SIP/2.0',
          text: 'INVITE sip:301@cb.example SIP/2.0\r\nFrom: <sip:301@pbx.example>;tag=1',
        },
        {
          at: '2026-11-20T09:00:00.200Z',
          leg: 'teams',
          direction: 'out',
          summary: 'INVITE sip:+442079460001@sip.pstnhub.microsoft.com;user=phone SIP/2.0',
          text: `INVITE sip:+442079460001@sip.pstnhub.microsoft.com;user=phone SIP/2.0\r\n\r\nm=audio 40000 RTP/SAVP 0 8 101\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${srtpKey}|2^31`,
        },
        {
          at: '2026-11-20T09:00:01.000Z',
          leg: 'teams',
          direction: 'in',
          summary: 'SIP/2.0 404 Not Found',
          text: 'SIP/2.0 404 Not Found\r\nREASON: Q.850;cause=1;text="Unallocated number"',
        },
        {
          at: '2026-11-20T09:00:01.100Z',
          leg: 'pbx',
          direction: 'out',
          summary: 'SIP/2.0 404 Not Found',
          text: 'SIP/2.0 404 Not Found',
        },
      ],
    });
    await recorder.flush();
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the user's call log newest first with the failed call in red", async () => {
    await page.goto(`${server.baseUrl}/accounts/${accountId}/users/${userId}`);
    const log = page.locator('section.card', { has: page.getByRole('heading', { name: 'Call log' }) });
    const rows = log.locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('Answered');
    expect(await rows.nth(0).textContent()).toContain('2:00');
    expect(await rows.nth(1).textContent()).toContain('Failed (404)');
    expect(await rows.nth(1).getAttribute('class')).toBe('call-failed');
    const red = await rows
      .nth(1)
      .locator('td')
      .nth(4)
      .evaluate((td) => getComputedStyle(td).color);
    expect(red).toBe('rgb(180, 35, 24)');
    await log.scrollIntoViewIfNeeded();
    await screenshots(page, 'call-log');
  });

  it('opens the failed call: advice naming what is missing, details, and the ladder with bodies on click', async () => {
    const log = page.locator('section.card', { has: page.getByRole('heading', { name: 'Call log' }) });
    await log.locator('tbody tr').nth(1).getByRole('link').click();
    await page.getByRole('heading', { name: 'Failure Advice' }).waitFor();
    const advice = page.locator('section.notice', {
      has: page.getByRole('heading', { name: 'Failure Advice' }),
    });
    expect(await advice.textContent()).toContain(
      'Teams did not find the number (404): the number is not assigned in Teams',
    );
    expect(await advice.getByRole('link', { name: 'Open what to fix' }).getAttribute('href')).toBe(
      `/accounts/${accountId}/users/${userId}`,
    );
    const details = page.locator('section.card', { has: page.getByRole('heading', { name: 'Details' }) });
    expect(await details.textContent()).toContain('sip.pstnhub.microsoft.com');
    const ladder = page.getByRole('list', { name: 'SIP ladder' });
    const messages = ladder.getByRole('listitem');
    await messages.first().waitFor();
    expect(await messages.count()).toBe(4);
    expect(await messages.nth(2).textContent()).toContain('+1.000 s');
    await messages.nth(1).getByRole('button').click();
    const body = messages.nth(1).locator('pre');
    expect(await body.textContent()).toContain('inline:<removed>');
    expect(await page.content()).not.toContain(srtpKey);
    const download = page.getByRole('link', { name: 'Download as text' });
    expect(await download.getAttribute('href')).toBe(
      `/api/v1/accounts/${accountId}/calls/portal-failed/ladder/text`,
    );
    const text = await page.evaluate(
      async (href) => (await fetch(href)).text(),
      (await download.getAttribute('href'))!,
    );
    expect(text).toContain('TEAMS -> Callbridge  SIP/2.0 404 Not Found');
    await screenshots(page, 'call-page-failed');
  });

  it("lists the account's calls with filters kept in the address, reached from the account's sections", async () => {
    await page.goto(`${server.baseUrl}/accounts/${accountId}`);
    await page
      .getByRole('navigation', { name: 'Account sections' })
      .getByRole('link', { name: 'Calls' })
      .click();
    await page.getByRole('heading', { name: 'Calls', exact: true }).waitFor();
    const rows = page.locator('table.call-log tbody tr');
    await eventually(() => rows.count()).toBe(2);
    await page.getByLabel('Result').selectOption('failed');
    await eventually(() => new URL(page.url()).search).toBe('?result=failed');
    await eventually(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Failed (404)');
    await page.getByLabel('Result').selectOption('');
    await page.getByLabel('Direction').selectOption('teams-to-pbx');
    await page.getByText('No calls yet.').waitFor();
    await page.getByLabel('Direction').selectOption('');
    await eventually(() => rows.count()).toBe(2);
    await screenshots(page, 'calls-page');
  });

  it('opens the answered call: no advice, media figures, and says no ladder was kept', async () => {
    await page.goto(`${server.baseUrl}/accounts/${accountId}/calls/portal-answered`);
    await page.getByRole('heading', { name: 'Debug Output' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Failure Advice' }).count()).toBe(0);
    const details = page.locator('section.card', { has: page.getByRole('heading', { name: 'Details' }) });
    expect(await details.textContent()).toContain('MOS 4.2');
    expect(await page.getByText('No SIP ladder was kept for this call').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
