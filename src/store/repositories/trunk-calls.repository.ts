import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import type { Database } from '../schema.js';

/**
 * The channels in use on trunks across sip nodes (issue 19, migration 0023): one row per call holding a channel of
 * a trunk with a limit, named by the node carrying it. Taking a channel locks the trunk's settings row first
 * (`FOR UPDATE` on PostgreSQL; SQLite runs one writer at a time), so two nodes cannot both take the last channel:
 * the second waits, then counts the first one's row. Rows of nodes that stopped heartbeating (killed) are deleted
 * under the same lock, so a dead node's calls give their channels back within its dead-after time.
 *
 * @example const id = await repo.take(serviceId, 30, nodeId, liveSince, now); ... await repo.give(id);
 */
export class TrunkCallsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Take one of the trunk's `max` channels for a call on `nodeId`: the new row's id, or undefined when every
   * channel is held by a call of a node that heartbeat at or after `liveSince` (ISO time).
   */
  async take(
    serviceId: string,
    max: number,
    nodeId: string,
    liveSince: string,
    now: string,
  ): Promise<string | undefined> {
    return this.db.transaction().execute(async (trx) => {
      let lock = trx.selectFrom('trunk_settings').select('service_id').where('service_id', '=', serviceId);
      if (this.dialect === 'postgres') lock = lock.forUpdate();
      await lock.executeTakeFirst();
      const live = trx.selectFrom('sip_nodes').select('id').where('heartbeat_at', '>=', liveSince);
      await trx
        .deleteFrom('trunk_calls')
        .where('service_id', '=', serviceId)
        .where('node_id', '!=', nodeId)
        .where('node_id', 'not in', live)
        .execute();
      const { n } = await trx
        .selectFrom('trunk_calls')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('service_id', '=', serviceId)
        .executeTakeFirstOrThrow();
      if (Number(n) >= max) return undefined;
      const id = randomUUID();
      await trx
        .insertInto('trunk_calls')
        .values({ id, service_id: serviceId, node_id: nodeId, started_at: now })
        .execute();
      return id;
    });
  }

  /** The call ended: its channel is free. */
  async give(id: string): Promise<void> {
    await this.db.deleteFrom('trunk_calls').where('id', '=', id).execute();
  }

  /** Channels held on a trunk now (every node's calls, dead nodes' included until the next take clears them). */
  async inUse(serviceId: string): Promise<number> {
    const { n } = await this.db
      .selectFrom('trunk_calls')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('service_id', '=', serviceId)
      .executeTakeFirstOrThrow();
    return Number(n);
  }
}
