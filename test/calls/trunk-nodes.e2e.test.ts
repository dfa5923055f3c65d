import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import type { TeamsEdge } from '../../src/edge/teams-edge.js';
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import type { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import { openDatabase } from '../../src/store/database.js';
import { freePort } from '../sip/support/kamailio.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { startTeamsWithEdgeRole } from '../support/teams-with-edge.js';
import { TEST_CALL_CONFIG } from '../support/test-call-rig.js';
import { createTestDatabase } from '../support/test-database.js';
import { until } from '../support/until.js';
import { carrierUasScenario } from './support/carrier-scenarios.js';
import { SignallingRelay } from './support/signalling-relay.js';
import { runSipp } from './support/sipp-runner.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;
const BOB = '+441235123465';

/** One sip node in this process: its own app context on the shared PostgreSQL, sip and edge roles, Teams proxy. */
interface Node {
  ctx: AppContext;
  role: SipRole;
  edge: TeamsEdge | undefined;
  teams: TeamsSipEmulator;
}

/**
 * A trunk's channel limit across sip nodes (issue 19): two sip nodes (each its own app context, sip role with the
 * B2BUA, Teams edge and emulated Microsoft proxy) on one PostgreSQL carry one IP trunk with one channel; sipp is
 * the carrier. A call through node A holds the channel; Bob's second call, through node B, is refused 503
 * `trunk_channels_full` toward Teams, recorded; once A's call ends, the channel is free for B.
 */
describe.skipIf(!hasSipp)('trunk channel limit across two sip nodes (PostgreSQL)', () => {
  let pki: TeamsPki;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let host: string;
  let carrierPort: number;
  const nodes: Node[] = [];

  async function startNode(
    options: Parameters<typeof createAppContext>[2],
    secretKey: string,
  ): Promise<Node> {
    const config = loadConfig({
      env: {},
      overrides: { dataDir: await mkdtemp(join(tmpdir(), 'cb-node-')), secretKey, ...TEST_CALL_CONFIG },
    });
    const ctx = await createAppContext(config, pino({ level: 'silent' }), options);
    const role = await startSipRole(ctx, undefined, { relay: new SignallingRelay() });
    const { teams, edge } = await startTeamsWithEdgeRole(ctx, pki, role.calls, {
      directory: staticDirectory({}, []),
    });
    return { ctx, role, edge, teams };
  }

  beforeAll(async () => {
    pki = await createTeamsPki('sbc.test');
    dir = await mkdtemp(join(tmpdir(), 'callbridge-trunk-nodes-'));
    database = await createTestDatabase('postgres');
    carrierPort = await freePort();
    const secretKey = randomBytes(32).toString('base64');
    nodes.push(await startNode({ handle: database }, secretKey));
    nodes.push(await startNode({ handle: openDatabase(database.url), migrate: false }, secretKey));
    const { services } = nodes[0]!.ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    const client = await services.accounts.create(system, {
      name: 'Contoso',
      kind: 'client',
      parentId: partner.id,
    });
    await services.subscriptions.create(system, client.id, { sku: 'trunk_user', quantity: 2 });
    const service = await services.voiceServices.create(system, client.id, {
      kind: 'trunk',
      name: 'Carrier trunk',
      sipDomain: 'carrier.test',
      country: 'GB',
    });
    await services.numberRanges.add(system, client.id, service.id, {
      start: '+441235123400',
      end: '+441235123499',
    });
    await services.users.create(system, client.id, {
      serviceId: service.id,
      email: 'bob@contoso.example',
      displayName: 'Bob',
      phoneNumber: BOB,
    });
    await services.trunkSettings.put(system, client.id, service.id, {
      kind: 'ip',
      domain: 'carrier.test',
      addresses: [{ host: '127.0.0.1', port: carrierPort }],
      transport: 'udp',
      maxChannels: 1,
    });
    host = carrierNamesOf(service.id, 'sbc.test').domain;
    for (const node of nodes) await node.role.reload();
  }, 90_000);
  afterAll(async () => {
    for (const node of nodes.reverse()) {
      await node.teams.stop();
      await node.edge?.stop();
      await node.role.stop();
    }
    for (const node of nodes) await node.ctx.close().catch(() => undefined);
    await database?.drop();
    await pki?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const channelRows = () => database.db.selectFrom('trunk_calls').select(['node_id']).execute();
  const bobCalls = async (node: Node, dialled: string) => {
    const call = node.teams.callFromTeams(BOB, dialled, host);
    await until(() => call.status !== undefined, 15_000, 'Teams has a final answer');
    return call;
  };
  const carrierAnswers = async (name: string) => {
    const run = await runSipp(dir, name, carrierUasScenario(), {
      port: carrierPort,
      remote: '127.0.0.1:5060',
      ext: 'carrier',
    });
    await new Promise((r) => setTimeout(r, 300)); // sipp binds its socket
    return run;
  };

  it("node A's call holds the trunk's one channel: Bob's call through node B gets 503, recorded; after A's call, B's goes out", async () => {
    const [a, b] = [nodes[0]!, nodes[1]!];
    const carrier = await carrierAnswers('carrier-1');
    const first = await bobCalls(a, '+441632960999');
    expect(first.status).toBe(200);
    expect(await channelRows()).toHaveLength(1);

    const second = await bobCalls(b, '+441632960998');
    expect(second.status).toBe(503);
    await b.ctx.calls.recorder.flush();
    const refused = await database.db
      .selectFrom('call_records')
      .select(['refusal_code', 'refusal_message', 'final_status'])
      .where('refusal_code', '=', 'trunk_channels_full')
      .execute();
    expect(refused).toHaveLength(1);
    expect(refused[0]!.refusal_message).toContain('All 1 channels of the trunk "Carrier trunk" are in use');

    await a.teams.hangUp(first.callId);
    expect((await carrier.done).code).toBe(0);
    await until(async () => (await channelRows()).length === 0, 5000, 'channel given back');
    const again = await carrierAnswers('carrier-2');
    const third = await bobCalls(b, '+441632960997');
    expect(third.status).toBe(200);
    await b.teams.hangUp(third.callId);
    expect((await again.done).code).toBe(0);
  }, 90_000);
});
