import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { createTestDatabase } from '../support/test-database.js';
import { until } from '../support/until.js';
import { freePort, Kamailio, kamailioInstalled } from './support/kamailio.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

const installed = kamailioInstalled();
const TRUNKS = 12;
const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

type Database = Awaited<ReturnType<typeof createTestDatabase>>;

/**
 * Issue 19 on several sip nodes: three real `callbridge serve --roles sip` processes on one PostgreSQL and one
 * Kamailio as the carriers' registrar. Registration trunks are leased like users: each is registered by exactly one
 * live node (one binding at Kamailio, with that node's Contact); a node killed with SIGKILL has its trunks
 * registered by the others, its bindings removed, within 30 s; a node stopped cleanly hands its trunks over first.
 */
describe.skipIf(!installed)('registration trunks on three SIP nodes (PostgreSQL, Kamailio)', () => {
  let kamailio: Kamailio;
  let database: Database;
  let dataDir: string;
  let env: Record<string, string>;
  const nodes: { serve: ServeProcess; port: number }[] = [];
  const aors = Array.from({ length: TRUNKS }, (_, n) => `trunk${n}`);

  /** Kamailio's bindings per trunk AoR: the port of each Contact. */
  const bindings = async () =>
    new Map(
      await Promise.all(
        aors.map(
          async (aor) =>
            [aor, (await kamailio.contactsOf(aor)).map((a) => Number(/:(\d+)(;|$)/.exec(a)?.[1]))] as const,
        ),
      ),
    );
  /** Trunk leases: AoR -> the UDP port of the node holding it (hand-overs under way excluded). */
  const leaseHolders = async () => {
    const usernames = new Map(
      (await database.db.selectFrom('trunk_settings').select(['service_id', 'username']).execute()).map(
        (r) => [`trunk:${r.service_id}`, r.username!],
      ),
    );
    const rows = await database.db
      .selectFrom('sip_leases')
      .innerJoin('sip_nodes', 'sip_nodes.id', 'sip_leases.node_id')
      .select(['sip_leases.user_id', 'sip_nodes.contacts'])
      .where('sip_leases.next_node_id', 'is', null)
      .where('sip_leases.user_id', 'like', 'trunk:%')
      .execute();
    return new Map(
      rows.map((r) => [
        usernames.get(r.user_id)!,
        (JSON.parse(r.contacts) as { udp: { port: number } }).udp.port,
      ]),
    );
  };
  /** Every trunk bound exactly once at Kamailio, by a node among `ports`, the one holding its lease. */
  const eachOnceBy = async (ports: number[]) => {
    const [bound, held] = [await bindings(), await leaseHolders()];
    return aors.every((aor) => {
      const contacts = bound.get(aor) ?? [];
      return contacts.length === 1 && ports.includes(contacts[0]!) && held.get(aor) === contacts[0];
    });
  };
  const explain = async () =>
    JSON.stringify({
      bindings: [...(await bindings())],
      leases: [...(await leaseHolders())],
      ports: nodes.map((n) => n.port),
    });

  beforeAll(async () => {
    kamailio = await Kamailio.start({
      users: aors.map((username, n) => ({ username, password: `carrier-pw-${n}` })),
      domain: 'carrier.test',
    });
    database = await createTestDatabase('postgres');
    dataDir = await mkdtemp(path.join(tmpdir(), 'cb-trunk-nodes-'));
    env = {
      CALLBRIDGE_DATA_DIR: dataDir,
      CALLBRIDGE_SECRET_KEY: randomBytes(32).toString('base64'),
      CALLBRIDGE_DEMO: 'false',
      CALLBRIDGE_DATABASE_URL: database.url,
    };
    const ctx = await createAppContext(loadConfig({ env }), pino({ level: 'warn' }));
    try {
      const { services } = ctx;
      const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
      const client = await services.accounts.create(system, {
        name: 'Contoso',
        kind: 'client',
        parentId: partner.id,
      });
      for (const [n, username] of aors.entries()) {
        const service = await services.voiceServices.create(system, client.id, {
          kind: 'trunk',
          name: `Trunk ${n}`,
          sipDomain: 'carrier.test',
          country: 'GB',
        });
        await services.trunkSettings.put(system, client.id, service.id, {
          kind: 'registration',
          domain: 'carrier.test',
          addresses: [{ host: '127.0.0.1', port: kamailio.port }],
          transport: 'udp',
          username,
          password: `carrier-pw-${n}`,
        });
      }
    } finally {
      await ctx.close();
    }
  }, 120_000);
  afterAll(async () => {
    for (const { serve } of nodes)
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
    await kamailio?.dispose();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('each trunk is registered once, by the node holding its lease; a SIGKILLed node’s trunks are registered once again within 30 s', async () => {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      nodes.push({
        serve: startServe({
          ...env,
          CALLBRIDGE_SIP_PORT: String(port),
          CALLBRIDGE_SIP_SHUTDOWN_SECONDS: '60',
        }),
        port,
      });
    }
    const ports = nodes.map((n) => n.port);
    await until(() => eachOnceBy(ports), 90_000, 'each trunk bound once', 500).catch(
      async (error: unknown) => {
        const notable = nodes.map((n) =>
          n.serve
            .output()
            .split('\n')
            .filter((l) => !l.startsWith('{"level":30') || /sip node|took over|handed/.test(l))
            .join('\n'),
        );
        throw new Error(`${String(error)}\n${await explain()}\n${notable.join('\n---\n')}`);
      },
    );
    // Shared: a trunk counts like a user in the lease balance, which settles within one of the fair share (4).
    const perNode = async () => {
      const counts = new Map<number, number>();
      for (const port of (await leaseHolders()).values()) counts.set(port, (counts.get(port) ?? 0) + 1);
      return ports.map((p) => counts.get(p) ?? 0);
    };
    await until(
      async () => (await perNode()).every((n) => n >= 1 && n <= 5) && (await eachOnceBy(ports)),
      60_000,
      'trunks shared by the three nodes',
      500,
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await explain()}`);
    });

    // The victim: the node holding the most trunks, killed without a chance to unregister.
    const shares = await perNode();
    const victim = nodes[shares.indexOf(Math.max(...shares))]!;
    const killedAt = Date.now();
    victim.serve.child.kill('SIGKILL');
    const survivors = ports.filter((p) => p !== victim.port);
    const took = await until(
      () => eachOnceBy(survivors),
      30_000,
      'trunks of the killed node registered once again',
      250,
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${await explain()}`);
    });
    console.log(
      `SIGKILLed node's ${Math.max(...shares)} of ${TRUNKS} trunks registered again by the others in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`,
    );
    expect(took).toBeLessThan(30_000);
    const bound = await bindings();
    expect(aors.map((aor) => bound.get(aor)!.length)).toEqual(aors.map(() => 1));
    expect([...bound.values()].flat()).not.toContain(victim.port);
  }, 180_000);

  it('a node stopped cleanly hands its trunks over first: no trunk is ever without a binding, then the last node holds all', async () => {
    const alive = nodes.filter((n) => n.serve.child.exitCode === null && n.serve.child.signalCode === null);
    const held = new Map<number, number>();
    for (const port of (await leaseHolders()).values()) held.set(port, (held.get(port) ?? 0) + 1);
    // The leaving node: the survivor holding more trunks (it has something to hand over).
    const [leaves, stays] = [...alive].sort((x, y) => (held.get(y.port) ?? 0) - (held.get(x.port) ?? 0));
    if (!leaves || !stays) throw new Error('two nodes should be alive');
    expect(held.get(leaves.port)).toBeGreaterThan(0);
    const unbound: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const bound = await bindings();
        unbound.push(aors.filter((aor) => (bound.get(aor) ?? []).length === 0).length);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    leaves.serve.child.kill('SIGTERM');
    expect(await leaves.serve.exited).toBe(0);
    watching = false;
    await watcher;
    expect(Math.max(...unbound)).toBe(0); // make-before-break: the trunks never went missing at the carrier
    await until(() => eachOnceBy([stays.port]), 10_000, 'every trunk bound once by the last node').catch(
      async (error: unknown) => {
        throw new Error(`${String(error)}\n${await explain()}`);
      },
    );
    expect(leaves.serve.output()).toMatch(/handed its users over/);
  }, 120_000);
});
