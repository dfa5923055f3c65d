import type { Logger } from '../../observability/logger.js';
import type { TrunkCallsRepository } from '../../store/repositories/trunk-calls.repository.js';

/** Channels of trunks shared by every sip node (PostgreSQL); a ticket stands for one channel held by one call. */
export interface TrunkChannelLedger {
  /** Take one of `max` channels of the trunk: a ticket, or undefined when all are in use on some live node. */
  take(serviceId: string, max: number): Promise<string | undefined>;
  /** Give the ticket's channel back (never throws: a failure is logged, the row expires with its node). */
  give(ticket: string): void;
}

/**
 * The ledger of a sip node among several: channels are rows in `trunk_calls` named by this node, counted across
 * the nodes whose heartbeat is younger than `deadAfterMs` (a killed node's calls stop counting once it counts as
 * dead, as its users' leases do).
 *
 * @example const ledger = sharedTrunkChannels(repo, keeper.nodeId, 15_000, logger);
 */
export function sharedTrunkChannels(
  repo: TrunkCallsRepository,
  nodeId: string,
  deadAfterMs: number,
  logger: Logger,
): TrunkChannelLedger {
  return {
    take(serviceId, max) {
      const now = Date.now();
      const liveSince = new Date(now - deadAfterMs).toISOString();
      return repo.take(serviceId, max, nodeId, liveSince, new Date(now).toISOString());
    },
    give(ticket) {
      repo
        .give(ticket)
        .catch((error: unknown) => logger.warn({ err: error, ticket }, 'trunk channel not given back'));
    },
  };
}
