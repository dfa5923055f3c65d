import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { clientWithPbxService } from '../../../test/support/store-fixtures.js';
import { DIALECTS, createTestDatabase } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../../store/database.js';
import { TrunkCallsRepository } from '../../store/repositories/trunk-calls.repository.js';
import { Store } from '../../store/store.js';
import { sharedTrunkChannels } from './trunk-channels.js';

const DEAD_AFTER = 15_000;

/**
 * A trunk's channel limit across sip nodes (issue 19, migration 0023), on both databases: nodes share the limit,
 * a channel given back is free again, a killed node's calls stop counting once its heartbeat is old, and on
 * PostgreSQL many nodes racing for the last channels never take more than the limit.
 */
describe.each(DIALECTS)('trunk channels across nodes on %s', (dialect) => {
  let handle: DatabaseHandle & { drop(): Promise<void> };
  let store: Store;
  let repo: TrunkCallsRepository;
  const logger = pino({ level: 'silent' });
  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = new Store(handle);
    repo = new TrunkCallsRepository(handle.db, dialect);
  });
  afterAll(() => handle.drop());

  /** A trunk service with trunk settings (the row a taker locks). */
  async function trunk(name: string): Promise<string> {
    const { client, service } = await clientWithPbxService(store, name, { kind: 'trunk', name: 'Trunk' });
    const now = new Date().toISOString();
    await handle.db
      .insertInto('trunk_settings')
      .values({
        service_id: service.id,
        account_id: client.id,
        kind: 'ip',
        domain: 'carrier.example',
        addresses: '[]',
        transport: 'udp',
        username: null,
        auth_username: null,
        password_enc: null,
        number_format: 'e164',
        number_prefix: '',
        called_number_from: 'request-uri',
        assert_identity: 1,
        max_channels: 2,
        codecs: '["PCMU"]',
        registration_state: null,
        registration_detail: null,
        address_health: null,
        state_updated_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return service.id;
  }
  const node = async (id: string, heartbeatAgoMs = 0) => {
    await store.repos.sipLeases.heartbeat(id, {}, new Date(Date.now() - heartbeatAgoMs).toISOString());
    return sharedTrunkChannels(repo, id, DEAD_AFTER, logger);
  };

  it('two nodes share the limit; a channel given back is free again', async () => {
    const serviceId = await trunk('Shared');
    const [a, b] = [await node('node-a'), await node('node-b')];
    const first = await a.take(serviceId, 2);
    const second = await b.take(serviceId, 2);
    expect([first, second].every((t) => typeof t === 'string')).toBe(true);
    expect(await a.take(serviceId, 2)).toBeUndefined();
    expect(await b.take(serviceId, 2)).toBeUndefined();
    a.give(first!);
    await expect.poll(() => repo.inUse(serviceId)).toBe(1);
    expect(await b.take(serviceId, 2)).toEqual(expect.any(String));
  });

  it("a killed node's calls stop counting once its heartbeat is older than the dead-after time", async () => {
    const serviceId = await trunk('Killed');
    const victim = await node('node-killed');
    expect(await victim.take(serviceId, 2)).toEqual(expect.any(String));
    expect(await victim.take(serviceId, 2)).toEqual(expect.any(String));
    const survivor = await node('node-survivor');
    expect(await survivor.take(serviceId, 2)).toBeUndefined(); // the victim is still alive
    await node('node-killed', DEAD_AFTER + 1000); // its last heartbeat, long ago: it was killed
    expect(await survivor.take(serviceId, 2)).toEqual(expect.any(String));
    expect(await repo.inUse(serviceId)).toBe(1); // the dead node's rows are gone
  });

  it.runIf(dialect === 'postgres')(
    'forty takes racing from four nodes for a limit of 2: exactly two win',
    async () => {
      const serviceId = await trunk('Race');
      const nodes = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((id) => node(id)));
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => nodes[i % 4]!.take(serviceId, 2)),
      );
      expect(results.filter((t) => t !== undefined)).toHaveLength(2);
      expect(await repo.inUse(serviceId)).toBe(2);
    },
  );
});
