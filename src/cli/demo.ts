import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../app/context.js';
import type { Actor } from '../domain/records.js';

const actor: Actor = { type: 'system', id: null, label: 'demo set-up', source: 'cli' };

export interface DemoEnvironment {
  emulatorUrl: string;
  accountId: string;
  close(): Promise<void>;
}

/**
 * The embedded demo: the Microsoft 365 emulator (with the demo tenant, its state kept in the data directory
 * across restarts) and, on the first start, a provider with a client account "Contoso (demo)" whose tenant
 * connection points at the emulator and a PBX service ready to sync. The emulator is imported only here.
 */
export async function startDemo(ctx: AppContext): Promise<DemoEnvironment> {
  const emulatorModule = await import('../emulator/index.js');
  const stateFile = path.join(ctx.config.dataDir, 'emulator-state.json');
  const seed = existsSync(stateFile)
    ? emulatorModule.seedFileSchema.parse(JSON.parse(readFileSync(stateFile, 'utf8')))
    : emulatorModule.demoSeed();
  const emulator = await emulatorModule.startEmulator({ seed, persistPath: stateFile });
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
  return { emulatorUrl: emulator.url, accountId, close: () => emulator.close() };
}
