import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import { parseGraphErrorBody } from '../../src/microsoft/graph.error.js';
import {
  collectionItems,
  deltaLinkOf,
  nextLinkOf,
  parseNumberAssignment,
  parseNumberOperation,
  parseRemoved,
  parseSku,
  parseTeamsUserConfiguration,
  parseUser,
} from '../../src/microsoft/graph.parsers.js';
import { indexSkus, licenceFlagsOf } from '../../src/microsoft/licence.mapper.js';
import * as docs from './fixtures/graph-docs.fixtures.js';
import { demoClient, startDemoEmulator } from './support/emulator.fixture.js';

describe("Microsoft's documented payloads", () => {
  it('user-list.md: users parse with missing fields as null', () => {
    const users = collectionItems(docs.userListExample).map(parseUser);
    expect(users.map((u) => u?.userPrincipalName)).toEqual(['Adams@contoso.com', 'admin@contoso.com']);
    expect(users[1]).toMatchObject({ mail: null, accountEnabled: null, assignedLicenses: [] });
    expect(nextLinkOf(docs.userListExample)).toBeNull();
  });

  it('delta-query-users.md: @removed items and links are recognised', () => {
    const items = collectionItems(docs.deltaInitialExample);
    expect(items.map(parseRemoved).filter(Boolean)).toEqual([
      { id: '86462606-fde0-4fc4-9e0c-a20eb73e54c6', reason: 'deleted' },
    ]);
    expect(nextLinkOf(docs.deltaInitialExample)).toContain('$skiptoken=');
    expect(deltaLinkOf(docs.deltaInitialExample)).toBeNull();
    expect(collectionItems(docs.deltaChangesExample).map(parseRemoved)[1]).toEqual({
      id: '8ffff70c-1c63-4860-b963-e34ec660931d',
      reason: 'changed',
    });
    expect(deltaLinkOf(docs.deltaChangesExample)).toContain('$deltatoken=');
  });

  it('subscribedsku-list.md: SKUs parse; an E5 without MCOEV in its plan list gives no Teams Phone', () => {
    const skus = collectionItems(docs.subscribedSkusExample).flatMap((i) => parseSku(i) ?? []);
    expect(skus[0]).toMatchObject({
      skuPartNumber: 'ENTERPRISEPREMIUM',
      prepaidEnabled: 25,
      consumedUnits: 14,
    });
    const flags = licenceFlagsOf(
      { assignedLicenses: [{ skuId: skus[0]!.skuId, disabledPlans: [] }] },
      indexSkus(skus),
    );
    expect(flags).toMatchObject({ hasTeamsPhone: false, skuPartNumbers: ['ENTERPRISEPREMIUM'] });
  });

  it('list-userconfigurations.md: a Calling Plan user with a primary number', () => {
    const config = parseTeamsUserConfiguration(collectionItems(docs.userConfigurationsExample)[0]!);
    expect(config).toMatchObject({
      accountType: 'user',
      isEnterpriseVoiceEnabled: false,
      featureTypes: ['Teams', 'CallingPlan'],
      telephoneNumbers: [{ telephoneNumber: '+13235533696', assignmentCategory: 'primary' }],
    });
    expect(config?.effectivePolicyAssignments[0]).toEqual({
      policyType: 'TeamsCallingPolicy',
      displayName: 'AllOn',
      policyId: 'f7593e81-772a-4455-88a3-fc9e5ebc1e4a',
      assignmentType: 'group',
      groupId: '75ae6229-35fe-4b01-ae7f-7c50439d239c',
    });
  });

  it('list-numberassignments.md: `value` as a single object still gives one row', () => {
    const rows = collectionItems(docs.numberAssignmentsExample).map(parseNumberAssignment);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      telephoneNumber: '+12052582895',
      assignmentStatus: 'unassigned',
      assignmentTargetId: null,
    });
  });

  it('telephonenumberlongrunningoperation-get.md: the wrapped operation parses', () => {
    expect(parseNumberOperation(docs.numberOperationExample)).toMatchObject({
      status: 'succeeded',
      numbers: [{ status: 'succeeded', statusDetail: null }],
    });
    expect(parseNumberOperation(docs.numberOperationExample.value)?.status).toBe('succeeded');
  });

  it('throttling body: code and message kept, innerError read', () => {
    expect(parseGraphErrorBody(docs.throttledBodyExample, 429)).toMatchObject({
      code: 'TooManyRequests',
      message: 'Please retry again later.',
      innerError: { status: '429' },
    });
    expect(
      parseGraphErrorBody({ error: { code: 'x', message: 'y', innererror: { date: 'd' } } }, 400).innerError,
    ).toEqual({ date: 'd' });
  });
});

describe('the emulator answers in the documented shapes', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startDemoEmulator();
  });
  afterAll(() => emulator.close());

  async function graphGet(path: string): Promise<unknown> {
    const client = demoClient(emulator);
    return (await client.transport.send({ url: path })).body;
  }

  it('userConfigurations items carry every documented property', async () => {
    const body = await graphGet(`/v1.0/admin/teams/userConfigurations/${demoUserId(1)}`);
    const documented = Object.keys(collectionItems(docs.userConfigurationsExample)[0]!).filter(
      (k) => !k.startsWith('@'),
    );
    expect(Object.keys(body as object)).toEqual(expect.arrayContaining(documented));
  });

  it('subscribedSkus items carry every documented property', async () => {
    const body = await graphGet('/v1.0/subscribedSkus');
    const documented = Object.keys(collectionItems(docs.subscribedSkusExample)[0]!);
    expect(Object.keys(collectionItems(body)[0]!)).toEqual(expect.arrayContaining(documented));
  });

  it('numberAssignments rows carry every documented property', async () => {
    const body = await graphGet('/beta/admin/teams/telephoneNumberManagement/numberAssignments?$top=1');
    const documented = Object.keys(docs.numberAssignmentsExample.value).filter((k) => !k.startsWith('@'));
    expect(Object.keys(collectionItems(body)[0]!)).toEqual(expect.arrayContaining(documented));
  });

  it('users without $select return the 11 default properties only', async () => {
    const body = await graphGet('/v1.0/users?$top=1');
    expect(Object.keys(collectionItems(body)[0]!).sort()).toEqual(
      Object.keys(docs.userListExample.value[0]!).sort(),
    );
  });

  it('assignNumber accepts the documented request (number without +) and normalises it', async () => {
    const client = demoClient(emulator);
    const outcome = await client.assignNumber({
      telephoneNumber: docs.assignNumberRequestExample.telephoneNumber,
      userId: demoUserId(17),
    });
    expect(outcome.state).toBe('succeeded');
    const config = (await client.getTeamsUserConfigurations([demoUserId(17)])).get(demoUserId(17));
    expect(config?.telephoneNumbers[0]?.telephoneNumber).toBe('+12061234567');
  });

  it('getPolicyId answers in the documented shape when Graph supports the policy type', async () => {
    const body = await graphGet(
      "/beta/admin/teams/policy/getPolicyId(type='TeamsMeetingPolicy',name='AllOn')",
    );
    expect(Object.keys(collectionItems(body)[0]!).sort()).toEqual(
      Object.keys(docs.getPolicyIdExample.value[0]!).sort(),
    );
  });
});
