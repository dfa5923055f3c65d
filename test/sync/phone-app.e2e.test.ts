import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultTeamsSettings,
  type SyncLogLine,
  type SyncRun,
  type TeamsSettings,
  type User,
} from '../../src/domain/records.js';
import type { SyncChange } from '../../src/domain/sync/sync-plan.js';
import {
  DEMO_GROUPS,
  DEMO_PHONE_APP_DOMAIN,
  DEMO_PHONE_APP_TEAMS_APP_ID,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { demoTenantAccount, fastClients, syncToEnd } from '../support/demo-tenant-account.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

type RunView = SyncRun & { plan: SyncChange[]; log: SyncLogLine[] };

const actor = { type: 'system', id: null, label: 'test', source: 'api' } as const;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const PHONE_APP_USERS = range(19, 28).map(demoUserId);
const active: Partial<TeamsSettings> = { phoneAppEnabled: true, phoneAppConsent: 'granted' };

/** A tenant, a Callbridge with its demo account, and what the tests look at on both sides. */
async function setUp(dialect: 'sqlite' | 'postgres', faults?: object) {
  const emulator: RunningEmulator = await startEmulator({ seed: demoSeed() });
  const t: TestApp = await createTestApp(dialect, { microsoftClients: fastClients });
  const admin = (method: string, path: string, body?: object) =>
    fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body && { body: JSON.stringify(body) }),
    }).then(async (r) => {
      expect(r.ok).toBe(true);
      return r.status === 204 ? null : ((await r.json()) as Record<string, unknown>);
    });
  if (faults) await admin('PUT', '/faults', faults);
  const { services, store } = t.ctx;
  const { account, service } = await demoTenantAccount(t.ctx, emulator);
  return {
    emulator,
    t,
    admin,
    async close() {
      await t.close();
      await emulator.close();
    },
    async setTeams(patch: Partial<TeamsSettings>) {
      // The service schema does not take Teams settings (the Phone App service sets them): the repository does.
      await store.repos.services.update(account.id, service.id, {
        teams: { ...defaultTeamsSettings, ...patch },
      });
    },
    async sync(): Promise<RunView> {
      return (await syncToEnd(t.ctx, account.id, service.id)) as RunView;
    },
    async users(): Promise<Map<string, User>> {
      const all = await store.repos.users.listForSync(account.id, service.id);
      return new Map(all.map((u) => [u.objectId ?? u.id, u]));
    },
    async phoneAppUsers(): Promise<string[]> {
      const all = await store.repos.users.listForSync(account.id, service.id);
      return all
        .filter((u) => u.kind === 'phone_app' && u.tenantState === 'active')
        .map((u) => u.objectId!)
        .sort();
    },
    /** Users the emulator holds the Phone App for, one entry per installation. */
    async installs(): Promise<string[]> {
      const body = await admin('GET', `/installed-apps?teamsAppId=${DEMO_PHONE_APP_TEAMS_APP_ID}`);
      return (body!['value'] as { userId: string }[]).map((i) => i.userId).sort();
    },
    queued: () => store.repos.users.countQueuedNumberChanges(account.id, service.id),
    setNumber: async (objectId: string, phoneNumber: string | null) => {
      const user = (await store.repos.users.listForSync(account.id, service.id)).find(
        (u) => u.objectId === objectId,
      )!;
      await services.users.update(actor, account.id, user.id, { phoneNumber });
    },
    tenantNumbersOf: (objectId: string) =>
      emulator.tenants
        .get(DEMO_TENANT_ID)!
        .telephony.numbersOf(objectId)
        .map((n) => n.telephoneNumber),
    account,
    service,
  };
}

const logOf = (run: RunView) => run.log.map((l) => l.message).join('\n');
const findings = (run: RunView, check: string) =>
  run.log.filter((l) => l.level === 'warn' && l.message.startsWith(`Phone App check (${check})`));

describe.each(DIALECTS)('the Phone App inside Sync on %s', (dialect) => {
  let env: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    env = await setUp(dialect);
  });
  afterAll(async () => {
    await env.close();
  });

  it('changes nothing while the Phone App is not active: every candidate is a standard user', async () => {
    await env.setTeams({ phoneAppEnabled: true }); // enabled but not authorized yet: not active
    const run = await env.sync();
    expect(run.error).toBeNull();
    expect(await env.phoneAppUsers()).toEqual([]);
    expect((await env.users()).get(demoUserId(19))?.kind).toBe('standard');
    expect(await env.installs()).toEqual([]);
    expect(logOf(run)).not.toContain('Phone App check');
    expect(run.counters).not.toHaveProperty('phoneAppWarnings');
  });

  it('once active, syncs the candidates in as Phone App users, installs the app for each and checks them', async () => {
    await env.setTeams(active);
    const run = await env.sync();
    expect(run.error).toBeNull();
    expect(await env.phoneAppUsers()).toEqual(PHONE_APP_USERS);
    expect(run.counters).toMatchObject({ fullRead: 1, phoneAppUsers: 10, phoneAppInstalled: 10 });
    expect(await env.installs()).toEqual(PHONE_APP_USERS);
    // Islands users 27 and 28 are flagged each with the per-user Teams Only fix; the tenant is Teams Only.
    const teamsOnly = findings(run, 'teams_only');
    expect(teamsOnly).toHaveLength(2);
    const users = await env.users();
    expect(teamsOnly.map((l) => l.userId).sort()).toEqual(
      [users.get(demoUserId(27))!.id, users.get(demoUserId(28))!.id].sort(),
    );
    expect(teamsOnly[0]!.message).toMatch(/Islands mode, not Teams Only/);
    expect(teamsOnly[0]!.message).toContain('Set the Coexistence mode to Teams only');
    // The Phone App domain is on the allow-list: no external access finding.
    expect(findings(run, 'external_access')).toEqual([]);
    expect(run.state).toBe('warning');
    expect(run.counters['phoneAppWarnings']).toBe(
      run.log.filter((l) => /^Phone App check \(/.test(l.message)).length,
    );
  });

  it('never writes a Phone App user number to the tenant nor queues it, and installs nothing twice', async () => {
    await env.setNumber(demoUserId(20), '+442079460920');
    expect(await env.queued()).toBe(0);
    const run = await env.sync();
    expect(run.error).toBeNull();
    expect(run.counters).toMatchObject({ written: 0 });
    expect(run.counters['phoneAppInstalled'] ?? 0).toBe(0);
    expect(run.plan.filter((c) => c.type === 'write_number')).toEqual([]);
    expect(env.tenantNumbersOf(demoUserId(20))).toEqual([]);
    const tenantUser = env.emulator.tenants.get(DEMO_TENANT_ID)!.users.get(demoUserId(20))!;
    expect(tenantUser.voiceRoutingPolicy).toBeNull();
    expect((await env.users()).get(demoUserId(20))?.phoneNumber).toBe('+442079460920');
    expect(await env.installs()).toEqual(PHONE_APP_USERS);
  });

  it('reports external access that blocks the Phone App domain, with its fix, and a user moved to Teams Only no longer', async () => {
    await env.admin('PUT', '/federation', {
      allowFederatedUsers: true,
      allowedDomains: 'allKnown',
      blockedDomains: [DEMO_PHONE_APP_DOMAIN],
    });
    await env.admin('PATCH', `/users/${demoUserId(27)}`, { coexistenceMode: 'TeamsOnly' });
    const run = await env.sync();
    expect(run.error).toBeNull();
    const access = findings(run, 'external_access');
    expect(access).toHaveLength(1);
    expect(access[0]!.message).toContain(`${DEMO_PHONE_APP_DOMAIN} is blocked in external access`);
    expect(access[0]!.message).toContain(`Remove ${DEMO_PHONE_APP_DOMAIN} from the Blocked domains`);
    const users = await env.users();
    expect(findings(run, 'teams_only').map((l) => l.userId)).toEqual([users.get(demoUserId(28))!.id]);
    expect(run.state).toBe('warning');
    await env.admin('PUT', '/federation', {
      allowFederatedUsers: true,
      allowedDomains: [DEMO_PHONE_APP_DOMAIN, 'fabrikam.com'],
    });
  });

  it('in Large Tenant Mode, fails until the Phone App group is set, then syncs neither kind for a user in both groups', async () => {
    await env.setTeams({ ...active, largeTenantMode: true, standardGroupIds: [DEMO_GROUPS.standardUsers] });
    const refused = await env.sync();
    expect(refused.state).toBe('failed');
    expect(refused.error).toMatch(/Phone App group/);
    expect(refused.error).toMatch(/distinct from the standard/);

    await env.admin('POST', `/groups/${DEMO_GROUPS.standardUsers}/members`, { add: [demoUserId(19)] });
    await env.setTeams({
      ...active,
      largeTenantMode: true,
      standardGroupIds: [DEMO_GROUPS.standardUsers],
      phoneAppGroupId: DEMO_GROUPS.phoneAppUsers,
    });
    const run = await env.sync();
    expect(run.error).toBeNull();
    expect(run.counters['phoneAppConflicts']).toBe(1);
    const users = await env.users();
    const both = users.get(demoUserId(19))!;
    expect(logOf(run)).toContain(`${both.email} is in both a standard users' group and the Phone App group`);
    expect(both.tenantState).toBe('removed');
    expect(await env.phoneAppUsers()).toEqual(range(20, 28).map(demoUserId));
    // Standard group members (users 1-18, nested groups included) are standard users; others are not synced.
    expect(users.get(demoUserId(13))).toMatchObject({ kind: 'standard', tenantState: 'active' });
    expect(users.get(demoUserId(46))).toMatchObject({ kind: 'standard', tenantState: 'active' });
    expect(users.get(demoUserId(30))?.tenantState).toBe('removed');
    // User 19 stopped being a Phone App user: the app is removed from them.
    expect(await env.installs()).toEqual(range(20, 28).map(demoUserId));
    expect(run.state).toBe('warning');
    await env.admin('POST', `/groups/${DEMO_GROUPS.standardUsers}/members`, { remove: [demoUserId(19)] });
  });

  it('once deactivated, removes the app and takes every Phone App user back to standard', async () => {
    await env.setTeams({});
    const run = await env.sync();
    expect(run.error).toBeNull();
    expect(await env.phoneAppUsers()).toEqual([]);
    const users = await env.users();
    for (const id of PHONE_APP_USERS)
      expect(users.get(id)).toMatchObject({ kind: 'standard', tenantState: 'active' });
    expect(await env.installs()).toEqual([]);
    expect(run.counters['phoneAppRemoved']).toBe(9);
    expect(logOf(run)).not.toContain('Phone App check');
    // A standard user's portal number is for the tenant again: the sync tries to write it.
    expect(run.plan).toContainEqual(
      expect.objectContaining({ type: 'write_number', objectId: demoUserId(20), to: '+442079460920' }),
    );
  });
});

describe('the Phone App install under injected faults', () => {
  it('installs the app exactly once per Phone App user under 20% injected 429/503 answers', async () => {
    const env = await setUp('sqlite', {
      rates: { throttle: 0.1, unavailable: 0.1 },
      retryAfterSeconds: 0.01,
      randomSeed: 11,
    });
    try {
      await env.setTeams(active);
      const first = await env.sync();
      expect(first.error).toBeNull();
      const second = await env.sync();
      expect(second.error).toBeNull();
      const tenant = env.emulator.tenants.get(DEMO_TENANT_ID)!;
      const injected = Object.values(tenant.faults?.injected ?? {}).reduce((sum, n) => sum + n, 0);
      expect(injected).toBeGreaterThan(5);
      expect(await env.installs()).toEqual(PHONE_APP_USERS);
      expect(first.counters['phoneAppInstalled']).toBe(10);
      expect(second.counters['phoneAppInstalled'] ?? 0).toBe(0);
      expect(await env.phoneAppUsers()).toEqual(PHONE_APP_USERS);
    } finally {
      await env.close();
    }
  });
});
