import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OTHER_ADMIN_UPN, demoSeed } from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { adminConsentReturn, consentRoundTrip } from '../support/consent-round-trip.js';
import { DIALECTS } from '../support/test-database.js';
import type { TestApp } from '../support/test-app.js';
import { clientAccount, emulatorEndpoints, holderOf, securityApp, system } from './support/security-app.js';

/**
 * "The consent state can be replayed for its hour" (issue 14): a consent's `state` completes once, only for the
 * account, service and administrator that started it, and not after an hour.
 */
describe.each(DIALECTS)('the consent state is single use and bound to its start (%s)', (dialect) => {
  let emulator: RunningEmulator;
  let t: TestApp;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await securityApp(dialect, emulator);
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  async function start(name: string, role: 'account_owner' | 'service_contributor' = 'account_owner') {
    const { account } = await clientAccount(t, name);
    const owner = await holderOf(t, account.id, role);
    const connect = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/accounts/${account.id}/tenant-connection`,
      headers: owner.headers,
      payload: emulatorEndpoints(emulator),
    });
    expect(connect.statusCode).toBe(200);
    return { account, owner, consentUrl: connect.json<{ consentUrl: string }>().consentUrl };
  }
  const grants = async (accountId: string) =>
    (await t.ctx.store.repos.audit.list(accountId, { limit: 50 })).filter(
      (e) => e.action === 'tenant_connection.consent_granted',
    );

  it('refuses a replayed callback, at either step, and records the grant once', async () => {
    const { account, consentUrl } = await start('Replay');
    const trip = await consentRoundTrip(t.app, consentUrl, { upn: DEMO_OTHER_ADMIN_UPN });
    expect(trip.final.json()).toMatchObject({ consentState: 'granted' });
    for (const search of [trip.signInReturn, trip.consentReturn]) {
      const replayed = await t.app.inject({ url: `/api/v1/consent/callback${search}` });
      expect(replayed.statusCode).toBe(400);
      expect(replayed.json()).toMatchObject({ code: 'validation_failed', details: { field: 'state' } });
    }
    expect(await grants(account.id)).toHaveLength(1);
  });

  it("does not combine one consent's code with another's state", async () => {
    const first = await start('First');
    const second = await start('Second');
    const trip = await consentRoundTrip(t.app, first.consentUrl, { upn: DEMO_OTHER_ADMIN_UPN });
    expect(trip.final.statusCode).toBe(409); // the first test's account holds Fabrikam
    const secondReturn = await adminConsentReturn(second.consentUrl, DEMO_OTHER_ADMIN_UPN);
    const secondState = new URLSearchParams(secondReturn).get('state')!;
    await t.app.inject({ url: `/api/v1/consent/callback${secondReturn}` });
    const mixed = new URLSearchParams(trip.signInReturn);
    mixed.set('state', secondState);
    const answer = await t.app.inject({ url: `/api/v1/consent/callback?${mixed.toString()}` });
    expect(answer.statusCode).toBeGreaterThanOrEqual(400);
    for (const { account } of [first, second]) {
      expect(await t.ctx.store.repos.tenantConnections.findByAccount(account.id)).toMatchObject({
        consentState: 'pending',
      });
    }
  });

  it('refuses the consent of an administrator who lost the role since starting it', async () => {
    const { account, owner, consentUrl } = await start('Revoked', 'service_contributor');
    await t.ctx.services.administrators.revokeRole(system, account.id, owner.id, 'service_contributor');
    const trip = await consentRoundTrip(t.app, consentUrl, { upn: DEMO_OTHER_ADMIN_UPN });
    expect(trip.final.statusCode).toBe(403);
    expect(await grants(account.id)).toHaveLength(0);
  });

  it('refuses a state older than an hour', async () => {
    const { account, consentUrl } = await start('Late');
    const query = Object.fromEntries(
      new URLSearchParams(await adminConsentReturn(consentUrl, DEMO_OTHER_ADMIN_UPN)),
    );
    await expect(
      t.ctx.services.tenantConnections.completeConsent(query, Date.now() + 61 * 60_000),
    ).rejects.toMatchObject({ code: 'validation_failed', details: { field: 'state' } });
    expect(await grants(account.id)).toHaveLength(0);
  });
});
