import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeCallUsers } from '../../src/calls/store-call-users.js';
import { DEMO_PHONE_APP_CLIENT_ID, demoSeed, demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { fastClients } from '../support/demo-tenant-account.js';
import { phoneAppTenant } from '../support/phone-app-tenant.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/**
 * Who a call reaches in Teams, as the B2BUA reads users from the store: a synced Phone App user is reached through
 * external access at their UPN (no Teams Phone, so no Direct Routing number), a standard user by their number.
 */
describe.each(DIALECTS)('the call users of Phone App users on %s', (dialect) => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let accountId: string;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, {
      microsoftClients: fastClients,
      config: { phoneAppClientId: DEMO_PHONE_APP_CLIENT_ID },
    });
    ({ accountId } = await phoneAppTenant(t, emulator));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  const withCredentials = async (objectId: string, sipUsername: string) => {
    const user = (await t.ctx.store.repos.users.findByObjectId(accountId, objectId))!;
    await t.ctx.services.users.update(system, accountId, user.id, { sipUsername, sipPassword: 'pw-123456' });
    return user;
  };

  it('gives a Phone App user their UPN for external access, and the PBX credentials of their desk phone', async () => {
    const debra = await withCredentials(demoUserId(19), 'debra');
    const callUser = await storeCallUsers(t.ctx, () => undefined).find(debra.id);
    expect(callUser).toMatchObject({
      phoneApp: { address: 'debra.berger@contoso-demo.onmicrosoft.com' },
      pbx: { sipUsername: 'debra', password: 'pw-123456' },
    });
  });

  it('gives a standard (Teams Phone) user no Phone App address: they are reached by Direct Routing', async () => {
    const adele = await withCredentials(demoUserId(1), 'adele');
    const callUser = await storeCallUsers(t.ctx, () => undefined).find(adele.id);
    expect(callUser?.phoneApp).toBeUndefined();
    expect(callUser?.number).toBe('+442079460001');
  });
});
