import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithPbxService, storeUser } from '../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from '../store/database.js';
import { Store } from '../store/store.js';
import { SipLeaseKeeper, type LeaseAssignment } from './sip-lease.keeper.js';

const logger = pino({ level: 'silent' });
const timing = { heartbeatMs: 100, deadAfterMs: 400 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Users held by several keepers: every id exactly once, and how many each holds. */
function ownership(assignments: LeaseAssignment[], ids: string[]) {
  const owners = new Map<string, number>();
  for (const a of assignments) for (const id of a.held) owners.set(id, (owners.get(id) ?? 0) + 1);
  return {
    twice: [...owners].filter(([, n]) => n > 1).length,
    missing: ids.filter((id) => !owners.has(id)).length,
    sizes: assignments.map((a) => a.held.size),
  };
}

/** The lease protocol of several SIP nodes (issue 21), on both stores (PostgreSQL is the multi-node one). */
describe.each(DIALECTS)('SIP node leases on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;
  let ids: string[];
  const keeper = (name: string, port: number) =>
    new SipLeaseKeeper(store, logger, `${name}-${dialect}`, { udp: { host: '127.0.0.1', port } }, timing);

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
    const { client, service } = await clientWithPbxService(store, 'Contoso');
    const users = await store.repos.users.createMany(
      Array.from({ length: 90 }, (_, n) => storeUser(client.id, service.id, n, { sipUsername: `u${n}` })),
    );
    ids = users.map((u) => u.id);
  });
  afterAll(() => handle.drop());

  it('shares users among nodes by hand-over, takes a dead node’s users with its Contact, and releases removed users', async () => {
    const [a, b, c] = [keeper('a', 5001), keeper('b', 5002), keeper('c', 5003)];
    expect((await a.cycle(ids)).held.size).toBe(90); // alone: it takes everyone

    await Promise.all([b.heartbeat(), c.heartbeat()]);
    await a.cycle(ids); // A offers 30 to B and 30 to C; it keeps registering them until they took them
    const offeredB = await b.cycle(ids);
    const offeredC = await c.cycle(ids);
    expect([offeredB.offered.size, offeredC.offered.size]).toEqual([30, 30]);
    expect((await a.cycle(ids)).held.size).toBe(90); // make-before-break: nothing leaves A yet
    await b.accept([...offeredB.offered]); // B registered them
    await c.accept([...offeredC.offered]);
    const three = await Promise.all([a.cycle(ids), b.cycle(ids), c.cycle(ids)]);
    expect(ownership(three, ids)).toEqual({ twice: 0, missing: 0, sizes: [30, 30, 30] });
    expect(three.every((r) => r.offered.size === 0 && r.former.size === 0)).toBe(true);

    await sleep(timing.deadAfterMs + 100); // C stops heartbeating: dead
    const rounds = await Promise.all([a.cycle(ids), b.cycle(ids)]);
    expect(ownership(rounds, ids)).toEqual({ twice: 0, missing: 0, sizes: [45, 45] });
    const former = [...rounds[0].former.values(), ...rounds[1].former.values()];
    expect(former).toHaveLength(30);
    expect(former.every((f) => f.udp?.port === 5003)).toBe(true); // C's Contact, to unbind at the PBX
    await a.formerRemoved([...rounds[0].former.keys()]);
    expect((await a.cycle(ids)).former.size).toBe(0);

    const kept = ids.slice(10);
    const after = await Promise.all([a.cycle(kept), b.cycle(kept)]);
    expect(ownership(after, kept)).toMatchObject({ twice: 0, missing: 0 });
    expect(after.flatMap((r) => [...r.held]).some((id) => ids.slice(0, 10).includes(id))).toBe(false);
  });

  it('never gives one user to two nodes claiming at the same moment, and a leaving node hands all its users over', async () => {
    const fresh = ids.slice(0, 60);
    await handle.db.deleteFrom('sip_leases').execute();
    await handle.db.deleteFrom('sip_nodes').execute();
    const nodes = [keeper('p', 6001), keeper('q', 6002), keeper('r', 6003)];
    await Promise.all(nodes.map((n) => n.heartbeat()));
    const rounds = await Promise.all(nodes.map((n) => n.cycle(fresh)));
    const first = ownership(rounds, fresh);
    expect(first.twice).toBe(0);
    expect(first.sizes.every((n) => n <= 20)).toBe(true); // each claims at most its share

    const [p, q, r] = nodes as [SipLeaseKeeper, SipLeaseKeeper, SipLeaseKeeper];
    await Promise.all(nodes.map((n) => n.cycle(fresh))); // the rest claimed
    p.leave();
    await p.cycle(fresh); // offers all its users to Q and R
    const [toQ, toR] = [await q.cycle(fresh), await r.cycle(fresh)];
    await q.accept([...toQ.offered]);
    await r.accept([...toR.offered]);
    const end = await Promise.all([p.cycle(fresh), q.cycle(fresh), r.cycle(fresh)]);
    expect(end[0].held.size).toBe(0);
    expect(ownership(end, fresh)).toMatchObject({ twice: 0, missing: 0 });
  });
});
