import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import { DeltaResyncRequiredError } from '../../src/microsoft/directory.reader.js';
import type { GraphTenantClient } from '../../src/microsoft/graph-tenant.client.js';
import type { RemovedUser, TenantUserChange, UserDeltaPage } from '../../src/microsoft/microsoft.types.js';
import { admin, demoClient, startDemoEmulator } from './support/emulator.fixture.js';

let emulator: RunningEmulator;
let client: GraphTenantClient;
beforeEach(async () => {
  emulator = await startDemoEmulator();
  client = demoClient(emulator);
});
afterEach(() => emulator.close());

/** Apply delta pages in order, last occurrence winning, as the sync service will. */
async function readDelta(deltaLink: string | null) {
  const state = new Map<string, TenantUserChange | RemovedUser>();
  let link: string | null = null;
  const pages: UserDeltaPage[] = [];
  for await (const page of client.readUsersDelta(deltaLink)) {
    pages.push(page);
    for (const user of page.changed) state.set(user.id, user);
    for (const removed of page.removed) state.set(removed.id, removed);
    link = page.deltaLink;
  }
  return { state, link: link!, pages };
}

describe('users delta', () => {
  it('reads everyone first, then only what an administrator changed, with removals and their reasons', async () => {
    const first = await readDelta(null);
    expect(first.state.size).toBe(50);
    expect(first.link).toContain('$deltatoken=');

    await admin(emulator, 'PATCH', `/users/${demoUserId(12)}`, {
      displayName: 'Megan Bowen-Smith',
      licences: ['SPE_E3'],
    });
    await admin(emulator, 'DELETE', `/users/${demoUserId(41)}`);
    await admin(emulator, 'DELETE', `/users/${demoUserId(42)}?permanent=true`);
    await admin(emulator, 'POST', '/users', {
      id: 'd3000000-0000-4000-8000-000000000777',
      userPrincipalName: 'new.starter@contoso-demo.onmicrosoft.com',
      displayName: 'New Starter',
      licences: ['ENTERPRISEPREMIUM'],
    });

    const second = await readDelta(first.link);
    expect(second.state.get(demoUserId(12))).toMatchObject({ displayName: 'Megan Bowen-Smith' });
    expect(second.state.get(demoUserId(41))).toEqual({ id: demoUserId(41), reason: 'changed' });
    expect(second.state.get(demoUserId(42))).toEqual({ id: demoUserId(42), reason: 'deleted' });
    expect(second.state.get('d3000000-0000-4000-8000-000000000777')).toMatchObject({
      displayName: 'New Starter',
    });
    expect(second.state.size).toBe(4);

    const third = await readDelta(second.link);
    expect(third.state.size).toBe(0);
    expect(third.pages).toHaveLength(1);
  });

  it('sends an updated user as its id and only the properties that changed, a new user whole', async () => {
    const first = await readDelta(null);
    await admin(emulator, 'PATCH', `/users/${demoUserId(7)}`, { usageLocation: 'FR' });
    await admin(emulator, 'PATCH', `/users/${demoUserId(8)}`, { accountEnabled: false, licences: [] });
    const second = await readDelta(first.link);
    expect(second.state.get(demoUserId(7))).toEqual({ id: demoUserId(7), usageLocation: 'FR' });
    expect(second.state.get(demoUserId(8))).toEqual({
      id: demoUserId(8),
      accountEnabled: false,
      assignedLicenses: [],
    });
  });

  it('leaves Teams-side changes out of the users delta; the Teams configurations modified since show them', async () => {
    const first = await readDelta(null);
    const before = new Date(Date.now() - 1).toISOString();
    const outcome = await client.assignNumber({ telephoneNumber: '+442079460012', userId: demoUserId(12) });
    expect(outcome.state).toBe('succeeded');
    const second = await readDelta(first.link);
    expect(second.state.size).toBe(0);
    const modified: string[] = [];
    for await (const page of client.listTeamsUserConfigurations({ modifiedSince: before }))
      modified.push(...page.map((c) => `${c.id} ${c.telephoneNumbers[0]?.telephoneNumber}`));
    expect(modified).toEqual([`${demoUserId(12)} +442079460012`]);
  });

  it('gives a deltaLink from now on with $deltatoken=latest, reading nobody', async () => {
    const link = await client.latestUsersDeltaLink();
    await admin(emulator, 'PATCH', `/users/${demoUserId(5)}`, { displayName: 'Renamed Five' });
    const next = await readDelta(link);
    expect([...next.state.keys()]).toEqual([demoUserId(5)]);
  });

  it('keeps the last occurrence when Graph repeats an item across pages', async () => {
    await admin(emulator, 'PATCH', '/settings', { deltaDuplicates: true });
    const ids: string[] = [];
    let pages = 0;
    for await (const page of client.readUsersDelta(null, { pageSize: 10 })) {
      ids.push(...page.changed.map((u) => u.id));
      pages++;
    }
    expect(pages).toBe(5);
    expect(ids).toHaveLength(54); // each page after the first repeats one user
    expect(new Set(ids).size).toBe(50);
  });

  it('asks for a full read when the token is no longer known (410 Gone)', async () => {
    const first = await readDelta(null);
    await admin(emulator, 'POST', '/delta/reset');
    await expect(readDelta(first.link)).rejects.toBeInstanceOf(DeltaResyncRequiredError);
    const again = await readDelta(null);
    expect(again.state.size).toBe(50);
  });

  it('asks for a full read when the token is older than its lifetime', async () => {
    const first = await readDelta(null);
    await admin(emulator, 'PATCH', '/settings', { deltaTokenTtlMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = await readDelta(first.link).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeltaResyncRequiredError);
    expect((error as DeltaResyncRequiredError).message).toContain('full re-read');
  });
});
