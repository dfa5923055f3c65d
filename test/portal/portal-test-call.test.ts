import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { startTestCallRig, TEST_CALL_CONFIG, type TestCallRig } from '../support/test-call-rig.js';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';
import { screenshots } from './support/screenshots.js';

/**
 * "Test call" on the user page (issue 17): the button rings the user's Teams client (the Teams SIP emulator) from
 * the PBX side through the real sip and edge roles and rtpengine; the card shows the progress, then the result with
 * the link to the call record; a declined call shows its result and SIP status.
 */
describe.skipIf(!rtpengineInstalled())('the portal: Test call on the user page', () => {
  let server: PortalServer;
  let browser: Browser;
  let page: Page;
  let rig: TestCallRig;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startPortalServer({ config: TEST_CALL_CONFIG }),
      launchChromium(),
    ]);
    rig = await startTestCallRig(server);
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
    await server?.close();
  });

  const card = () => page.locator('section.card', { has: page.getByRole('heading', { name: 'Test call' }) });

  it('rings the user in Teams, shows the progress and then "Answered" with the call record', async () => {
    rig.teams.setBehaviour('+4930111', { afterMs: 1500 }); // rings a moment, so the progress shows
    await page.goto(`${server.baseUrl}/accounts/${rig.accountId}/users/${rig.users.alice}`);
    await card().getByRole('button', { name: 'Test call' }).click();
    await expect
      .poll(() => card().getByRole('status').textContent(), { timeout: 10_000, interval: 50 })
      .toMatch(/Ringing in Teams|Answered: playing a tone/);
    await card().getByText('Result:').waitFor({ timeout: 30_000 });
    expect(await card().getByRole('status').textContent()).toContain('Result: Answered (SIP 200)');
    expect(await card().getByRole('status').textContent()).toMatch(
      /audio received from Teams: [1-9]\d* packets/,
    );
    // The call log below shows the call that just ended.
    const log = page.locator('section.card', { has: page.getByRole('heading', { name: 'Call log' }) });
    await log.locator('tbody tr').first().waitFor();
    expect(await log.locator('tbody tr').first().textContent()).toContain('+4930111');
    await screenshots(page, 'user-test-call-answered');
    await card().getByRole('link', { name: 'Open the call record' }).click();
    await page.getByRole('heading', { name: 'Debug Output' }).waitFor();
    expect(page.url()).toMatch(new RegExp(`/accounts/${rig.accountId}/calls/`));
    expect(pageErrors).toEqual([]);
  });

  it('shows a declined test call as "Declined" with its SIP status', async () => {
    rig.teams.setBehaviour('+4930222', { outcome: 'decline' });
    await page.goto(`${server.baseUrl}/accounts/${rig.accountId}/users/${rig.users.bob}`);
    await card().getByRole('button', { name: 'Test call' }).click();
    await card().getByText('Result:').waitFor({ timeout: 30_000 });
    expect(await card().getByRole('status').textContent()).toContain('Result: Declined (SIP 603)');
    expect(pageErrors).toEqual([]);
  });
});
