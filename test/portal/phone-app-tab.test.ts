import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PHONE_APP_CLIENT_ID,
  DEMO_PHONE_APP_CLIENT_SECRET,
  DEMO_PHONE_APP_TEAMS_APP_ID,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { fastClients } from '../support/demo-tenant-account.js';
import { phoneAppTenant, teamsSsoToken } from '../support/phone-app-tenant.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { launchChromium } from './support/browser.js';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { DESK_PHONE, DEBRA, startPhoneAppHarness } from '../calls/support/phone-app-harness.js';
import { registerScenario, uasScenario } from '../calls/support/sipp-scenarios.js';
import { freePort, kamailioInstalled } from '../sip/support/kamailio.js';
import { RtpengineDaemon, rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { until } from '../support/until.js';
import { ADMIN, buildPortal } from './support/portal-server.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const PUBLIC_URL = 'https://voice.acme.example';
const TEAMS_HOST = 'https://teams.microsoft.com/_test/phone-app-host';
const SCREENSHOTS = path.resolve('test-results', 'phone-app-tab');
/** Teams' side panel is about 320 px wide; a full-width personal tab is desktop width. */
const SIDE_PANEL = { width: 320, height: 720 };
const FULL_WIDTH = { width: 1280, height: 800 };
/** The real call path for the progress test: Kamailio as the PBX, sipp as the desk phone, rtpengine. */
const callPathReady =
  kamailioInstalled() && spawnSync('sipp', ['-v']).status !== null && rtpengineInstalled();

/**
 * A page that plays the Teams client for the tab: it frames the tab and answers the Teams JavaScript SDK's
 * postMessage calls the way Teams does: `initialize` with the frame context, host client type and SDK version,
 * and `authentication.getAuthToken` with [success, token]. Every call the tab made is kept in `window.sdkCalls`.
 */
function teamsHostPage(token: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Teams (test host)</title>
<style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%}</style></head><body>
<iframe id="tab" src="${PUBLIC_URL}/phone-app/tab"></iframe>
<script>
window.sdkCalls = [];
window.addEventListener('message', (event) => {
  const message = event.data;
  if (!message || typeof message.func !== 'string') return;
  window.sdkCalls.push(message.func);
  const reply = (args) => event.source.postMessage({ id: message.id, uuidAsString: message.uuidAsString, args }, event.origin);
  if (message.func === 'initialize') reply(['content', 'web', '2.0.0', '2.0.0']);
  else if (message.func === 'authentication.getAuthToken') reply([true, ${JSON.stringify(token)}]);
});
</script></body></html>`;
}

describe('the Phone App tab in Chromium inside a Teams test host', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let browser: Browser;
  let baseUrl: string;
  let clientAccountId: string;
  const pageErrors: string[] = [];

  /** A page where Teams' host and Callbridge's public URL are served locally (no request leaves the machine). */
  async function hostPage(token: string, viewport = FULL_WIDTH): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url === TEAMS_HOST) return route.fulfill({ contentType: 'text/html', body: teamsHostPage(token) });
      if (url.startsWith(`${PUBLIC_URL}/`)) {
        const response = await route.fetch({ url: baseUrl + url.slice(PUBLIC_URL.length) });
        return route.fulfill({ response });
      }
      // Anything else (the SDK's list of valid origins on Microsoft's CDN) stays unreachable, as offline.
      return route.abort();
    });
    await page.goto(TEAMS_HOST);
    return page;
  }
  const shoot = async (page: Page, name: string) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // The framed tab as Teams shows it (the host page is only its frame).
    await page.locator('#tab').screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  };

  beforeAll(async () => {
    [emulator, browser] = await Promise.all([
      startEmulator({ seed: demoSeed() }),
      launchChromium(),
      buildPortal(),
    ]).then(([e, b]) => [e, b] as const);
    t = await createTestApp('sqlite', {
      microsoftClients: fastClients,
      config: {
        phoneAppClientId: DEMO_PHONE_APP_CLIENT_ID,
        phoneAppClientSecret: DEMO_PHONE_APP_CLIENT_SECRET,
        phoneAppTeamsAppId: DEMO_PHONE_APP_TEAMS_APP_ID,
        publicUrl: PUBLIC_URL,
      },
    });
    clientAccountId = (await phoneAppTenant(t, emulator)).accountId;
    // The tenant administrator's consent to the Phone App (User.Read, Contacts.Read), as "Authorize" gives it.
    const consent = await fetch(
      `${emulator.url}/${DEMO_TENANT_ID}/adminconsent?client_id=${DEMO_PHONE_APP_CLIENT_ID}&redirect_uri=${encodeURIComponent('http://localhost/done')}`,
      { redirect: 'manual' },
    );
    expect(consent.headers.get('location')).toContain('admin_consent=True');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await emulator?.close();
  });

  it('is served framable by Teams only, with a strict content security policy', async () => {
    const response = await fetch(`${baseUrl}/phone-app/tab`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/frame-ancestors 'self' https:\/\/teams\.microsoft\.com /);
  });

  for (const [name, viewport] of [
    ['side-panel-320', SIDE_PANEL],
    ['full-width-1280', FULL_WIDTH],
  ] as const) {
    it(`signs in by Teams SSO and dials at ${viewport.width} px: keypad, E.164 help, contacts, 503 where no call path runs`, async () => {
      const page = await hostPage(await teamsSsoToken(emulator, demoUserId(19)), viewport);
      const tab: FrameLocator = page.frameLocator('#tab');
      await tab.getByRole('heading', { name: 'Phone' }).waitFor();
      await expect.poll(() => tab.locator('.tab-header').textContent()).toContain('Debra Berger · Contoso');
      expect(await page.evaluate(() => (window as unknown as { sdkCalls: string[] }).sdkCalls)).toEqual(
        expect.arrayContaining(['initialize', 'authentication.getAuthToken']),
      );
      // The number is typed on the keypad as dialled in the UK, formatted as typed, and its E.164 form shown.
      for (const key of '02079460123')
        await tab.getByRole('button', { name: key === '0' ? '0 (hold for +)' : key, exact: true }).click();
      await expect.poll(() => tab.getByLabel('Number').inputValue()).toBe('020 7946 0123');
      await expect.poll(() => tab.locator('#dial-help').textContent()).toBe('Calls +442079460123');
      await expect.poll(() => tab.locator('.contacts li').count()).toBeGreaterThan(5);
      await expect
        .poll(() => tab.getByRole('region', { name: 'Recent calls' }).textContent())
        .toContain('No calls yet');
      await tab.getByRole('button', { name: 'Call', exact: true }).click();
      await expect
        .poll(() => tab.getByRole('alert').textContent())
        .toContain('Calls are not available on this server');
      await shoot(page, name);
      // The tab fits the width: nothing scrolls sideways.
      const overflow = await page
        .frames()[1]!
        .evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.close();
    }, 60_000);
  }

  it.skipIf(!callPathReady)(
    'places a call and shows its progress: Teams rings the user, connected through the PBX, hung up from the tab, then listed in recent calls',
    async () => {
      const debra = (await t.ctx.store.repos.users.findByObjectId(clientAccountId, demoUserId(19)))!;
      const daemon = await RtpengineDaemon.start();
      const relay = await RtpengineRelay.open({ target: daemon.target });
      const owner = { userId: debra.id, accountId: clientAccountId, serviceId: debra.serviceId };
      const h = await startPhoneAppHarness({ relay, owner, recorder: t.ctx.calls.recorder });
      try {
        await until(() => h.agent.status(debra.id)?.state === 'registered', 5000, 'Debra registered');
        const port = await freePort();
        const extra = ['-au', DESK_PHONE.username, '-ap', DESK_PHONE.password];
        expect((await h.deskPhone(registerScenario(), { port, extra })).code).toBe(0);
        const deskPhone = h.deskPhone(uasScenario({ kind: 'answer' }), { port });
        // Debra takes a moment to answer in Teams, so the tab shows that step.
        h.teams.setBehaviour(DEBRA.address, { outcome: 'answer', afterMs: 2500 });
        t.ctx.services.phoneAppCalls.dialler = h.b2bua.phoneApp;
        const page = await hostPage(await teamsSsoToken(emulator, demoUserId(19)), SIDE_PANEL);
        const tab = page.frameLocator('#tab');
        await tab.getByRole('heading', { name: 'Phone' }).waitFor();
        for (const key of DESK_PHONE.username)
          await tab.getByRole('button', { name: key === '0' ? '0 (hold for +)' : key, exact: true }).click();
        await tab.getByRole('button', { name: 'Call', exact: true }).click();
        const progress = tab.locator('section.progress');
        await expect.poll(() => progress.textContent()).toContain('Answer in Teams');
        await shoot(page, 'call-teams-ringing-320');
        await expect.poll(() => progress.textContent(), { timeout: 15_000 }).toContain('Connected to 2001');
        await shoot(page, 'call-connected-320');
        await tab.getByRole('button', { name: 'Hang up' }).click();
        await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toContain('Call ended');
        expect((await deskPhone).code).toBe(0);
        const recent = tab.getByRole('region', { name: 'Recent calls' });
        await expect.poll(() => recent.textContent(), { timeout: 10_000 }).toContain('2001');
        await page.setViewportSize(FULL_WIDTH);
        await shoot(page, 'call-ended-recent-1280');
        await page.close();
      } finally {
        t.ctx.services.phoneAppCalls.dialler = undefined;
        await h.stop();
        relay.close();
        await daemon.stop();
      }
    },
    90_000,
  );

  for (const [name, viewport] of [
    ['outlook-contacts-320', SIDE_PANEL],
    ['outlook-contacts-1280', FULL_WIDTH],
  ] as const) {
    it(`shows the user's Outlook contacts with the directory at ${viewport.width} px; one search for both; a number picked fills the field`, async () => {
      const page = await hostPage(await teamsSsoToken(emulator, demoUserId(19)), viewport);
      const tab = page.frameLocator('#tab');
      const outlook = tab.getByRole('list', { name: 'Outlook contacts' });
      await expect.poll(() => outlook.locator('li').count()).toBe(4);
      expect(await outlook.textContent()).toContain('Pat Jones (plumber)');
      // Another Phone App user's contact is not Debra's.
      expect(await outlook.textContent()).not.toContain('Chris Private');
      await tab.locator('#contacts-heading').evaluate((el) => el.scrollIntoView());
      await shoot(page, name);
      await tab.getByRole('searchbox', { name: 'Search contacts' }).fill('mum');
      await expect.poll(() => outlook.locator('li').count()).toBe(1);
      await outlook.getByRole('button', { name: /01632 960001/ }).click();
      await expect.poll(() => tab.locator('#dial-help').textContent()).toBe('Calls +441632960001');
      await page.close();
    }, 60_000);
  }

  it('says what the administrator must do when Contacts.Read was never consented; the directory still works', async () => {
    const grants = emulator.tenants.get(DEMO_TENANT_ID)!.delegatedGrants;
    const before = grants.get(DEMO_PHONE_APP_CLIENT_ID)!;
    grants.set(DEMO_PHONE_APP_CLIENT_ID, new Set(['User.Read']));
    try {
      const page = await hostPage(await teamsSsoToken(emulator, demoUserId(19)), SIDE_PANEL);
      const tab = page.frameLocator('#tab');
      await expect
        .poll(() => tab.locator('.notice').textContent())
        .toContain('Authorize Phone App for my Organization');
      await expect.poll(() => tab.locator('.contacts li').count()).toBeGreaterThan(5);
      await tab.locator('#contacts-heading').evaluate((el) => el.scrollIntoView());
      await shoot(page, 'outlook-consent-missing-320');
      await page.close();
    } finally {
      grants.set(DEMO_PHONE_APP_CLIENT_ID, before);
    }
  }, 60_000);

  it('picks a contact from the directory search into the number field', async () => {
    const page = await hostPage(await teamsSsoToken(emulator, demoUserId(19)), SIDE_PANEL);
    const tab = page.frameLocator('#tab');
    await tab.getByRole('searchbox', { name: 'Search contacts' }).fill('Adele');
    await expect.poll(() => tab.locator('.contacts li').count()).toBe(1);
    await tab.locator('.contacts li button').click();
    await expect.poll(() => tab.locator('#dial-help').textContent()).toBe('Calls +442079460001');
    await page.close();
  }, 60_000);

  it('tells a standard (Teams Phone) user why the Phone App is not for them', async () => {
    const page = await hostPage(await teamsSsoToken(emulator, demoUserId(1)), SIDE_PANEL);
    const tab = page.frameLocator('#tab');
    await expect
      .poll(() => tab.getByRole('alert').textContent())
      .toContain('the Phone App is for users without Teams Phone');
    await shoot(page, 'refused-standard-user-320');
    await page.close();
  }, 60_000);

  it("downloads the Teams app package in the partner's brand from the partner page of the portal", async () => {
    const partnerId = (await t.ctx.store.repos.accounts.findById(clientAccountId))!.parentId!;
    await t.ctx.services.accounts.setBrand(system, partnerId, {
      productName: 'Acme Voice',
      primaryColor: '#c2185b',
    });
    const context = await browser.newContext({ viewport: FULL_WIDTH, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (!url.startsWith(`${PUBLIC_URL}/`)) return route.abort();
      return route.fulfill({ response: await route.fetch({ url: baseUrl + url.slice(PUBLIC_URL.length) }) });
    });
    await page.goto(`${PUBLIC_URL}/`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Accounts' }).waitFor();
    await page.goto(`${PUBLIC_URL}/accounts/${partnerId}`);
    const link = page.getByRole('link', { name: 'Download the Teams app package' });
    await link.waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'portal-partner-teams-app.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('Acme-Voice-teams-app.zip');
    const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as {
      id: string;
      name: { short: string };
    };
    expect(manifest).toMatchObject({ id: DEMO_PHONE_APP_TEAMS_APP_ID, name: { short: 'Acme Voice Phone' } });
    await context.close();
  }, 60_000);

  it('raised no script error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
