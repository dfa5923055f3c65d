import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/context.js';
import type { Actor } from '../domain/records.js';
import type { DemoPbx } from '../demo/demo-pbx.js';
import type { DemoTeamsSip } from '../emulator/teams-sip/teams-sip.demo.js';
import { carrierNamesOf } from '../services/sync/carrier-setup.js';

const actor: Actor = { type: 'system', id: null, label: 'demo set-up', source: 'cli' };

export interface DemoEnvironment {
  emulatorUrl: string;
  accountId: string;
  /** The Teams SIP emulator (Microsoft's Direct Routing proxies) and its throw-away PKI; absent without openssl. */
  teamsSip?: DemoTeamsSip;
  /** The demo PBX (registrar, extensions 2000 tone and 2001 echo) the demo service registers its users to. */
  pbx: DemoPbx;
  close(): Promise<void>;
}

/**
 * The embedded demo: the Microsoft 365 emulator (with the demo tenant, its state kept in the data directory
 * across restarts) and, on the first start, a provider with a client account "Contoso (demo)" whose tenant
 * connection points at the emulator and a PBX service ready to sync. The emulator is imported only here.
 * Beside it runs the Teams SIP emulator (Microsoft's Direct Routing proxies, control API under
 * `/_emulator/teams-sip`), with a throw-away CA made in `<data dir>/teams-pki` at the first start; the demo
 * tenant's voice route names the demo service's SBC subdomain, so the edge (given the demo certificate when
 * CALLBRIDGE_SBC_CERT_FILE is not set) is healthy against it and Teams users can call through it.
 */
export async function startDemo(ctx: AppContext): Promise<DemoEnvironment> {
  const emulatorModule = await import('../emulator/index.js');
  const stateFile = path.join(ctx.config.dataDir, 'emulator-state.json');
  const seed = existsSync(stateFile)
    ? emulatorModule.seedFileSchema.parse(JSON.parse(readFileSync(stateFile, 'utf8')))
    : emulatorModule.demoSeed();
  const sipModule = await import('../emulator/teams-sip/index.js');
  const holder: { teamsSip?: DemoTeamsSip } = {};
  const emulator = await emulatorModule.startEmulator({
    seed,
    persistPath: stateFile,
    routes: sipModule.teamsSipControlRoutes(() => holder.teamsSip?.emulator),
  });
  const markerFile = path.join(ctx.config.dataDir, 'demo.json');
  let accountId: string;
  if (existsSync(markerFile)) {
    accountId = (JSON.parse(readFileSync(markerFile, 'utf8')) as { accountId: string }).accountId;
  } else {
    const partner = await ctx.services.accounts.create(actor, { name: 'Demo Provider', kind: 'partner' });
    const client = await ctx.services.accounts.create(actor, {
      name: 'Contoso (demo)',
      kind: 'client',
      parentId: partner.id,
    });
    await ctx.services.voiceServices.create(actor, client.id, {
      kind: 'pbx',
      name: 'Contoso PBX',
      pbxType: 'freepbx',
      sipDomain: 'pbx.contoso-demo.example',
      country: 'GB',
    });
    await ctx.services.subscriptions.create(actor, client.id, { sku: 'pbx_user', quantity: 50, trial: true });
    // The Phone App add-on is provisioned in the demo, so it can be enabled, authorized and synced.
    await ctx.services.subscriptions.create(actor, client.id, {
      sku: 'phone_app_user',
      quantity: 10,
      trial: true,
    });
    accountId = client.id;
    writeFileSync(markerFile, JSON.stringify({ accountId }) + '\n');
  }
  // The emulator listens on a new port each start: point the demo connection at it (the system actor may name
  // custom endpoints; the new endpoints drop the old secret, so it is given again).
  await ctx.services.tenantConnections.connect(
    actor,
    accountId,
    {
      tenantId: emulatorModule.DEMO_TENANT_ID,
      cloud: 'custom',
      clientId: emulatorModule.DEMO_CLIENT_ID,
      clientSecret: emulatorModule.DEMO_CLIENT_SECRET,
      authorityHost: emulator.url,
      graphBaseUrl: emulator.url,
      teamsAdminBaseUrl: emulator.teamsAdminUrl,
    },
    `${emulator.url}/unused`,
  );
  // The demo tenant consented to the demo app in its seed: recorded as an operator records consent given
  // outside Callbridge (the system actor, audited).
  await ctx.services.tenantConnections.recordOperatorConsent(actor, accountId, 'demo set-up');
  // The Phone App tab's Outlook contacts (on-behalf-of) work in the demo without configuring the app's secret.
  ctx.services.phoneAppContacts.useSecretIfUnset(emulatorModule.DEMO_PHONE_APP_CLIENT_SECRET);
  const teamsSip = (holder.teamsSip = await startTeamsSip(ctx, sipModule, emulator.state, accountId));
  const pbx = await startDemoPbx(ctx, accountId);
  // Where this start's emulator listens, for `callbridge emulator teams-sip ...` (its port changes each start).
  writeFileSync(
    markerFile,
    JSON.stringify({ accountId, emulatorUrl: emulator.url, pbxPort: pbx.pbx.port }) + '\n',
  );
  return {
    emulatorUrl: emulator.url,
    accountId,
    ...(teamsSip && { teamsSip }),
    pbx: pbx.pbx,
    close: async () => {
      pbx.provisioner.stop();
      await pbx.pbx.stop();
      await teamsSip?.close();
      await emulator.close();
    },
  };
}

/**
 * The demo's Teams SIP emulator, its voice route pointed at the demo service's subdomain. Without openssl (the
 * throw-away CA) the rest of the demo still runs: the edge then stays off, as in a deployment without certificates.
 */
async function startTeamsSip(
  ctx: AppContext,
  sipModule: typeof import('../emulator/teams-sip/index.js'),
  state: Parameters<typeof sipModule.startDemoTeamsSip>[0]['state'],
  accountId: string,
): Promise<DemoTeamsSip | undefined> {
  const service = (await ctx.store.repos.services.listByAccount(accountId))[0];
  if (service) {
    const gateway = carrierNamesOf(service.id, ctx.config.sbcDomain.toLowerCase()).domain;
    sipModule.pointVoiceRoutesAt(state, sipModule.DEMO_TENANT_ID, gateway);
  }
  try {
    return await sipModule.startDemoTeamsSip({
      pkiDir: path.join(ctx.config.dataDir, 'teams-pki'),
      sbcDomain: ctx.config.sbcDomain,
      state,
      phoneAppDomain: ctx.config.phoneAppDomain,
    });
  } catch (error) {
    ctx.logger.warn({ err: error }, 'Teams SIP emulator not started (is openssl installed?)');
    return undefined;
  }
}

/**
 * The demo PBX (src/demo) on a loopback port, the demo service pointed at it (the port changes each start), and
 * the provisioner that gives each synced user with a number an extension there, so their registrations turn green.
 */
async function startDemoPbx(
  ctx: AppContext,
  accountId: string,
): Promise<{ pbx: DemoPbx; provisioner: { stop(): void } }> {
  const { DemoPbx } = await import('../demo/demo-pbx.js');
  const { DemoExtensionBook } = await import('../demo/demo-extension-book.js');
  const { provisionDemoUsers } = await import('../demo/demo-provisioner.js');
  const book = new DemoExtensionBook(path.join(ctx.config.dataDir, 'demo-pbx.json'));
  const pbx = await DemoPbx.start({ passwordOf: (username) => book.passwordOf(username) });
  const service = (await ctx.store.repos.services.listByAccount(accountId)).find((s) => s.kind === 'pbx');
  if (!service) return { pbx, provisioner: { stop: () => undefined } };
  await ctx.services.voiceServices.update(actor, accountId, service.id, {
    proxyHost: pbx.host,
    proxyPort: pbx.port,
    transport: 'udp',
  });
  const provisioner = provisionDemoUsers(ctx, accountId, service.id, book);
  await provisioner.runOnce();
  return { pbx, provisioner };
}
