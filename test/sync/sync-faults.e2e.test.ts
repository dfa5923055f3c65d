import { afterAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const actor = { type: 'system', id: null, label: 'test', source: 'api' } as const;
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of cleanup.reverse()) await stop();
});

/** Runs the same scenario against the demo tenant: first sync, three numbers set in the portal, second sync. */
async function scenario(faultRate: number): Promise<{
  users: unknown[];
  tenantNumbers: string[];
  operations: number;
  injected: number;
  runs: Record<string, number>[];
}> {
  const emulator: RunningEmulator = await startEmulator({ seed: demoSeed() });
  const t: TestApp = await createTestApp('sqlite', { microsoftClients: fastClients });
  cleanup.push(
    () => emulator.close(),
    () => t.close(),
  );
  if (faultRate > 0) {
    const faults = {
      rates: { throttle: faultRate / 2, unavailable: faultRate / 2 },
      retryAfterSeconds: 0.01,
      randomSeed: 7,
    };
    const answer = await fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    expect(answer.ok).toBe(true);
  }
  const { services, store } = t.ctx;
  const { account, service } = await demoTenantAccount(t.ctx, emulator);
  const runs: Record<string, number>[] = [];
  const sync = async () => {
    const done = await syncToEnd(t.ctx, account.id, service.id);
    expect(done.error).toBeNull();
    runs.push(done.counters);
  };
  await sync();
  const all = await store.repos.users.listForSync(account.id, service.id);
  for (const [n, number] of [
    [11, '+442079460111'],
    [12, '+442079460112'],
    [13, '+442079460113'],
  ] as const) {
    const user = all.find((u) => u.objectId === demoUserId(n))!;
    await services.users.update(actor, account.id, user.id, { phoneNumber: number });
  }
  await sync();
  const users = (await store.repos.users.listForSync(account.id, service.id))
    .map((u) => ({
      objectId: u.objectId,
      name: u.displayName,
      number: u.phoneNumber,
      state: u.tenantState,
      kind: u.kind,
      licences: u.licences,
      mode: u.coexistenceMode,
      synced: u.syncedLine,
      error: u.syncError,
    }))
    .sort((a, b) => (a.objectId ?? '').localeCompare(b.objectId ?? ''));
  const configs = await fastClients({
    tenantId: DEMO_TENANT_ID,
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    cloud: 'custom',
    authorityHost: emulator.url,
    graphBaseUrl: emulator.url,
    teamsAdminBaseUrl: emulator.teamsAdminUrl,
  }).getTeamsUserConfigurations([11, 12, 13].map(demoUserId));
  const tenantNumbers = [...configs.values()]
    .flatMap((c) => c?.telephoneNumbers.map((n) => n.telephoneNumber) ?? [])
    .sort();
  const tenant = emulator.tenants.get(DEMO_TENANT_ID)!;
  const injected = Object.values(tenant.faults?.injected ?? {}).reduce((sum, n) => sum + n, 0);
  return { users, tenantNumbers, operations: tenant.telephony.operations.size, injected, runs };
}

describe('sync under injected faults', () => {
  it('ends in the same state under 20% injected 429/503 answers as without faults, with no duplicate writes', async () => {
    const clean = await scenario(0);
    const faulty = await scenario(0.2);
    expect(clean.injected).toBe(0);
    expect(faulty.injected).toBeGreaterThan(5);
    expect(clean.tenantNumbers).toEqual(['+442079460111', '+442079460112', '+442079460113']);
    expect(faulty.users).toEqual(clean.users);
    expect(faulty.tenantNumbers).toEqual(clean.tenantNumbers);
    expect(faulty.runs).toEqual(clean.runs);
    // One assign operation per number written: retried reads and refused attempts never wrote twice.
    expect(faulty.operations).toBe(clean.operations);
    expect(clean.operations).toBe(3);
  });
});
