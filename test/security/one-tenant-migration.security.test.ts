import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as consentRequests from '../../src/store/migrations/0007-consent-requests.js';
import { DIALECTS } from '../support/test-database.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { system } from './support/security-app.js';

const TENANT = 'A1B2C3D4-0000-4000-8000-00000000abcd';

/**
 * "One tenant, one account" on a database from before (issue 14): migration 0007 keeps a tenant that several
 * accounts hold with the connection that had it first, takes it from the others (revoked, saying why), and from
 * then on the unique index refuses a second holder.
 */
describe.each(DIALECTS)('migration 0007 on a tenant held twice (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('keeps the first holder, revokes the others, and refuses a new second holder', async () => {
    const db = t.ctx.store.handle.db as unknown as Kysely<unknown>;
    await consentRequests.down(db);
    const partner = await t.ctx.services.accounts.create(system, { name: 'P', kind: 'partner' });
    const ids: string[] = [];
    for (const name of ['First', 'Second']) {
      const account = await t.ctx.services.accounts.create(system, {
        name,
        kind: 'client',
        parentId: partner.id,
      });
      await t.ctx.store.repos.tenantConnections.create({
        accountId: account.id,
        tenantId: name === 'First' ? TENANT : TENANT.toLowerCase(),
        cloud: 'global',
        authorityHost: 'https://login.microsoftonline.com',
        graphBaseUrl: 'https://graph.microsoft.com',
        teamsAdminBaseUrl: null,
        clientId: 'app',
        clientSecretEnc: null,
        consentState: 'granted',
        consentError: null,
        consentedAt: new Date().toISOString(),
        deltaLink: null,
      });
      ids.push(account.id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await consentRequests.up(db);
    const [first, second] = await Promise.all(
      ids.map((id) => t.ctx.store.repos.tenantConnections.findByAccount(id)),
    );
    expect(first).toMatchObject({ tenantId: TENANT.toLowerCase(), consentState: 'granted' });
    expect(second).toMatchObject({ tenantId: null, consentState: 'revoked' });
    expect(second!.consentError).toMatch(/platform operator/);
    await expect(
      t.ctx.store.repos.tenantConnections.update(ids[1]!, { tenantId: TENANT }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });
});
