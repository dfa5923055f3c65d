import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { RegistrationAgent } from '../sip/registration/registration.agent.js';
import type { RegistrationConfig } from '../sip/registration/registration.types.js';
import type { SipStack } from '../sip/stack/sip.stack.js';
import type { NodeContacts } from '../store/repositories/sip-leases.repository.js';
import type { Store } from '../store/store.js';
import { SipLeaseKeeper, type LeaseTiming } from './sip-lease.keeper.js';

const BOUND = new Set(['registered', 'expiring', 'unconfirmed']);

/**
 * This process as one of several SIP nodes (issue 21): on PostgreSQL the users are shared among the live nodes
 * through leases (`SipLeaseKeeper`); on SQLite (one node) there is nothing to share and `select` keeps everyone.
 * Each node registers its users with its own Contact (its address), so calls from the PBX reach the node that
 * registered the user.
 */
export class SipNode {
  private readonly unbinding = new Set<string>();
  private last: { offered: Set<string>; former: Map<string, NodeContacts> } | undefined;
  private configs = new Map<string, RegistrationConfig>();

  private constructor(
    private readonly agent: RegistrationAgent,
    private readonly logger: Logger,
    readonly keeper: SipLeaseKeeper | undefined,
  ) {}

  /** A node of this process: leases when the store is PostgreSQL, none on SQLite. */
  static create(
    store: Store,
    logger: Logger,
    stack: SipStack,
    agent: RegistrationAgent,
    timing?: LeaseTiming,
  ) {
    if (store.handle.dialect !== 'postgres') return new SipNode(agent, logger, undefined);
    const contacts: NodeContacts = { udp: endpoint(stack, 'udp'), tcp: endpoint(stack, 'tcp') };
    const keeper = new SipLeaseKeeper(store, logger, randomUUID(), contacts, timing);
    logger.info({ node: keeper.nodeId, contacts }, 'sip node joins (users shared through PostgreSQL leases)');
    return new SipNode(agent, logger, keeper);
  }

  /**
   * The configurations this node is to register among `configs` (every user some node registers): those it
   * holds and those offered to it. Call `settle` once the agent has them.
   */
  async select(configs: RegistrationConfig[]): Promise<RegistrationConfig[]> {
    if (!this.keeper) return configs;
    const { held, offered, former } = await this.keeper.cycle(configs.map((c) => c.id));
    this.last = { offered, former };
    this.configs = new Map(configs.map((c) => [c.id, c]));
    return configs.filter((c) => held.has(c.id) || offered.has(c.id));
  }

  /**
   * After the agent took the selection: hand-overs of offered users it has registered are completed (their giver
   * unregisters next), and dead nodes' bindings of users taken over are removed at the PBX at once (a dead
   * node's Contact answers nothing; the PBX might still try it first).
   */
  async settle(): Promise<void> {
    if (!this.keeper || !this.last) return;
    const bound = (id: string) => BOUND.has(this.agent.status(id)?.state ?? '');
    await this.keeper.accept([...this.last.offered].filter(bound));
    for (const [id, contacts] of this.last.former) {
      const config = this.configs.get(id);
      if (config && !this.unbinding.has(id)) this.removeFormer(config, contacts);
    }
  }

  /** Say this node is alive (own timer). */
  async heartbeat(): Promise<void> {
    await this.keeper?.heartbeat();
  }

  /**
   * A clean stop: offer every user to the other live nodes and keep running rounds (`round`, a reload) until they
   * took them all (each unregistered here as it is taken) or `timeoutMs` ran out. Without other nodes, nothing to do.
   */
  async handOver(round: () => Promise<void>, timeoutMs: number): Promise<void> {
    if (!this.keeper) return;
    this.keeper.leave();
    const until = Date.now() + timeoutMs;
    const held = () => this.agent.ids().length;
    const before = held();
    while (held() > 0 && Date.now() < until) {
      await round();
      if (held() === before && !(await this.keeper.othersAlive())) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    this.logger.info({ handedOver: before - held(), left: held() }, 'sip node handed its users over');
  }

  /** Remove the dead node's binding of a user taken over (not when it had our own address: that is ours). */
  private removeFormer(config: RegistrationConfig, contacts: NodeContacts): void {
    const protocol = config.service.transport;
    const theirs = contacts[protocol];
    const ours = this.keeper!.contacts[protocol];
    const keeper = this.keeper!;
    if (!theirs || (ours && theirs.host === ours.host && theirs.port === ours.port)) {
      void keeper.formerRemoved([config.id]).catch(() => undefined);
      return;
    }
    this.unbinding.add(config.id);
    void this.agent
      .unbindContact(config.id, { protocol, ...theirs })
      .then((sent) => (sent ? keeper.formerRemoved([config.id]) : undefined))
      .catch((error: unknown) =>
        this.logger.warn({ err: error, userId: config.id }, 'former binding not removed'),
      )
      .finally(() => this.unbinding.delete(config.id));
  }
}

function endpoint(stack: SipStack, protocol: 'udp' | 'tcp'): { host: string; port: number } {
  const { host, port } = stack.local(protocol);
  return { host, port };
}
