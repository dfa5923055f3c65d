import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignallingRanges, type EdgeSettings } from '../../src/edge/edge.config.js';
import { TeamsEdge } from '../../src/edge/teams-edge.js';
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { launchChromium, signedInPage } from './support/browser.js';
import { ADMIN, startPortalServer, type PortalServer } from './support/portal-server.js';
import { DESKTOP } from './support/screenshots.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;
const PROXY = 'sip.pstnhub.microsoft.com';

/**
 * Issue 16 in the portal: the provider-level "Teams edge" page, against a real edge talking mutual TLS to the
 * Teams SIP emulator on loopback: not configured (what to set), healthy, and refused by Microsoft (403 for a
 * certificate that does not cover our FQDN). Only platform operators find it.
 */
describe('the portal: Teams edge page', () => {
  let pki: TeamsPki;
  let teams: TeamsSipEmulator;
  let current: TeamsEdge | undefined;
  const edges: TeamsEdge[] = [];
  let server: PortalServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function edgeWith(cert: TeamsPki['sbc'], customers: string[] = []): Promise<TeamsEdge> {
    const settings: EdgeSettings = {
      baseDomain: 'sbc.test',
      host: '127.0.0.1',
      signallingPort: 0,
      ...cert,
      caFile: pki.caFile,
      proxies: [{ host: PROXY, port: 5061 }],
      ranges: new SignallingRanges(['127.0.0.0/8']),
      sbcHeader: 'Callbridge/Edge/test',
      optionsIntervalMs: 0,
      failoverAfterMs: 1000,
      customerOptions: customers.length > 0,
    };
    const edge = await TeamsEdge.start({
      settings,
      route: () => Promise.resolve({ kind: 'unknown-host' }),
      customerFqdns: () => Promise.resolve(customers),
      resolveProxy: () =>
        Promise.resolve({ protocol: 'tls', address: '127.0.0.1', port: teams.port, serverName: PROXY }),
    });
    edges.push(edge);
    await edge.pingAll();
    return edge;
  }

  beforeAll(async () => {
    pki = await createTeamsPki('sbc.test');
    teams = await TeamsSipEmulator.start({
      host: '127.0.0.1',
      ...pki.microsoft,
      caFile: pki.caFile,
      directory: staticDirectory({}, []),
    });
    [server, browser] = await Promise.all([
      startPortalServer({ server: { teamsEdge: () => current } }),
      launchChromium(),
    ]);
    page = await signedInPage(browser, server.baseUrl, ADMIN, pageErrors);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const edge of edges) await edge.stop();
    await teams?.stop();
    await pki?.remove();
  });

  it('says the edge is not configured and what to set', async () => {
    await page.getByRole('link', { name: 'Teams edge' }).click();
    await page.getByRole('heading', { name: 'Teams edge', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Edge not configured' }).waitFor();
    const settings = await page.locator('dl.facts dt').allTextContents();
    expect(settings).toEqual(
      expect.arrayContaining([
        'CALLBRIDGE_SBC_DOMAIN',
        'CALLBRIDGE_SBC_CERT_FILE',
        'CALLBRIDGE_SBC_KEY_FILE',
      ]),
    );
  });

  it("shows a healthy proxy with its last OPTIONS and round trip, and the certificate's days left", async () => {
    current = await edgeWith(pki.sbc, ['contoso.sbc.test']);
    await page.reload();
    const row = page.getByRole('table', { name: 'Microsoft proxies', exact: true }).getByRole('row', {
      name: new RegExp(PROXY),
    });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[1]).toBe('healthy');
    expect(cells[4]).toMatch(/^200 OK in \d+(\.\d)? ms$/);
    expect(cells[5]).toBe('none');
    expect(await page.getByText('89 days left').count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    // Per-customer OPTIONS are on for this edge: the customer's subdomain has its own row per proxy.
    const customer = page.getByRole('region', { name: 'contoso.sbc.test' });
    const customerCells = await customer
      .getByRole('row', { name: new RegExp(PROXY) })
      .getByRole('cell')
      .allTextContents();
    expect(customerCells[1]).toBe('healthy');
  });

  it("shows Microsoft's 403 when it refused our certificate, with its reason", async () => {
    current = await edgeWith(pki.stranger); // a certificate for sbc.other.example, not sbc.test
    await page.reload();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      /Microsoft refused our certificate\..*sip\.pstnhub\.microsoft\.com: 403 .*Contact FQDN sbc\.test is not in the SBC certificate/,
    );
    const cells = await page
      .getByRole('row', { name: new RegExp(PROXY) })
      .getByRole('cell')
      .allTextContents();
    expect(cells[1]).toBe('unhealthy');
    expect(cells[5]).toBe('1 in a row (1 in all)');
    expect(pageErrors).toEqual([]);
  });

  it('is not offered to an administrator who is not a platform operator', async () => {
    await server.ctx.services.administrators.create(system, {
      email: 'ops@contoso.test',
      password: 'correct horse battery',
      platformOperator: false,
      mustChangePassword: false,
    });
    const other = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await other.goto(server.baseUrl);
    await other.getByLabel('Email').fill('ops@contoso.test');
    await other.getByLabel('Password').fill('correct horse battery');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByRole('heading', { name: 'Accounts' }).waitFor();
    expect(await other.getByRole('link', { name: 'Teams edge' }).count()).toBe(0);
    await other.goto(`${server.baseUrl}/teams-edge`);
    await other.getByText('Only platform operators see the Teams edge').waitFor();
    expect(await other.getByRole('table').count()).toBe(0);
  });
});
