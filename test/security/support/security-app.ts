import type { Role } from '../../../src/domain/access.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../../src/emulator/emulator.server.js';
import type { Dialect } from '../../../src/store/database.js';
import { fastClients } from '../../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../../support/test-app.js';

export const system = { type: 'system', id: null, label: 'security test', source: 'cli' } as const;

/**
 * The API as the probe found it: the provider's app configured (its id and secret are the emulator's
 * demo app), the emulator's endpoints allowed by the operator's configuration, so customers may connect to it.
 */
export function securityApp(dialect: Dialect, emulator: RunningEmulator): Promise<TestApp> {
  return createTestApp(dialect, {
    microsoftClients: fastClients,
    config: {
      microsoftClientId: DEMO_CLIENT_ID,
      microsoftClientSecret: DEMO_CLIENT_SECRET,
      microsoftAllowedEndpoints: `${emulator.url},${emulator.teamsAdminUrl}`,
    },
  });
}

let counter = 0;

/** A client account under its own partner, with a PBX service (in the United Kingdom unless told). */
export async function clientAccount(t: TestApp, name: string, country = 'GB') {
  const partner = await t.ctx.services.accounts.create(system, { name: `${name} partner`, kind: 'partner' });
  const account = await t.ctx.services.accounts.create(system, {
    name,
    kind: 'client',
    parentId: partner.id,
  });
  const service = await t.ctx.services.voiceServices.create(system, account.id, {
    name: 'PBX',
    sipDomain: `pbx${++counter}.example`,
    country,
  });
  return { account, service };
}

/** An administrator holding one role on one account: their id and API token headers. */
export async function holderOf(t: TestApp, accountId: string, role: Role) {
  const email = `${role.replace(/_/g, '-')}-${++counter}@security.test`;
  const administrator = await t.ctx.services.administrators.create(system, {
    email,
    password: 'long enough password',
  });
  await t.ctx.services.administrators.grantRole(system, accountId, email, role);
  const { token } = await t.ctx.services.administrators.createToken(system, email, 'security');
  return { id: administrator.id, email, headers: { authorization: `Bearer ${token}` } };
}

/** The emulator's endpoints as a connection body names them (a custom cloud). */
export function emulatorEndpoints(emulator: RunningEmulator) {
  return {
    cloud: 'custom' as const,
    authorityHost: emulator.url,
    graphBaseUrl: emulator.url,
    teamsAdminBaseUrl: emulator.teamsAdminUrl,
  };
}
