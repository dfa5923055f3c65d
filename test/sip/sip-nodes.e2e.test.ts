import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/test-database.js';
import { until } from '../support/until.js';
import { freePort, Kamailio, kamailioInstalled } from './support/kamailio.js';
import {
  prepareInstallation,
  startServe,
  type Installation,
  type ServeProcess,
} from './support/serve-process.js';

const installed = kamailioInstalled();
const USERS = 90;

type Database = Awaited<ReturnType<typeof createTestDatabase>>;

/**
 * Issue 21, "the SIP role on several nodes": three real `callbridge serve --roles sip` processes on one PostgreSQL
 * and one Kamailio. The users are shared (each registered once, by one node, with that node's Contact); one node
 * killed with SIGKILL has its users taken over, its bindings removed, within 30 s; a node stopped cleanly hands
 * its users over before it exits.
 */
describe.skipIf(!installed)('three SIP nodes on one PostgreSQL and one Kamailio', () => {
  let kamailio: Kamailio;
  let database: Database;
  let installation: Installation;
  const nodes: { serve: ServeProcess; port: number }[] = [];

  /** Contacts Kamailio holds in all, and per node port. */
  const bindings = async () => {
    const perPort = new Map<number, number>();
    for (let n = 0; n < USERS; n++) {
      for (const address of await kamailio.contactsOf(`u${n}`)) {
        const port = Number(/:(\d+)(;|$)/.exec(address)?.[1]);
        perPort.set(port, (perPort.get(port) ?? 0) + 1);
      }
    }
    return perPort;
  };
  const contactsInAll = () => kamailio.statistic('location_contacts');
  /** Leases per node, with the port of its UDP Contact. */
  const leasesPerPort = async () => {
    const rows = await database.db
      .selectFrom('sip_leases')
      .innerJoin('sip_nodes', 'sip_nodes.id', 'sip_leases.node_id')
      .select(['sip_nodes.contacts'])
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('sip_leases.next_node_id', 'is', null)
      .groupBy('sip_nodes.contacts')
      .execute();
    return new Map(
      rows.map((r) => [(JSON.parse(r.contacts) as { udp: { port: number } }).udp.port, Number(r.n)]),
    );
  };

  /** SIP username -> UDP port of the node holding the user's lease. */
  const ownerPorts = async () => {
    const rows = await database.db
      .selectFrom('sip_leases')
      .innerJoin('users', 'users.id', 'sip_leases.user_id')
      .innerJoin('sip_nodes', 'sip_nodes.id', 'sip_leases.node_id')
      .select(['users.sip_username', 'sip_nodes.contacts'])
      .execute();
    return new Map(
      rows.map((r) => [r.sip_username!, (JSON.parse(r.contacts) as { udp: { port: number } }).udp.port]),
    );
  };

  beforeAll(async () => {
    kamailio = await Kamailio.start({
      users: Array.from({ length: USERS }, (_, n) => ({ username: `u${n}`, password: `pw${n}` })),
    });
    database = await createTestDatabase('postgres');
    installation = await prepareInstallation(kamailio, USERS, { databaseUrl: database.url });
  }, 120_000);
  afterAll(async () => {
    for (const { serve } of nodes) {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
    }
    await kamailio?.dispose();
    await database?.drop();
    if (installation) await rm(installation.dataDir, { recursive: true, force: true });
  });

  it('shares the users, each registered once; a SIGKILLed node’s users are registered once again within 30 s', async () => {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const serve = startServe({
        ...installation.env,
        CALLBRIDGE_SIP_PORT: String(port),
        CALLBRIDGE_SIP_SHUTDOWN_SECONDS: '60',
      });
      nodes.push({ serve, port });
    }
    const ports = nodes.map((n) => n.port);
    // Balanced: 30 users per node, each bound once at Kamailio, with the Contact of the node holding its lease.
    await until(
      async () => {
        const leases = await leasesPerPort();
        return ports.every((p) => leases.get(p) === USERS / 3) && (await contactsInAll()) === USERS;
      },
      90_000, // three processes starting on two cores, then a hand-over round or two
      'users shared by three nodes, each bound once',
      500,
    ).catch(async (error: unknown) => {
      const state = { leases: [...(await leasesPerPort())], contacts: await contactsInAll(), ports };
      const notable = nodes.map((n) =>
        n.serve
          .output()
          .split('\n')
          .filter((l) => !l.startsWith('{"level":30') || /sip node|took over|handed/.test(l))
          .join('\n'),
      );
      throw new Error(`${String(error)}\n${JSON.stringify(state)}\n${notable.join('\n---\n')}`);
    });
    expect((await kamailio.registered()).size).toBe(USERS);
    const balanced = await bindings();
    expect(ports.map((p) => balanced.get(p))).toEqual([30, 30, 30]);
    // Calls from the PBX go to the Contact: for every user, that is the node holding its lease.
    const owners = await ownerPorts();
    const misrouted: string[] = [];
    for (const [username, port] of owners) {
      const contacts = await kamailio.contactsOf(username);
      if (contacts.length !== 1 || !contacts[0]!.includes(`:${port}`)) misrouted.push(username);
    }
    expect([owners.size, misrouted]).toEqual([USERS, []]);

    const victim = nodes[2]!;
    const killedAt = Date.now();
    victim.serve.child.kill('SIGKILL');
    const took = await until(
      async () => {
        if ((await contactsInAll()) !== USERS) return false;
        const now = await bindings();
        return !now.has(victim.port) && (now.get(ports[0]!) ?? 0) + (now.get(ports[1]!) ?? 0) === USERS;
      },
      30_000,
      'the killed node’s users registered once by the others',
      250,
    );
    console.log(
      `SIGKILLed node's ${USERS / 3} users taken over in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`,
    );
    expect(took).toBeLessThan(30_000);
    expect((await kamailio.registered()).size).toBe(USERS);
    const leases = await leasesPerPort();
    expect([leases.get(ports[0]!), leases.get(ports[1]!)]).toEqual([45, 45]);
  }, 180_000);

  it('a node stopped cleanly hands its users over first: no user is without a binding, then each is bound once', async () => {
    const [stays, leaves] = [nodes[0]!, nodes[1]!];
    const unbound: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        unbound.push(USERS - (await kamailio.registered()).size);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    leaves.serve.child.kill('SIGTERM');
    expect(await leaves.serve.exited).toBe(0);
    watching = false;
    await watcher;
    expect(Math.max(...unbound)).toBe(0); // make-before-break: the AoRs never went missing
    expect(await contactsInAll()).toBe(USERS);
    const now = await bindings();
    expect(now.get(stays.port)).toBe(USERS);
    expect(leaves.serve.output()).toMatch(/handed its users over/);
  }, 120_000);
});
