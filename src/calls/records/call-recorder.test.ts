import pino from 'pino';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../store/store.js';
import { clientWithPbxService } from '../../../test/support/store-fixtures.js';
import { createTestDatabase, DIALECTS } from '../../../test/support/test-database.js';
import type { CallRecordInput, LadderEntry } from '../call-record.types.js';
import { QueuedCallRecorder } from './call-recorder.js';
import { CallRecordsRepository } from './call-records.repository.js';
import { callRetentionTask } from './call-retention.js';
import { CallStats } from './call-stats.js';
import { LiveCalls } from './live-calls.js';

const digest = 'b3f1c2d4e5f60718293a4b5c6d7e8f90';
const key = 'JPEaIxHegfuv53ykBPZk8hV0GO8kTiiqRMfHimEE';
const ladder: LadderEntry[] = [
  {
    at: '2026-12-01T10:00:00.000Z',
    leg: 'pbx',
    direction: 'out',
    summary: 'INVITE sip:201@pbx.example SIP/2.0',
    text: `INVITE sip:201@pbx.example SIP/2.0\r\nAuthorization: Digest username="201", response="${digest}"\r\n\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`,
  },
  {
    at: '2026-12-01T10:00:01.000Z',
    leg: 'teams',
    direction: 'in',
    summary: 'SIP/2.0 404 Not Found',
    text: 'SIP/2.0 404 Not Found\r\nREASON: Q.850;cause=1;text="Unallocated number"',
  },
];

let n = 0;
function call(accountId: string, serviceId: string, over: Partial<CallRecordInput> = {}): CallRecordInput {
  n++;
  const startedAt = new Date(Date.UTC(2026, 11, 1, 10, 0, n)).toISOString();
  return {
    id: `call-${n}-${Math.random().toString(36).slice(2)}`,
    accountId,
    serviceId,
    direction: 'pbx-to-teams',
    from: '201',
    to: '+442079460001',
    startedAt,
    endedAt: new Date(Date.parse(startedAt) + 2000).toISOString(),
    result: 'failed',
    legs: [
      { side: 'pbx', sipCallId: 'a@pbx', finalStatus: 404 },
      {
        side: 'teams',
        sipCallId: 'b@cb',
        finalStatus: 404,
        reason: 'Q.850;cause=1;text="Unallocated number"',
        peer: 'sip.pstnhub.microsoft.com',
      },
    ],
    ladder,
    ...over,
  };
}

describe.each(DIALECTS)('call recorder on %s', (dialect) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let repo: CallRecordsRepository;
  let recorder: QueuedCallRecorder;
  let live: LiveCalls;
  let stats: CallStats;
  let accountId: string;
  let serviceId: string;
  let userId: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const store = new Store(database);
    const { client, service } = await clientWithPbxService(store, 'Recorder');
    accountId = client.id;
    serviceId = service.id;
    userId = '6f1d8f2e-0000-4000-8000-00000000c0de';
    repo = new CallRecordsRepository(database.db);
    live = new LiveCalls();
    stats = new CallStats();
    recorder = new QueuedCallRecorder(repo, live, stats, pino({ level: 'silent' }), { flushMs: 20 });
  });
  afterAll(() => database.drop());

  it('keeps a failed call with the refusing side, code, Q.850 cause and proxy, and its ladder without secrets', async () => {
    const input = call(accountId, serviceId, { userId });
    recorder.ended(input);
    expect(recorder.queued).toBe(1);
    await recorder.flush();
    const stored = await repo.findById(accountId, input.id);
    expect(stored).toMatchObject({
      result: 'failed',
      refusedBy: 'teams',
      finalStatus: 404,
      q850Cause: 1,
      proxy: 'sip.pstnhub.microsoft.com',
      hasLadder: true,
    });
    const kept = JSON.stringify(await repo.findLadder(accountId, input.id));
    expect(kept).not.toContain(digest);
    expect(kept).not.toContain(key);
    expect(kept).toContain('Unallocated number');
  });

  it('writes on its own timer, and stores a call reported twice once', async () => {
    const input = call(accountId, serviceId);
    recorder.ended(input);
    recorder.ended(input);
    await expect.poll(() => repo.findById(accountId, input.id), { timeout: 5000 }).toBeDefined();
    await recorder.flush();
    const page = await repo.list(accountId, { from: input.startedAt, to: input.endedAt }, 10);
    expect(page.items.map((c) => c.id)).toEqual([input.id]);
  });

  it('drops the ladder of an answered call unless the user is under capture, and counts the capture down', async () => {
    const answered = (u?: string) =>
      call(accountId, serviceId, {
        result: 'answered',
        answeredAt: new Date(Date.UTC(2026, 11, 1, 10, 0, n + 1)).toISOString(),
        legs: [{ side: 'teams', sipCallId: 'x', finalStatus: 200 }],
        ...(u && { userId: u }),
      });
    const plain = answered();
    recorder.ended(plain);
    await recorder.flush();
    expect((await repo.findById(accountId, plain.id))!.hasLadder).toBe(false);

    const captured = '6f1d8f2e-0000-4000-8000-00000000cafe';
    await repo.saveCapture({
      userId: captured,
      accountId,
      callsLeft: 2,
      until: null,
      createdBy: 'test',
      createdAt: new Date().toISOString(),
    });
    const [first, second, third] = [answered(captured), answered(captured), answered(captured)];
    recorder.ended(first);
    recorder.ended(second);
    await recorder.flush();
    expect(await repo.findCapture(accountId, captured)).toBeUndefined();
    recorder.ended(third);
    await recorder.flush();
    expect((await repo.findById(accountId, first.id))!.hasLadder).toBe(true);
    expect((await repo.findById(accountId, second.id))!.hasLadder).toBe(true);
    expect((await repo.findById(accountId, third.id))!.hasLadder).toBe(false);
  });

  it('bounds a ladder: past the size limit later messages keep only their first line', async () => {
    const small = new QueuedCallRecorder(repo, live, stats, pino({ level: 'silent' }), {
      ladderMaxBytes: 600,
    });
    const big = 'X'.repeat(400);
    const input = call(accountId, serviceId, {
      ladder: [0, 1, 2].map((k) => ({
        at: `2026-12-01T10:00:0${k}.000Z`,
        leg: 'pbx' as const,
        direction: 'in' as const,
        summary: `MESSAGE ${k} SIP/2.0`,
        text: `MESSAGE ${k} SIP/2.0\r\n${big}`,
      })),
    });
    small.ended(input);
    await small.flush();
    const kept = (await repo.findLadder(accountId, input.id))!;
    expect(kept.map((e) => e.summary)).toEqual([
      'MESSAGE 0 SIP/2.0',
      'MESSAGE 1 SIP/2.0',
      'MESSAGE 2 SIP/2.0',
    ]);
    expect(kept[0]!.text).toContain(big);
    expect(kept[1]!.text).toContain('size limit');
    expect(kept[2]!.text).not.toContain(big);
  });

  it('keeps records queued while the database fails and writes them once it is back', async () => {
    const input = call(accountId, serviceId);
    await sql`alter table call_records rename to call_records_away`.execute(database.db);
    recorder.ended(input);
    await expect(recorder.flush()).rejects.toThrow(/stay queued/);
    expect(recorder.queued).toBe(1);
    await sql`alter table call_records_away rename to call_records`.execute(database.db);
    await recorder.flush();
    expect(await repo.findById(accountId, input.id)).toBeDefined();
  });

  it('shows calls in progress live and counts finished ones for ASR and ACD', () => {
    const base = {
      accountId,
      serviceId,
      direction: 'teams-to-pbx' as const,
      from: '+442079460001',
      to: '201',
      startedAt: new Date().toISOString(),
    };
    recorder.started({ ...base, id: 'live-1', state: 'setup' });
    recorder.changed({ ...base, id: 'live-1', state: 'answered', answeredAt: base.startedAt });
    expect(live.list(new Set([accountId]))).toMatchObject([{ id: 'live-1', state: 'answered' }]);
    expect(live.list(new Set(['another-account']))).toEqual([]);
    const attemptsBefore = stats.attempts;
    recorder.ended({
      ...base,
      id: 'live-1',
      answeredAt: base.startedAt,
      endedAt: new Date(Date.parse(base.startedAt) + 60_000).toISOString(),
      result: 'answered',
      legs: [],
    });
    expect(live.size).toBe(0);
    expect(stats.attempts).toBe(attemptsBefore + 1);
    expect(stats.talkMs).toBeGreaterThanOrEqual(60_000);
    expect(stats.failuresByCode.get('404')).toBeGreaterThan(0);
  });

  it('sweeps records past retention, ladders past their age or the storage bound, and spent captures', async () => {
    const old = call(accountId, serviceId, {
      startedAt: '2020-01-01T00:00:00.000Z',
      endedAt: '2020-01-01T00:00:05.000Z',
    });
    const recent = call(accountId, serviceId);
    recorder.ended(old);
    recorder.ended(recent);
    await recorder.flush();
    const swept = await repo.sweep({
      recordsBefore: '2021-01-01T00:00:00.000Z',
      laddersBefore: '2000-01-01T00:00:00.000Z',
      ladderMaxBytes: 0,
      now: new Date().toISOString(),
      slice: 2,
    });
    expect(swept.records).toBe(1);
    expect(await repo.findById(accountId, old.id)).toBeUndefined();
    expect(swept.ladders).toBeGreaterThan(0);
    expect(await repo.findLadder(accountId, recent.id)).toBeUndefined();
    expect((await repo.findById(accountId, recent.id))!.hasLadder).toBe(false);
  });

  it('the worker task deletes records past the retention days, at most once an hour', async () => {
    const startedAt = '2026-01-01T00:00:00.000Z';
    const input = call(accountId, serviceId, { startedAt, endedAt: '2026-01-01T00:01:00.000Z' });
    recorder.ended(input);
    await recorder.flush();
    const task = callRetentionTask(
      repo,
      { recordDays: 90, ladderDays: 14, ladderMaxBytes: 1 << 30 },
      pino({ level: 'silent' }),
    );
    const expiresAt = Date.parse(startedAt) + 90 * 86_400_000;
    const minutes = (m: number) => new Date(expiresAt + m * 60_000);
    expect(await task(minutes(-10))).toBe(0);
    expect(await repo.findById(accountId, input.id)).toBeDefined();
    // Expired now, but the last sweep was 30 minutes ago: the next sweep comes after the hour.
    await task(minutes(20));
    expect(await repo.findById(accountId, input.id)).toBeDefined();
    await task(minutes(51));
    expect(await repo.findById(accountId, input.id)).toBeUndefined();
  });
});
