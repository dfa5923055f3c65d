import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_PHONE_APP_TEAMS_APP_ID,
  DEMO_TENANT_ID,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import type { GraphTenantClient } from '../../src/microsoft/graph-tenant.client.js';
import { demoClient, setFaults, startDemoEmulator } from './support/emulator.fixture.js';

let emulator: RunningEmulator;
let client: GraphTenantClient;
beforeEach(async () => {
  emulator = await startDemoEmulator();
  client = demoClient(emulator);
});
afterEach(() => emulator.close());

const OTHER_APP = '6a1b2c3d-0000-4000-8000-0000000a99a0';
/** A raw Graph call through the client's own transport (token, retries), any status accepted. */
const graph = (url: string, method: 'GET' | 'POST' = 'GET', body?: object) =>
  client.transport.send({ method, url, ...(body && { body }), acceptStatuses: [400, 404, 409] });

/** Installations the emulator holds, through its admin endpoint. */
async function installs(teamsAppId?: string): Promise<{ userId: string; teamsAppId: string }[]> {
  const query = teamsAppId ? `?teamsAppId=${teamsAppId}` : '';
  const response = await fetch(`${emulator.url}/_emulator/tenants/${DEMO_TENANT_ID}/installed-apps${query}`);
  expect(response.ok).toBe(true);
  return ((await response.json()) as { value: { userId: string; teamsAppId: string }[] }).value;
}

describe('Teams apps in users personal scope (userteamwork installedApps)', () => {
  it('lists one app through $filter=teamsApp/id eq, with the app expanded, as Microsoft shapes it', async () => {
    await client.installTeamsApp([demoUserId(19)], DEMO_PHONE_APP_TEAMS_APP_ID);
    await client.installTeamsApp([demoUserId(19)], OTHER_APP);
    const all = await client.listInstalledTeamsApps(demoUserId(19));
    expect(all.map((a) => a.teamsAppId).sort()).toEqual([DEMO_PHONE_APP_TEAMS_APP_ID, OTHER_APP].sort());
    const phoneApp = await client.listInstalledTeamsApps(demoUserId(19), DEMO_PHONE_APP_TEAMS_APP_ID);
    expect(phoneApp).toEqual([
      {
        installationId: expect.any(String),
        teamsAppId: DEMO_PHONE_APP_TEAMS_APP_ID,
        displayName: 'Callbridge Phone App',
      },
    ]);
    // The installation id is not the app id (Microsoft's note on teamsAppInstallation).
    expect(phoneApp[0]!.installationId).not.toBe(DEMO_PHONE_APP_TEAMS_APP_ID);

    const plain = await graph(`/v1.0/users/${demoUserId(19)}/teamwork/installedApps`);
    const items = (plain.body as { value: object[] }).value;
    expect(items).toHaveLength(2);
    expect(items.every((i) => Object.keys(i).join() === 'id')).toBe(true);
    const refused = await graph(
      `/v1.0/users/${demoUserId(19)}/teamwork/installedApps?$filter=${encodeURIComponent('teamsApp/id wobble 1')}`,
    );
    expect(refused.status).toBe(400);
    expect((refused.body as { error: { code: string } }).error.code).toBe('BadRequest');
  });

  it('answers 201 to an install and 409 Conflict to a second one, which the client counts as done', async () => {
    const body = {
      'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${DEMO_PHONE_APP_TEAMS_APP_ID}`,
    };
    const path = `/v1.0/users/${demoUserId(20)}/teamwork/installedApps`;
    const first = await graph(path, 'POST', body);
    expect(first.status).toBe(201);
    expect(first.body).toBeUndefined();
    const second = await graph(path, 'POST', body);
    expect(second.status).toBe(409);
    expect((second.body as { error: { code: string } }).error.code).toBe('Conflict');
    expect((await client.installTeamsApp([demoUserId(20)], DEMO_PHONE_APP_TEAMS_APP_ID))[0]).toMatchObject({
      ok: true,
    });
    expect(await installs(DEMO_PHONE_APP_TEAMS_APP_ID)).toEqual([
      expect.objectContaining({ userId: demoUserId(20), teamsAppId: DEMO_PHONE_APP_TEAMS_APP_ID }),
    ]);
  });

  it('removes an app from many users through $batch, keeping their other apps; absent or gone users count as done', async () => {
    const users = [19, 20, 21, 22].map(demoUserId);
    await client.installTeamsApp(users, DEMO_PHONE_APP_TEAMS_APP_ID);
    await client.installTeamsApp([demoUserId(19)], OTHER_APP);
    const outcomes = await client.uninstallTeamsAppForUsers(
      [...users, demoUserId(23), 'd3000000-0000-4000-8000-999999999999'],
      DEMO_PHONE_APP_TEAMS_APP_ID,
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true, true]);
    expect(await installs(DEMO_PHONE_APP_TEAMS_APP_ID)).toEqual([]);
    expect(await installs()).toEqual([
      expect.objectContaining({ userId: demoUserId(19), teamsAppId: OTHER_APP }),
    ]);
  });

  it('installs and removes under injected throttling without installing twice', async () => {
    await setFaults(emulator, {
      rates: { throttle: 0.25, unavailable: 0.15 },
      retryAfterSeconds: 0.01,
      randomSeed: 3,
    });
    const users = Array.from({ length: 30 }, (_, i) => demoUserId(i + 1));
    expect((await client.installTeamsApp(users, DEMO_PHONE_APP_TEAMS_APP_ID)).every((o) => o.ok)).toBe(true);
    expect((await client.installTeamsApp(users, DEMO_PHONE_APP_TEAMS_APP_ID)).every((o) => o.ok)).toBe(true);
    const held = (await installs(DEMO_PHONE_APP_TEAMS_APP_ID)).map((i) => i.userId);
    expect(held.sort()).toEqual([...users].sort());
    expect(
      (await client.uninstallTeamsAppForUsers(users, DEMO_PHONE_APP_TEAMS_APP_ID)).every((o) => o.ok),
    ).toBe(true);
    expect(await installs(DEMO_PHONE_APP_TEAMS_APP_ID)).toEqual([]);
  });
});
