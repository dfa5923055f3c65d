import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe.each(DIALECTS)('rollback API on %s', (dialect) => {
  let t: TestApp;
  let clientA: string;
  let clientB: string;
  let importId: string;
  let ownerOfA: string;
  const call = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const { services } = t.ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    const client = async (name: string) => {
      const account = await services.accounts.create(system, { name, kind: 'client', parentId: partner.id });
      const service = await services.voiceServices.create(system, account.id, {
        name: 'PBX',
        sipDomain: 'pbx.example',
        country: 'GB',
      });
      await services.users.create(system, account.id, {
        serviceId: service.id,
        email: 'anna@example.test',
        displayName: 'Anna',
        phoneNumber: '+442079460001',
      });
      return { accountId: account.id, serviceId: service.id };
    };
    const a = await client('Client A');
    const b = await client('Client B');
    clientA = a.accountId;
    clientB = b.accountId;
    const csv =
      'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId\n,Anna,anna@example.test,+442079460999,,,\n';
    importId = (await services.userImport.import(system, clientB, b.serviceId, csv, { dryRun: false }))
      .importId!;
    await services.administrators.create(system, { email: 'owner@a.test', password: 'long enough password' });
    await services.administrators.grantRole(system, clientA, 'owner@a.test', 'account_owner');
    ownerOfA = (await services.administrators.createToken(system, 'owner@a.test', 'a')).token;
  }, 60_000);
  afterAll(() => t.close());

  it('lists the import and plans its rollback (a dry run by default) without changing anything', async () => {
    const list = await call(t.token, 'GET', `/api/v1/accounts/${clientB}/imports`);
    expect(list.json()).toEqual({ items: [expect.objectContaining({ id: importId, users: 1 })] });
    const plan = await call(t.token, 'POST', `/api/v1/accounts/${clientB}/imports/${importId}/rollback`, {});
    expect(plan.statusCode).toBe(200);
    expect(plan.json()).toMatchObject({
      kind: 'import',
      dryRun: true,
      rollbackId: null,
      plan: {
        counters: { restored: 1, conflicts: 0 },
        users: [
          {
            email: 'anna@example.test',
            action: 'restore',
            portal: [{ field: 'phoneNumber', now: '+442079460999', restored: '+442079460001' }],
          },
        ],
      },
    });
  });

  it('refuses an unknown field in the body, naming it', async () => {
    const answer = await call(t.token, 'POST', `/api/v1/accounts/${clientB}/imports/${importId}/rollback`, {
      dryRun: true,
      force: true,
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('force');
  });

  it('shows client A’s owner nothing of client B’s import: not found, as for an unknown id', async () => {
    const foreign = await call(ownerOfA, 'POST', `/api/v1/accounts/${clientA}/imports/${importId}/rollback`, {
      dryRun: false,
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json<{ message: string }>().message).toContain(importId);
    const other = await call(
      ownerOfA,
      'POST',
      `/api/v1/accounts/${clientB}/imports/${importId}/rollback`,
      {},
    );
    expect(other.statusCode).toBe(404);
    // Nothing was rolled back.
    const users = await t.ctx.store.repos.users.listAllInAccount(clientB);
    expect(users[0]?.phoneNumber).toBe('+442079460999');
  });
});
