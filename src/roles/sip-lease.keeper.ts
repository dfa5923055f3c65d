import type { Logger } from '../observability/logger.js';
import type { NodeContacts, SipLease, SipNode } from '../store/repositories/sip-leases.repository.js';
import type { Store } from '../store/store.js';

/** Timing of the node protocol (defaults meet "a dead node's users taken over within 30 s"). */
export interface LeaseTiming {
  /** How often a node says it is alive. Default 5 s. */
  heartbeatMs: number;
  /** Silence after which a node counts as dead and its users are taken over. Default 15 s. */
  deadAfterMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { heartbeatMs: 5_000, deadAfterMs: 15_000 };

/** What this node is to register after a lease cycle. */
export interface LeaseAssignment {
  /** Users this node holds. */
  held: Set<string>;
  /** Users offered to this node: it registers them, then `accept`s them; their giver unregisters afterwards. */
  offered: Set<string>;
  /** Users taken from a dead node, with that node's Contact addresses (its binding is to be removed). */
  former: Map<string, NodeContacts>;
}

/**
 * The SIP role on several nodes (issue 21): shares the users among the live SIP nodes through the database, with
 * no other infrastructure. Each node heartbeats; each user has one lease (the node that registers it). A node
 * below its fair share (users / live nodes) claims users nobody holds, then users of dead nodes; a node above it
 * offers the excess to the node furthest below (make-before-break: the receiver registers, takes the lease, and
 * only then does the giver unregister its own binding). A node leaving cleanly offers all its users the same way.
 *
 * Why not a hash ring over the live nodes: during a change of membership two nodes would each register a user
 * for a while (or neither); a lease row changes owner in one conditional UPDATE, so a user has one owner at a time.
 *
 * @example
 * const keeper = new SipLeaseKeeper(store, logger, nodeId, contacts);
 * const { held, offered, former } = await keeper.cycle(userIds);
 */
export class SipLeaseKeeper {
  private leaving = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    readonly nodeId: string,
    readonly contacts: NodeContacts,
    private readonly timing: LeaseTiming = DEFAULT_LEASE_TIMING,
  ) {}

  /** Say this node is alive (its own timer, so a slow reload cannot make it look dead). */
  async heartbeat(): Promise<void> {
    await this.store.repos.sipLeases.heartbeat(this.nodeId, this.contacts, nowIso(), this.leaving);
  }

  /**
   * One round: heartbeat, balance (claim, take over, offer) against `userIds` (every user to be registered by
   * some node), and say what this node registers now.
   */
  async cycle(userIds: readonly string[]): Promise<LeaseAssignment> {
    const repo = this.store.repos.sipLeases;
    const now = Date.now();
    await this.heartbeat();
    const nodes = await repo.nodes();
    const live = nodes.filter((n) => !n.leaving && Date.parse(n.heartbeatAt) > now - this.timing.deadAfterMs);
    const liveIds = live.map((n) => n.id);
    const alive = new Set(liveIds);
    const counts = await repo.counts();
    if (this.leaving)
      await this.offerAll(
        counts,
        liveIds.filter((id) => id !== this.nodeId),
      );
    else if (alive.has(this.nodeId)) await this.balance(userIds, counts, liveIds, [...counts.keys()]);
    await repo.withdrawOffers(this.nodeId, liveIds);
    await repo.pruneNodes(new Date(now - 3_600_000).toISOString());
    const wanted = new Set(userIds);
    const leases = await repo.leasesOf(this.nodeId);
    const stale = leases.filter((l) => l.nodeId === this.nodeId && !wanted.has(l.userId));
    await repo.release(
      stale.map((l) => l.userId),
      this.nodeId,
    );
    return this.assignment(leases, nodes, wanted);
  }

  /** Whether another node is alive (a leaving node waits for it to take its users). */
  async othersAlive(): Promise<boolean> {
    const now = Date.now();
    return (await this.store.repos.sipLeases.nodes()).some(
      (n) => n.id !== this.nodeId && !n.leaving && Date.parse(n.heartbeatAt) > now - this.timing.deadAfterMs,
    );
  }

  /** From now on, hand every user over to the other live nodes (a clean stop). */
  leave(): void {
    this.leaving = true;
  }

  /** Offered users this node has registered: it holds them now (their giver unregisters at its next round). */
  async accept(userIds: readonly string[]): Promise<void> {
    if (userIds.length > 0) await this.store.repos.sipLeases.accept(userIds, this.nodeId, nowIso());
  }

  /** The dead node's binding of these users was removed. */
  async formerRemoved(userIds: readonly string[]): Promise<void> {
    if (userIds.length > 0) await this.store.repos.sipLeases.clearFormer(userIds, this.nodeId);
  }

  private async balance(
    userIds: readonly string[],
    counts: Map<string, number>,
    liveIds: string[],
    holders: string[],
  ): Promise<void> {
    const repo = this.store.repos.sipLeases;
    const share = Math.ceil(userIds.length / Math.max(1, liveIds.length));
    const mine = counts.get(this.nodeId) ?? 0;
    if (mine < share) {
      let need = share - mine;
      const leased = await repo.leasedUserIds();
      const free = shuffled(userIds.filter((id) => !leased.has(id))).slice(0, need);
      need -= (await repo.claimUnleased(free, this.nodeId, nowIso())).length;
      const dead = holders.filter((id) => !liveIds.includes(id));
      const taken = await repo.takeFromDead(dead, this.nodeId, need, nowIso());
      if (taken.length > 0)
        this.logger.info({ users: taken.length, from: dead }, 'took over users of dead SIP nodes');
      return;
    }
    // Above the share by more than one (rounding): offer the excess to the nodes below it, counting the offers
    // still under way (a receiver takes a round or two to register and accept them).
    const pending = await repo.offeredBy(this.nodeId);
    let excess = mine - share - [...pending.values()].reduce((a, b) => a + b, 0);
    if (excess <= 1) return;
    for (const id of liveIds.filter((n) => n !== this.nodeId)) {
      const room = share - (counts.get(id) ?? 0) - (pending.get(id) ?? 0);
      if (room <= 0 || excess <= 0) continue;
      excess -= await repo.offer(this.nodeId, id, Math.min(room, excess), nowIso());
    }
  }

  /** Leaving: spread this node's users over the other live nodes (none: they stay, and are unregistered). */
  private async offerAll(counts: Map<string, number>, others: string[]): Promise<void> {
    if (others.length === 0) return;
    const mine = counts.get(this.nodeId) ?? 0;
    const each = Math.ceil(mine / others.length);
    for (const id of others) await this.store.repos.sipLeases.offer(this.nodeId, id, each, nowIso());
  }

  private assignment(leases: SipLease[], nodes: SipNode[], wanted: Set<string>): LeaseAssignment {
    const contactsOf = new Map(nodes.map((n) => [n.id, n.contacts]));
    const held = new Set<string>();
    const offered = new Set<string>();
    const former = new Map<string, NodeContacts>();
    for (const lease of leases) {
      if (!wanted.has(lease.userId)) continue; // released above, or offered but no longer to be registered
      if (lease.nodeId === this.nodeId) held.add(lease.userId);
      else offered.add(lease.userId);
      const formerContacts = lease.formerNodeId ? contactsOf.get(lease.formerNodeId) : undefined;
      if (lease.nodeId === this.nodeId && formerContacts) former.set(lease.userId, formerContacts);
    }
    return { held, offered, former };
  }
}

function nowIso(): string {
  return new Date().toISOString();
}

/** A copy in random order, so nodes claiming at the same moment mostly pick different users. */
function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
