import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialProgress } from '../../src/calls/phone-app/dial-progress.js';
import { PhoneAppCallsRepository } from '../../src/services/phone-app/phone-app-calls.repository.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;

describe.each(DIALECTS)('phone_app_calls rows (calls readable from any node) on %s', (dialect) => {
  let t: TestApp;
  let repo: PhoneAppCallsRepository;
  let accountId: string;
  const progress = (callId: string, patch: Partial<DialProgress> = {}): DialProgress => ({
    callId,
    number: '+442079460123',
    phase: 'calling-teams',
    startedAt: new Date().toISOString(),
    ...patch,
  });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    repo = new PhoneAppCallsRepository(t.ctx.store.handle.db);
    accountId = (await t.ctx.services.accounts.create(system, { name: 'Contoso', kind: 'partner' })).id;
  });
  afterAll(() => t?.close());

  it("reads a call only for its own user, with the owning node's latest progress and failure", async () => {
    await repo.insert({ accountId, userId: 'debra', nodeId: 'node-a' }, progress('c1'));
    await repo.update(
      progress('c1', {
        phase: 'ended',
        endedAt: '2026-12-03T20:00:00.000Z',
        result: 'declined',
        failure: { by: 'teams', code: 'teams_603', message: 'Teams answered 603', status: 603 },
      }),
    );
    expect(await repo.find(accountId, 'debra', 'c1')).toMatchObject({
      phase: 'ended',
      result: 'declined',
      failure: { by: 'teams', status: 603 },
    });
    expect(await repo.find(accountId, 'someone-else', 'c1')).toBeUndefined();
  });

  it('takes a hang-up request for a call in progress only, and shows it to the owning node alone', async () => {
    await repo.insert(
      { accountId, userId: 'debra', nodeId: 'node-a' },
      progress('c2', { phase: 'answered' }),
    );
    expect(await repo.requestHangUp(accountId, 'someone-else', 'c2', new Date().toISOString())).toBe(false);
    expect(await repo.requestHangUp(accountId, 'debra', 'c2', new Date().toISOString())).toBe(true);
    expect(await repo.hangUpsRequested('node-a', ['c2', 'c1'])).toEqual(['c2']);
    expect(await repo.hangUpsRequested('node-b', ['c2'])).toEqual([]);
    // An ended call cannot be asked to hang up.
    expect(await repo.requestHangUp(accountId, 'debra', 'c1', new Date().toISOString())).toBe(false);
  });

  it('forgets rows not written since the cut-off', async () => {
    await repo.deleteStale(new Date(Date.now() + 1000).toISOString());
    expect(await repo.find(accountId, 'debra', 'c2')).toBeUndefined();
  });
});
