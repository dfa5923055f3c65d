import { expect } from 'vitest';
import { DEMO_PHONE_APP_CLIENT_ID, DEMO_TENANT_ID } from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, syncToEnd } from './demo-tenant-account.js';
import type { TestApp } from './test-app.js';

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/**
 * The demo tenant's client with the Phone App on: PBX and Phone App licences, the Phone App enabled and its
 * consent recorded (as the consent callback records it), then a real sync that brings the Phone App users in
 * (demo users 19-26 hold Teams without Teams Phone).
 */
export async function phoneAppTenant(
  t: TestApp,
  emulator: RunningEmulator,
): Promise<{ accountId: string; serviceId: string }> {
  const { account, service } = await demoTenantAccount(t.ctx, emulator);
  await t.ctx.services.subscriptions.create(system, account.id, { sku: 'pbx_user', quantity: 60 });
  await t.ctx.services.subscriptions.create(system, account.id, { sku: 'phone_app_user', quantity: 20 });
  await t.ctx.services.phoneApp.updateSettings(system, account.id, service.id, { phoneAppEnabled: true });
  await t.ctx.store.repos.services.update(account.id, service.id, {
    teams: {
      ...service.teams,
      phoneAppEnabled: true,
      phoneAppConsent: 'granted',
      phoneAppConsentAt: new Date().toISOString(),
    },
  });
  expect((await syncToEnd(t.ctx, account.id, service.id)).state).toMatch(/succeeded|warning/);
  return { accountId: account.id, serviceId: service.id };
}

/** What Teams' authentication.getAuthToken gives the tab, from the emulator's Entra ID. */
export async function teamsSsoToken(
  emulator: RunningEmulator,
  user: string,
  body: Record<string, unknown> = {},
  tenant = DEMO_TENANT_ID,
): Promise<string> {
  const response = await fetch(`${emulator.url}/_emulator/tenants/${tenant}/teams-sso-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, clientId: DEMO_PHONE_APP_CLIENT_ID, ...body }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}
