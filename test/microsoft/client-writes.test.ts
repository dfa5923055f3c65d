import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoUserId } from '../../src/emulator/demo-tenant.seed.js';
import type { RunningEmulator } from '../../src/emulator/emulator.server.js';
import type { GraphTenantClient } from '../../src/microsoft/graph-tenant.client.js';
import { NumberAssignmentError } from '../../src/microsoft/number-assignment.writer.js';
import { admin, demoClient, setFaults, startDemoEmulator } from './support/emulator.fixture.js';

let emulator: RunningEmulator;
let client: GraphTenantClient;
beforeEach(async () => {
  emulator = await startDemoEmulator();
  client = demoClient(emulator);
});
afterEach(() => emulator.close());

const numbersOf = async (n: number) =>
  (await client.getTeamsUserConfigurations([demoUserId(n)]))
    .get(demoUserId(n))
    ?.telephoneNumbers.map((t) => t.telephoneNumber);

describe('number assignment', () => {
  it('follows a running operation to success; the number and enterprise voice are then read back', async () => {
    await setFaults(emulator, { operationDelayMs: 300 });
    const started = performance.now();
    const outcome = await client.assignNumber({
      telephoneNumber: '+442079460013;ext=13',
      userId: demoUserId(13),
    });
    expect(outcome.state).toBe('succeeded');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const config = (await client.getTeamsUserConfigurations([demoUserId(13)])).get(demoUserId(13))!;
    expect(config.telephoneNumbers).toEqual([
      { telephoneNumber: '+442079460013;ext=13', assignmentCategory: 'primary' },
    ]);
    expect(config.isEnterpriseVoiceEnabled).toBe(true);
  });

  it('returns pending with the operation URL when Microsoft is slow, and the URL can be followed later', async () => {
    await setFaults(emulator, { operationDelayMs: 400 });
    const outcome = await client.assignNumber(
      { telephoneNumber: '+442079460014', userId: demoUserId(14) },
      { waitMs: 100 },
    );
    expect(outcome.state).toBe('pending');
    if (outcome.state !== 'pending') return;
    expect(outcome.operationUrl).toMatch(/\/telephoneNumberManagement\/operations\('[^']+'\)$/);
    expect(['notStarted', 'running']).toContain(
      (await client.getNumberOperation(outcome.operationUrl)).status,
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await client.getNumberOperation(outcome.operationUrl)).status).toBe('succeeded');
    // The documented alternative form of the operation URL works too.
    expect(
      (await client.getNumberOperation(outcome.operationUrl.replace(/\('([^']+)'\)$/, '/$1'))).status,
    ).toBe('succeeded');
    expect(await numbersOf(14)).toEqual(['+442079460014']);
  });

  it.each([
    [2, '+442079460001', "Telephone Number '+442079460001' has already been assigned to another user"],
    [
      19,
      '+442079460019',
      "User 'debra.berger@contoso-demo.onmicrosoft.com' lacks appropriate licenses to assign a 'DirectRouting' number",
    ],
  ])('fails user %i with Microsoft’s message kept per number', async (user, number, message) => {
    const outcome = await client.assignNumber({ telephoneNumber: number, userId: demoUserId(user) });
    expect(outcome.state).toBe('failed');
    if (outcome.state !== 'failed') return;
    expect(outcome.error).toBeInstanceOf(NumberAssignmentError);
    expect(outcome.error.microsoftMessage).toBe(message);
    expect(outcome.error.telephoneNumber).toBe(number);
  });

  it('reports a Calling Plan number not in the inventory, and a forced service failure', async () => {
    const missing = await client.assignNumber({
      telephoneNumber: '+442079469999',
      userId: demoUserId(33),
      numberType: 'callingPlan',
    });
    expect(missing.state === 'failed' && missing.error.microsoftMessage).toContain(
      'is not found from tenant',
    );
    await setFaults(emulator, { operationFailure: 'Service is unavailable. Please try again' });
    const failed = await client.assignNumber({ telephoneNumber: '+442079460015', userId: demoUserId(15) });
    expect(failed.state === 'failed' && failed.error.microsoftMessage).toBe(
      'Service is unavailable. Please try again',
    );
  });

  it('unassigns a number and frees it', async () => {
    const outcome = await client.unassignNumber({ telephoneNumber: '+442079460003' });
    expect(outcome.state).toBe('succeeded');
    expect(await numbersOf(3)).toEqual([]);
    const again = await client.unassignNumber({ telephoneNumber: '+442079460003' });
    expect(again.state === 'failed' && again.error.microsoftMessage).toContain(
      "'+442079460003' is not found",
    );
  });

  it('refuses a malformed request synchronously with Microsoft’s 400', async () => {
    const outcome = await client.assignNumber({
      telephoneNumber: '+442079460016',
      userId: demoUserId(16),
      numberType: 'bogus' as 'directRouting',
    });
    expect(outcome.state).toBe('failed');
    expect(outcome.state === 'failed' && outcome.error.graphCode).toBe('BadRequest');
  });
});

describe('Direct Routing objects and policies', () => {
  it('creates PSTN usage, voice route and policy idempotently, then grants the policy (Teams admin fallback)', async () => {
    await client.ensurePstnUsage('Callbridge-EU');
    await client.ensurePstnUsage('Callbridge-EU');
    const tenant = [...emulator.tenants.values()][0]!;
    expect(tenant.telephony.pstnUsages).toEqual(['Callbridge', 'Callbridge-EU']);
    const route = {
      identity: 'Callbridge-EU',
      numberPattern: '.*',
      onlinePstnGatewayList: ['contoso.sbc.example'],
      onlinePstnUsages: ['Callbridge-EU'],
      priority: 1,
    };
    // Carrier model: the route's gateway is the customer subdomain, which must be verified in the tenant first.
    await expect(client.ensureVoiceRoute(route)).rejects.toThrow(/PSTN Gateway not ready yet/);
    await client.ensureDomain('contoso.sbc.example');
    expect(await client.verifyDomain('contoso.sbc.example')).toMatchObject({ isVerified: true });
    expect(await client.ensureVoiceRoute(route)).toEqual(route);
    expect(await client.ensureVoiceRoute(route)).toEqual(route);
    expect(
      await client.ensureVoiceRoutingPolicy({
        identity: 'Callbridge-EU',
        onlinePstnUsages: ['Callbridge-EU'],
      }),
    ).toEqual({ identity: 'Callbridge-EU', onlinePstnUsages: ['Callbridge-EU'] });
    const outcomes = await client.grantVoiceRoutingPolicy([demoUserId(13), 'nobody'], 'Callbridge-EU');
    expect(outcomes[0]).toEqual({ userId: demoUserId(13), ok: true });
    expect(outcomes[1]!.ok).toBe(false);
    const config = (await client.getTeamsUserConfigurations([demoUserId(13)])).get(demoUserId(13))!;
    expect(config.effectivePolicyAssignments).toEqual([
      expect.objectContaining({ policyType: 'OnlineVoiceRoutingPolicy', displayName: 'Callbridge-EU' }),
    ]);
  });

  it('grants through Graph policy assignment when Graph accepts the voice routing policy type', async () => {
    await admin(emulator, 'PATCH', '/settings', { graphVoicePolicyAssignment: true });
    const outcomes = await client.grantVoiceRoutingPolicy([demoUserId(14), demoUserId(15)], 'Callbridge');
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const tenant = [...emulator.tenants.values()][0]!;
    expect(tenant.users.get(demoUserId(15))?.voiceRoutingPolicy).toBe('Callbridge');
  });

  it('adds and verifies the customer subdomain', async () => {
    const added = await client.ensureDomain('contoso.sbc.callbridge.example');
    expect(added).toMatchObject({ id: 'contoso.sbc.callbridge.example', isVerified: false });
    expect(await client.ensureDomain('contoso.sbc.callbridge.example')).toMatchObject({ isVerified: false });
    expect(await client.verifyDomain('contoso.sbc.callbridge.example')).toMatchObject({ isVerified: true });
  });
});

describe('Phone App installation', () => {
  it('installs for many users through $batch, treats "already installed" as done, and uninstalls', async () => {
    const appId = '6a1b2c3d-0000-4000-8000-0000000a99a0';
    const users = Array.from({ length: 25 }, (_, i) => demoUserId(i + 1));
    expect((await client.installTeamsApp(users, appId)).every((o) => o.ok)).toBe(true);
    expect((await client.installTeamsApp([demoUserId(19), 'unknown-user'], appId)).map((o) => o.ok)).toEqual([
      true,
      false,
    ]);
    expect((await client.listInstalledTeamsApps(demoUserId(19))).map((a) => a.teamsAppId)).toEqual([appId]);
    await client.uninstallTeamsApp(demoUserId(19), appId);
    await client.uninstallTeamsApp(demoUserId(19), appId);
    expect(await client.listInstalledTeamsApps(demoUserId(19))).toEqual([]);
  });
});

describe('Graph versions of number and policy writes', () => {
  it('reads and writes numbers on v1.0 and assigns policies on beta, the only version that has them', async () => {
    await admin(emulator, 'PATCH', '/settings', { graphVoicePolicyAssignment: true });
    const paths: string[] = [];
    const tracked = demoClient(emulator, {
      onExchange: (x) => {
        if (x.api === 'graph') paths.push(`${x.method} ${new URL(x.url).pathname}`);
      },
    });
    const outcome = await tracked.assignNumber({ telephoneNumber: '+442079460015', userId: demoUserId(15) });
    expect(outcome.state).toBe('succeeded');
    if (outcome.state === 'succeeded') expect(outcome.operationUrl).toContain('/v1.0/admin/teams/');
    const inventory: string[] = [];
    for await (const page of tracked.listNumberAssignments({ filter: "telephoneNumber eq '+442079460015'" }))
      inventory.push(...page.map((n) => `${n.telephoneNumber} ${n.assignmentTargetId}`));
    expect(inventory).toEqual([`+442079460015 ${demoUserId(15)}`]);
    expect((await tracked.grantVoiceRoutingPolicy([demoUserId(15)], 'Callbridge'))[0]?.ok).toBe(true);
    expect((await tracked.unassignNumber({ telephoneNumber: '+442079460015' })).state).toBe('succeeded');
    const numberCalls = paths.filter((p) => p.includes('/telephoneNumberManagement/'));
    expect(numberCalls.length).toBeGreaterThanOrEqual(5);
    expect(numberCalls.every((p) => p.split(' ')[1]!.startsWith('/v1.0/'))).toBe(true);
    const policyCalls = paths.filter((p) => p.includes('/admin/teams/policy/'));
    expect(policyCalls.length).toBeGreaterThanOrEqual(1);
    expect(policyCalls.every((p) => p.split(' ')[1]!.startsWith('/beta/'))).toBe(true);
  });

  it('takes the version from the connection: a cloud set to beta for numbers writes there, and the emulator keeps beta', async () => {
    const paths: string[] = [];
    const beta = demoClient(
      emulator,
      { onExchange: (x) => paths.push(new URL(x.url).pathname) },
      { graphVersions: { numbers: 'beta' } },
    );
    const outcome = await beta.assignNumber({ telephoneNumber: '+442079460016', userId: demoUserId(16) });
    expect(outcome.state).toBe('succeeded');
    expect(paths.filter((p) => p.includes('/telephoneNumberManagement/'))).toEqual([
      '/beta/admin/teams/telephoneNumberManagement/numberAssignments/assignNumber',
      expect.stringMatching(/^\/beta\/admin\/teams\/telephoneNumberManagement\/operations/),
    ]);
  });
});
