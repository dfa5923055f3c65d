import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PHONE_APP_DOMAIN,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';

/** The emulator's model of Teams external access for Phone App calls (seed 004), through its control API. */
describe('external access to Phone App users in the emulator', () => {
  let emulator: RunningEmulator;
  const base = () => `${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}`;
  const check = async (user: string, fromDomain = DEMO_PHONE_APP_DOMAIN) => {
    const response = await fetch(
      `${base()}/external-access/check?user=${encodeURIComponent(user)}&fromDomain=${fromDomain}`,
    );
    expect(response.status).toBe(200);
    return response.json() as Promise<{ allowed: boolean; sipStatus: number | null; reason: string | null }>;
  };
  const setFederation = async (federation: Record<string, unknown>) => {
    const response = await fetch(`${base()}/federation`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(federation),
    });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
  });
  afterAll(() => emulator.close());

  it('lets the Phone App domain reach a Teams Only user when it is on the allow-list', async () => {
    expect(await check(demoUserId(19))).toMatchObject({ allowed: true, sipStatus: null });
  });

  it('refuses a user in Islands mode (not Teams Only), whatever external access says', async () => {
    expect(await check(demoUserId(27))).toMatchObject({
      allowed: false,
      sipStatus: 480,
      reason: 'not_teams_only',
    });
  });

  it('declines with 603 when external access is off, or the allow-list lacks the Phone App domain', async () => {
    await setFederation({ allowFederatedUsers: false, allowedDomains: 'allKnown' });
    expect(await check(demoUserId(19))).toMatchObject({
      allowed: false,
      sipStatus: 603,
      reason: 'federation_off',
    });
    await setFederation({ allowFederatedUsers: true, allowedDomains: ['fabrikam.com'] });
    expect(await check(demoUserId(19))).toMatchObject({
      allowed: false,
      sipStatus: 603,
      reason: 'domain_not_allowed',
    });
  });

  it('honours the block list only with all known domains allowed, and its subdomains with BlockAllSubdomains', async () => {
    await setFederation({
      allowFederatedUsers: true,
      allowedDomains: 'allKnown',
      blockedDomains: ['callbridge.example'],
      blockAllSubdomains: false,
    });
    expect(await check(demoUserId(19))).toMatchObject({ allowed: true });
    await setFederation({
      allowFederatedUsers: true,
      allowedDomains: 'allKnown',
      blockedDomains: ['callbridge.example'],
      blockAllSubdomains: true,
    });
    expect(await check(demoUserId(19))).toMatchObject({
      allowed: false,
      sipStatus: 603,
      reason: 'domain_blocked',
    });
  });

  it('follows the tenant-wide coexistence mode for users who have none of their own', async () => {
    await setFederation({ allowFederatedUsers: true, allowedDomains: 'allKnown' });
    const patch = await fetch(`${base()}/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantCoexistenceMode: 'Islands' }),
    });
    expect(patch.status).toBe(200);
    expect(await check(demoUserId(19))).toMatchObject({ allowed: false, reason: 'not_teams_only' });
  });
});
