import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService } from '../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../test/support/test-database.js';
import { defaultTeamsSettings } from '../domain/records.js';
import type { DatabaseHandle } from './database.js';
import type { UserWrite } from './repositories/users.repository.js';
import { Store } from './store.js';

const actor = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

function userInput(
  accountId: string,
  serviceId: string,
  n: number,
  extra: Partial<UserWrite> = {},
): UserWrite {
  return {
    accountId,
    serviceId,
    objectId: null,
    upn: null,
    email: `user${n}@contoso.example`,
    displayName: `User ${String(n).padStart(3, '0')}`,
    kind: 'standard',
    tenantState: 'not_synced',
    usageLocation: 'GB',
    coexistenceMode: null,
    licences: [],
    phoneNumber: null,
    extension: null,
    numberType: null,
    sipUsername: null,
    authUsername: null,
    sipPasswordEnc: null,
    registrationEnabled: true,
    registrationState: 'pending',
    registrationDetail: {},
    externalId: null,
    ...extra,
  };
}

describe.each(DIALECTS)('repositories on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
  });
  afterAll(() => handle.drop());

  const clientWithService = (name: string) =>
    clientWithPbxService(store, name, { name: 'Head office PBX', sipDomain: 'pbx.contoso.example' });

  it('creates a partner with a client and lists the client beneath it', async () => {
    const { partner, client } = await clientWithService('Contoso');
    expect(await store.repos.accounts.listChildren(partner.id)).toEqual([client]);
    expect(await store.repos.accounts.findById(client.id)).toEqual(client);
  });

  it('refuses a second account with the same name under the same parent', async () => {
    const { partner } = await clientWithService('Fabrikam');
    await expect(
      store.repos.accounts.create({ parentId: partner.id, kind: 'client', name: 'Fabrikam' }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('scopes services to their account', async () => {
    const a = await clientWithService('Scoped A');
    const b = await clientWithService('Scoped B');
    expect(await store.repos.services.findById(a.client.id, a.service.id)).toEqual(a.service);
    expect(await store.repos.services.findById(b.client.id, a.service.id)).toBeUndefined();
  });

  it('updates a service and keeps its Teams settings', async () => {
    const { client, service } = await clientWithService('Update service');
    const updated = await store.repos.services.update(client.id, service.id, {
      transport: 'tcp',
      teams: { ...defaultTeamsSettings, largeTenantMode: true, standardGroupIds: ['g1'] },
    });
    expect(updated).toMatchObject({
      transport: 'tcp',
      teams: { largeTenantMode: true, standardGroupIds: ['g1'] },
    });
  });

  it('stores users, keeps the password out of the record, and refuses a number held by another user', async () => {
    const { client, service } = await clientWithService('Numbers');
    const first = await store.repos.users.create(
      userInput(client.id, service.id, 1, { phoneNumber: '+441235123465', sipPasswordEnc: 'v1:cipher' }),
    );
    expect(first.hasSipPassword).toBe(true);
    expect(JSON.stringify(first)).not.toContain('cipher');
    await expect(
      store.repos.users.create(userInput(client.id, service.id, 2, { phoneNumber: '+441235123465' })),
    ).rejects.toMatchObject({
      code: 'conflict',
      details: { field: 'phoneNumber' },
    });
    // The same main number with another extension is a different line.
    const ext = await store.repos.users.create(
      userInput(client.id, service.id, 3, { phoneNumber: '+441235123465', extension: '201' }),
    );
    expect(ext.extension).toBe('201');
    expect((await store.repos.users.findByNumber(client.id, '+441235123465', null))?.id).toBe(first.id);
  });

  it('refuses a duplicate email or SIP username within a service', async () => {
    const { client, service } = await clientWithService('Dupes');
    await store.repos.users.create(userInput(client.id, service.id, 1, { sipUsername: '1001' }));
    await expect(store.repos.users.create(userInput(client.id, service.id, 1))).rejects.toMatchObject({
      details: { field: 'email' },
    });
    await expect(
      store.repos.users.create(userInput(client.id, service.id, 2, { sipUsername: '1001' })),
    ).rejects.toMatchObject({ details: { field: 'sipUsername' } });
  });

  it('lists users with paging, search and sort', async () => {
    const { client, service } = await clientWithService('Listing');
    for (let n = 1; n <= 25; n++)
      await store.repos.users.create(
        userInput(client.id, service.id, n, { sipUsername: `2${String(n).padStart(3, '0')}` }),
      );
    const page = await store.repos.users.list(client.id, { serviceId: service.id, limit: 10, offset: 10 });
    expect(page.total).toBe(25);
    expect(page.items.map((u) => u.displayName)).toEqual(
      Array.from({ length: 10 }, (_, i) => `User ${String(i + 11).padStart(3, '0')}`),
    );
    const found = await store.repos.users.list(client.id, { search: 'USER7@', limit: 10, offset: 0 });
    expect(found.items.map((u) => u.email)).toEqual(['user7@contoso.example']);
    const bySip = await store.repos.users.list(client.id, { search: '2025', limit: 10, offset: 0 });
    expect(bySip.items.map((u) => u.sipUsername)).toEqual(['2025']);
    const desc = await store.repos.users.list(client.id, {
      sort: 'email',
      order: 'desc',
      limit: 1,
      offset: 0,
    });
    expect(desc.items[0]?.email).toBe('user9@contoso.example');
  });

  it('updates a user only at the expected version', async () => {
    const { client, service } = await clientWithService('Versions');
    const user = await store.repos.users.create(
      userInput(client.id, service.id, 1, { sipPasswordEnc: 'v1:keep' }),
    );
    const updated = await store.repos.users.update(client.id, user.id, { displayName: 'Renamed' }, 1);
    expect(updated).toMatchObject({ displayName: 'Renamed', version: 2, hasSipPassword: true });
    expect(await store.repos.users.findPasswordCiphertext(client.id, user.id)).toBe('v1:keep');
    await expect(
      store.repos.users.update(client.id, user.id, { displayName: 'Stale' }, 1),
    ).rejects.toMatchObject({ code: 'precondition_failed' });
  });

  it('rolls back every write of a failed transaction', async () => {
    const { client, service } = await clientWithService('Rollback');
    await expect(
      store.transaction(async (tx) => {
        await tx.users.create(userInput(client.id, service.id, 1));
        await tx.audit.append({
          accountId: client.id,
          actor,
          action: 'create',
          objectType: 'user',
          objectId: 'x',
          before: null,
          after: {},
        });
        await tx.users.create(userInput(client.id, service.id, 1));
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect((await store.repos.users.list(client.id, { limit: 10, offset: 0 })).total).toBe(0);
    expect(await store.repos.audit.list(client.id, { limit: 10 })).toEqual([]);
  });

  it('keeps subscriptions and a single tenant connection per account', async () => {
    const { client } = await clientWithService('Licences');
    const sub = await store.repos.subscriptions.create({
      accountId: client.id,
      sku: 'pbx_user',
      trial: true,
      quantity: 10,
      trialEndsAt: '2026-12-23T00:00:00.000Z',
    });
    expect(await store.repos.subscriptions.listByAccount(client.id)).toEqual([sub]);
    const base = {
      accountId: client.id,
      tenantId: null,
      cloud: 'global',
      authorityHost: 'https://login.microsoftonline.com',
      graphBaseUrl: 'https://graph.microsoft.com',
      teamsAdminBaseUrl: null,
      consentState: 'not_connected',
      consentError: null,
      consentedAt: null,
      clientId: null,
      clientSecretEnc: 'v1:secret',
      deltaLink: null,
    } as const;
    const connection = await store.repos.tenantConnections.create(base);
    expect(connection.hasClientSecret).toBe(true);
    await expect(store.repos.tenantConnections.create(base)).rejects.toMatchObject({ code: 'conflict' });
    const granted = await store.repos.tenantConnections.update(client.id, {
      consentState: 'granted',
      tenantId: 'tid',
    });
    expect(granted).toMatchObject({ consentState: 'granted', tenantId: 'tid', hasClientSecret: true });
  });

  it('hands a due job to one worker, lets the lease expire, and lets another take it over', async () => {
    const { client } = await clientWithService('Jobs');
    const { job } = await store.repos.jobs.enqueue({
      kind: 'sync',
      accountId: client.id,
      payload: { serviceId: 's' },
      dedupeKey: `sync:${client.id}`,
    });
    const joined = await store.repos.jobs.enqueue({
      kind: 'sync',
      accountId: client.id,
      payload: {},
      dedupeKey: `sync:${client.id}`,
    });
    expect(joined).toMatchObject({ joined: true, job: { id: job.id } });
    const claimed = await store.repos.jobs.claim('worker-a', 1, ['sync']);
    expect(claimed).toMatchObject({ id: job.id, state: 'running', attempts: 1, lockedBy: 'worker-a' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const takenOver = await store.repos.jobs.claim('worker-b', 60_000, ['sync']);
    expect(takenOver).toMatchObject({ id: job.id, lockedBy: 'worker-b', attempts: 2 });
    expect(await store.repos.jobs.heartbeat(job.id, 'worker-a', 1000)).toBe(false);
    expect(await store.repos.jobs.heartbeat(job.id, 'worker-b', 60_000, { page: 3 })).toBe(true);
    await store.repos.jobs.complete(job.id, 'worker-b', { added: 3 });
    expect(await store.repos.jobs.findById(job.id)).toMatchObject({
      state: 'succeeded',
      progress: { page: 3 },
      result: { added: 3 },
    });
    expect(await store.repos.jobs.claim('worker-c', 1000, ['sync'])).toBeUndefined();
  });

  it('records audit entries queryable by object, newest first, with a cursor', async () => {
    const { client } = await clientWithService('Audit');
    for (const n of [1, 2, 3]) {
      await store.repos.audit.append({
        accountId: client.id,
        actor,
        action: 'update',
        objectType: 'user',
        objectId: 'u1',
        before: { n: n - 1 },
        after: { n },
      });
    }
    const first = await store.repos.audit.list(client.id, { objectType: 'user', objectId: 'u1', limit: 2 });
    expect(first.map((e) => e.after)).toEqual([{ n: 3 }, { n: 2 }]);
    const last = first[1]!;
    const rest = await store.repos.audit.list(client.id, {
      objectType: 'user',
      objectId: 'u1',
      limit: 2,
      before: last.id,
    });
    expect(rest.map((e) => e.after)).toEqual([{ n: 1 }]);
  });

  it('keeps administrators unique by email and finds live API tokens only', async () => {
    const admin = await store.repos.administrators.create({
      email: `Ops-${dialect}@Example.com`,
      displayName: 'Ops',
      passwordHash: 'h',
    });
    await expect(
      store.repos.administrators.create({
        email: `ops-${dialect}@example.com`,
        displayName: 'x',
        passwordHash: null,
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    const token = await store.repos.administrators.createToken({
      administratorId: admin.id,
      name: 'ci',
      tokenHash: `hash-${dialect}`,
      prefix: 'cb_abc',
      expiresAt: null,
    });
    expect((await store.repos.administrators.findLiveToken(`hash-${dialect}`))?.administrator.id).toBe(
      admin.id,
    );
    expect(await store.repos.administrators.revokeToken(admin.id, token.id)).toBe(true);
    expect(await store.repos.administrators.findLiveToken(`hash-${dialect}`)).toBeUndefined();
  });
});
