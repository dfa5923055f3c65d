import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_GROUPS,
  DEMO_PHONE_APP_DOMAIN,
  DEMO_UNCONSENTED_TENANT_ID,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import { GraphError, TokenError } from '../../src/microsoft/graph.error.js';
import { indexSkus, licenceFlagsOf } from '../../src/microsoft/licence.mapper.js';
import { isDomainReachable } from '../../src/microsoft/teams-admin.parsers.js';
import type { DiagnosticExchange } from '../../src/microsoft/diagnostics.js';
import { collect, demoClient, startDemoEmulator } from './support/emulator.fixture.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startDemoEmulator();
});
afterAll(() => emulator.close());

describe('tokens through msal-node against the emulator', () => {
  it('refuses a wrong secret with the token endpoint error shape kept', async () => {
    const client = demoClient(emulator, {}, { clientSecret: 'wrong' });
    const error = await collect(client.listUsers()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).error).toBe('invalid_client');
    expect((error as TokenError).errorCodes).toEqual([7000215]);
    expect((error as TokenError).traceId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a tenant that has not consented', async () => {
    const client = demoClient(emulator, {}, { tenantId: DEMO_UNCONSENTED_TENANT_ID });
    const error = (await client.listSubscribedSkus().catch((e: unknown) => e)) as TokenError;
    expect(error).toBeInstanceOf(TokenError);
    expect(error.errorCodes).toEqual([7000229]);
    expect(error.message).toContain('administrator must consent');
  });

  it('never hands a secret or token to the diagnostic hook', async () => {
    const exchanges: DiagnosticExchange[] = [];
    const client = demoClient(emulator, { onExchange: (e) => exchanges.push(e) });
    await client.listSubscribedSkus();
    const token = exchanges.find((e) => e.api === 'token' && e.method === 'POST')!;
    expect(token.requestBody).toContain('client_secret=%5Bredacted%5D');
    expect(token.responseBody).toContain('"access_token":"[redacted]"');
    expect(JSON.stringify(exchanges)).not.toContain('callbridge-demo-secret');
    expect(
      exchanges.some((e) => e.api === 'graph' && e.status === 200 && e.url.endsWith('/v1.0/subscribedSkus')),
    ).toBe(true);
  });
});

describe('directory reads', () => {
  it('pages users with @odata.nextLink until every user is read once', async () => {
    const { items, pages } = await collect(demoClient(emulator).listUsers({ pageSize: 7 }));
    expect(pages).toBe(8);
    expect(new Set(items.map((u) => u.id)).size).toBe(50);
    const adele = items.find((u) => u.id === demoUserId(1))!;
    expect(adele).toMatchObject({ displayName: 'Adele Vance', accountEnabled: true, usageLocation: 'GB' });
    expect(adele.assignedLicenses).toHaveLength(1);
  });

  it('reads transitive group members, nested groups included, with ConsistencyLevel on every page', async () => {
    // The emulator refuses $count without ConsistencyLevel: eventual, so a small page size proves the header is re-sent.
    const { items, pages } = await collect(
      demoClient(emulator).listGroupMembers(DEMO_GROUPS.standardUsers, { pageSize: 5 }),
    );
    expect(pages).toBe(5);
    expect(items.map((u) => u.id).sort()).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 45, 46, 47, 48].map(demoUserId).sort(),
    );
  });

  it('surfaces an unknown group as a GraphError with Microsoft code and message', async () => {
    const error = await collect(demoClient(emulator).listGroupMembers('no-such-group')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).graphCode).toBe('Request_ResourceNotFound');
    expect((error as GraphError).httpStatus).toBe(404);
    expect((error as GraphError).message).toContain("'no-such-group' does not exist");
  });

  it('derives Teams Phone, Calling Plan and Phone App eligibility from SKUs and assigned licences', async () => {
    const client = demoClient(emulator);
    const skus = indexSkus(await client.listSubscribedSkus());
    const { items } = await collect(client.listUsers());
    const flags = (n: number) =>
      licenceFlagsOf(
        items.find((u) => u.id === demoUserId(n))!,
        skus,
      );
    expect(flags(1)).toMatchObject({ hasTeamsPhone: true, hasCallingPlan: false, phoneAppCandidate: false });
    expect(flags(13)).toMatchObject({ hasTeamsPhone: true, skuPartNumbers: ['SPE_E3', 'MCOEV'] });
    expect(flags(19)).toMatchObject({ hasTeams: true, hasTeamsPhone: false, phoneAppCandidate: true });
    expect(flags(33)).toMatchObject({ hasCallingPlan: true, phoneAppCandidate: false });
    expect(flags(41)).toMatchObject({ hasTeams: false, phoneAppCandidate: false });
    const e5 = [...skus.values()].find((s) => s.skuPartNumber === 'ENTERPRISEPREMIUM')!;
    expect(e5.consumedUnits).toBeGreaterThan(10);
  });
});

describe('Teams reads', () => {
  it('lists Teams user configurations with resource accounts, numbers and enterprise voice', async () => {
    const { items } = await collect(demoClient(emulator).listTeamsUserConfigurations({ pageSize: 20 }));
    expect(items).toHaveLength(50);
    const resource = items.filter((c) => c.accountType === 'resourceAccount');
    expect(resource.map((r) => r.id)).toEqual([35, 36, 37].map(demoUserId));
    expect(resource[0]!.telephoneNumbers).toEqual([
      { telephoneNumber: '+442079460935', assignmentCategory: 'primary' },
    ]);
    const adele = items.find((c) => c.id === demoUserId(1))!;
    expect(adele).toMatchObject({
      isEnterpriseVoiceEnabled: true,
      telephoneNumbers: [{ telephoneNumber: '+442079460001' }],
    });
    expect(adele.effectivePolicyAssignments[0]).toMatchObject({
      policyType: 'OnlineVoiceRoutingPolicy',
      displayName: 'Callbridge',
    });
  });

  it('reads per-user Teams configurations through $batch, with null for unknown users', async () => {
    const ids = [
      ...Array.from({ length: 45 }, (_, i) => demoUserId(i + 1)),
      'd3000000-0000-4000-8000-0000000009ff',
    ];
    const configs = await demoClient(emulator).getTeamsUserConfigurations(ids);
    expect(configs.size).toBe(46);
    expect(configs.get(demoUserId(33))?.featureTypes).toContain('CallingPlan');
    expect(configs.get('d3000000-0000-4000-8000-0000000009ff')).toBeNull();
  });

  it('pages the number inventory with $top and $skip and filters it', async () => {
    const client = demoClient(emulator);
    const { items, pages } = await collect(client.listNumberAssignments({ pageSize: 4 }));
    // 13 Direct Routing numbers held, 2 Calling Plan numbers held, 2 free Calling Plan numbers.
    expect(items).toHaveLength(17);
    expect(pages).toBe(5);
    expect(items.map((n) => n.telephoneNumber)).toContain('+442079460150');
    expect(items.find((n) => n.telephoneNumber === '+442079460001')).toMatchObject({
      numberType: 'directRouting',
      assignmentTargetId: demoUserId(1),
      assignmentStatus: 'userAssigned',
    });
    const free = await collect(client.listNumberAssignments({ filter: "assignmentStatus eq 'unassigned'" }));
    expect(free.items.map((n) => n.telephoneNumber).sort()).toEqual(['+442079460150', '+442079460151']);
  });

  it('reads coexistence modes per user and for the tenant, and the federation allow-list', async () => {
    const client = demoClient(emulator);
    const { items } = await collect(client.listCoexistenceModes({ pageSize: 16 }));
    expect(items).toHaveLength(50);
    expect(items.filter((u) => u.mode === 'Islands').map((u) => u.userId)).toEqual(
      [27, 28, 29, 30, 31].map(demoUserId),
    );
    expect((await client.getCoexistenceMode(demoUserId(32)))?.mode).toBe('SfBWithTeamsCollab');
    expect(await client.getCoexistenceMode('unknown-user')).toBeNull();
    expect(await client.getTenantCoexistenceMode()).toBe('TeamsOnly');
    const federation = await client.getFederationSettings();
    expect(isDomainReachable(federation, DEMO_PHONE_APP_DOMAIN)).toBe(true);
    expect(isDomainReachable(federation, 'other.example')).toBe(false);
  });
});
