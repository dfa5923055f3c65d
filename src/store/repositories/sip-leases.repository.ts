import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Database } from '../schema.js';
import { parseJson } from './row-helpers.js';

/** Where a node's Contacts point, per transport (the host and port written in Contact). */
export type NodeContacts = Partial<Record<'udp' | 'tcp' | 'tls', { host: string; port: number }>>;

/** A SIP node as the database knows it. */
export interface SipNode {
  id: string;
  contacts: NodeContacts;
  heartbeatAt: string;
  leaving: boolean;
}

/** A lease this node holds or is offered. */
export interface SipLease {
  userId: string;
  nodeId: string;
  nextNodeId: string | null;
  formerNodeId: string | null;
}

const CHUNK = 500;

/**
 * SIP nodes and the leases that say which node registers which user (issue 21, migration 0013). Every change of
 * ownership is a conditional UPDATE or an INSERT ... ON CONFLICT DO NOTHING, so two nodes claiming the same user
 * at once cannot both win (PostgreSQL re-checks the WHERE of a row it waited for; SKIP LOCKED keeps claimers
 * off each other's rows).
 */
export class SipLeasesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Say this node is alive (insert or refresh its row). */
  async heartbeat(id: string, contacts: NodeContacts, now: string, leaving = false): Promise<void> {
    const row = { contacts: JSON.stringify(contacts), heartbeat_at: now, leaving: leaving ? 1 : 0 };
    await this.db
      .insertInto('sip_nodes')
      .values({ id, started_at: now, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }

  /** Every node row (live, leaving or dead). */
  async nodes(): Promise<SipNode[]> {
    const rows = await this.db.selectFrom('sip_nodes').selectAll().execute();
    return rows.map((r) => ({
      id: r.id,
      contacts: parseJson<NodeContacts>(r.contacts, {}),
      heartbeatAt: r.heartbeat_at,
      leaving: r.leaving === 1,
    }));
  }

  /** Forget nodes that hold no lease and whose heartbeat is older than `before`. */
  async pruneNodes(before: string): Promise<void> {
    await this.db
      .deleteFrom('sip_nodes')
      .where('heartbeat_at', '<', before)
      .where('id', 'not in', this.db.selectFrom('sip_leases').select('node_id'))
      .where(
        'id',
        'not in',
        this.db.selectFrom('sip_leases').select('former_node_id').where('former_node_id', 'is not', null),
      )
      .execute();
  }

  /** Leases per node. */
  async counts(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('sip_leases')
      .select(['node_id'])
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .groupBy('node_id')
      .execute();
    return new Map(rows.map((r) => [r.node_id, Number(r.n)]));
  }

  /** This node's users offered and not yet taken, per receiving node. */
  async offeredBy(nodeId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('sip_leases')
      .select(['next_node_id'])
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('node_id', '=', nodeId)
      .where('next_node_id', 'is not', null)
      .groupBy('next_node_id')
      .execute();
    return new Map(rows.map((r) => [r.next_node_id!, Number(r.n)]));
  }

  /** Every user id that has a lease. */
  async leasedUserIds(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('sip_leases').select('user_id').execute();
    return new Set(rows.map((r) => r.user_id));
  }

  /** Take users nobody holds; returns those this node got (another node may have been first). */
  async claimUnleased(userIds: readonly string[], nodeId: string, now: string): Promise<string[]> {
    const won: string[] = [];
    // In one order on every node: two nodes inserting the same users in different orders each waited for a row
    // the other had taken, and PostgreSQL aborted one of them ("deadlock detected").
    const ordered = [...userIds].sort();
    for (let start = 0; start < ordered.length; start += CHUNK) {
      const rows = await this.db
        .insertInto('sip_leases')
        .values(
          ordered.slice(start, start + CHUNK).map((userId) => ({
            user_id: userId,
            node_id: nodeId,
            next_node_id: null,
            former_node_id: null,
            updated_at: now,
          })),
        )
        .onConflict((oc) => oc.column('user_id').doNothing())
        .returning('user_id')
        .execute();
      won.push(...rows.map((r) => r.user_id));
    }
    return won;
  }

  /**
   * Take up to `limit` users from dead nodes; the dead node is kept as `former_node_id` so the new owner removes
   * its binding at the PBX. Returns the users taken.
   */
  async takeFromDead(
    deadNodeIds: readonly string[],
    nodeId: string,
    limit: number,
    now: string,
  ): Promise<string[]> {
    if (deadNodeIds.length === 0 || limit <= 0) return [];
    let candidates = this.db
      .selectFrom('sip_leases')
      .select('user_id')
      .where('node_id', 'in', deadNodeIds)
      .limit(limit);
    if (this.dialect === 'postgres') candidates = candidates.forUpdate().skipLocked();
    const rows = await this.db
      .updateTable('sip_leases')
      .set((eb) => ({
        node_id: nodeId,
        former_node_id: eb.ref('node_id'),
        next_node_id: null,
        updated_at: now,
      }))
      .where('user_id', 'in', candidates)
      .where('node_id', 'in', deadNodeIds)
      .returning('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Offer up to `limit` of this node's users to `toNodeId` (a hand-over: it registers them, then takes them). */
  async offer(nodeId: string, toNodeId: string, limit: number, now: string): Promise<number> {
    if (limit <= 0) return 0;
    const candidates = this.db
      .selectFrom('sip_leases')
      .select('user_id')
      .where('node_id', '=', nodeId)
      .where('next_node_id', 'is', null)
      .limit(limit);
    const result = await this.db
      .updateTable('sip_leases')
      .set({ next_node_id: toNodeId, updated_at: now })
      .where('user_id', 'in', candidates)
      .where('node_id', '=', nodeId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Withdraw this node's offers to nodes no longer live. */
  async withdrawOffers(nodeId: string, liveNodeIds: readonly string[]): Promise<void> {
    let query = this.db
      .updateTable('sip_leases')
      .set({ next_node_id: null })
      .where('node_id', '=', nodeId)
      .where('next_node_id', 'is not', null);
    if (liveNodeIds.length > 0) query = query.where('next_node_id', 'not in', liveNodeIds);
    await query.execute();
  }

  /** Leases this node holds or is offered. */
  async leasesOf(nodeId: string): Promise<SipLease[]> {
    const rows = await this.db
      .selectFrom('sip_leases')
      .select(['user_id', 'node_id', 'next_node_id', 'former_node_id'])
      .where((eb) => eb.or([eb('node_id', '=', nodeId), eb('next_node_id', '=', nodeId)]))
      .execute();
    return rows.map((r) => ({
      userId: r.user_id,
      nodeId: r.node_id,
      nextNodeId: r.next_node_id,
      formerNodeId: r.former_node_id,
    }));
  }

  /** Complete hand-overs: this node registered these offered users and now holds them. */
  async accept(userIds: readonly string[], nodeId: string, now: string): Promise<void> {
    for (let start = 0; start < userIds.length; start += CHUNK) {
      await this.db
        .updateTable('sip_leases')
        .set({ node_id: nodeId, next_node_id: null, former_node_id: null, updated_at: now })
        .where('user_id', 'in', userIds.slice(start, start + CHUNK))
        .where('next_node_id', '=', nodeId)
        .execute();
    }
  }

  /** The former owner's binding of these users is gone. */
  async clearFormer(userIds: readonly string[], nodeId: string): Promise<void> {
    for (let start = 0; start < userIds.length; start += CHUNK) {
      await this.db
        .updateTable('sip_leases')
        .set({ former_node_id: null })
        .where('user_id', 'in', userIds.slice(start, start + CHUNK))
        .where('node_id', '=', nodeId)
        .execute();
    }
  }

  /** Give up this node's leases of users no longer to be registered (removed, moved to a trunk). */
  async release(userIds: readonly string[], nodeId: string): Promise<void> {
    for (let start = 0; start < userIds.length; start += CHUNK) {
      await this.db
        .deleteFrom('sip_leases')
        .where('user_id', 'in', userIds.slice(start, start + CHUNK))
        .where('node_id', '=', nodeId)
        .execute();
    }
  }
}
