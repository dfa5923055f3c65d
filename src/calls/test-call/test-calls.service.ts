import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/records.js';
import type { AccessService } from '../../services/access.service.js';
import type { Store } from '../../store/store.js';
import type { CallRecordsService } from '../records/call-records.service.js';
import type { FailureAdvice } from '../records/failure-advice.js';
import type { TestCallPlacer, TestCallReport } from './test-caller.js';

/** A test call as the API shows it. */
export interface TestCallView extends TestCallReport {
  id: string;
  accountId: string;
  userId: string;
  startedAt: string;
  endedAt?: string;
  /** The stored call record of the call (its ladder and details in the call log), once written. */
  callRecordId?: string;
  /** What to do when it did not go through: the call record's failure advice. */
  advice?: FailureAdvice | null;
}

/** Test calls an account may start per minute (each rings a real person's Teams client). */
export const TEST_CALLS_PER_MINUTE = 5;
/** Finished test calls are kept this long in memory for the portal to read their result. */
const KEEP_MS = 60 * 60_000;

/**
 * "Test call" (issue 17): rings a user's Teams client from the PBX side and reports progress and result. The calls
 * are placed by the sip role of this process (`placer`, set when the B2BUA runs here); their progress lives in
 * memory on this node (a test call lasts a minute at most) and the call itself is stored as a call record like any
 * other, whose failure advice the result carries. Rate-limited: one test call per user at a time and
 * `TEST_CALLS_PER_MINUTE` per account, since each one rings a person.
 */
export class TestCallsService {
  /** Set by the sip role when the B2BUA runs in this process. */
  placer: TestCallPlacer | undefined;
  private readonly calls = new Map<string, TestCallView>();
  private readonly startsByAccount = new Map<string, number[]>();

  constructor(
    private readonly store: Store,
    private readonly access: AccessService,
    private readonly records: CallRecordsService,
    private readonly flushRecords: () => Promise<void>,
  ) {}

  /** Start a test call to a user; answers at once with the call in phase `calling`. */
  async start(actor: Actor, accountId: string, userId: string, input: { seconds?: number | undefined } = {}) {
    await this.access.require(actor, accountId, 'service.write');
    const user = await this.store.repos.users.findById(accountId, userId);
    if (!user) throw notFound('user', userId);
    if (user.registrationState !== 'registered' && user.registrationState !== 'expiring')
      throw new AppError(
        'precondition_failed',
        `${user.displayName} is not registered to the PBX (${user.registrationState}): a test call rings the Contact Callbridge registered for them. Fix the registration first (its reason is on the user's page).`,
        { registrationState: user.registrationState },
      );
    const placer = this.placer;
    if (!placer)
      throw new AppError(
        'calls_unavailable',
        'Test calls are placed by the sip role with the Teams edge: run this server with the sip role (CALLBRIDGE_ROLES) and a certificate for the Teams edge, or use the API of the node that runs them.',
      );
    this.forgetOld();
    const running = [...this.calls.values()].find((c) => c.userId === userId && c.phase !== 'ended');
    if (running)
      throw new AppError('conflict', 'A test call to this user is in progress; wait for its result.', {
        testCallId: running.id,
      });
    this.takeTurn(accountId);
    const view: TestCallView = {
      id: randomUUID(),
      accountId,
      userId,
      phase: 'calling',
      startedAt: new Date().toISOString(),
    };
    this.calls.set(view.id, view);
    const placed = placer.place(userId, {
      holdMs: (input.seconds ?? 5) * 1000,
      onReport: (report) => Object.assign(view, report),
    });
    void placed.done
      .then(async (report) => {
        // The result is shown once the call record (and its advice) is there, so the portal reads both at once.
        await this.attachRecord(actor, view, placed.sipCallId).catch(() => undefined);
        Object.assign(view, report, { endedAt: new Date().toISOString() });
      })
      .catch((error: unknown) =>
        Object.assign(view, {
          phase: 'ended',
          result: 'failed',
          reason: String(error),
          endedAt: new Date().toISOString(),
        }),
      );
    return { ...view };
  }

  /** A test call's progress or result. */
  async get(actor: Actor, accountId: string, userId: string, testCallId: string): Promise<TestCallView> {
    await this.access.require(actor, accountId, 'service.read');
    const view = this.calls.get(testCallId);
    if (!view || view.accountId !== accountId || view.userId !== userId)
      throw notFound('test call', testCallId);
    return { ...view };
  }

  /** At most `TEST_CALLS_PER_MINUTE` starts per account in any minute; 429 with when to try again. */
  private takeTurn(accountId: string): void {
    const now = Date.now();
    const recent = (this.startsByAccount.get(accountId) ?? []).filter((at) => now - at < 60_000);
    if (recent.length >= TEST_CALLS_PER_MINUTE) {
      const retryAfterSeconds = Math.ceil((60_000 - (now - (recent[0] ?? now))) / 1000);
      throw new AppError(
        'rate_limited',
        `At most ${TEST_CALLS_PER_MINUTE} test calls a minute per account; try again in ${retryAfterSeconds} s.`,
        { retryAfterSeconds, limit: TEST_CALLS_PER_MINUTE },
      );
    }
    recent.push(now);
    this.startsByAccount.set(accountId, recent);
  }

  /**
   * The call record the B2BUA wrote for the test call (its PBX leg has our Call-ID), with its advice. The B2BUA
   * reports the end after both legs' BYE, a moment after ours: looked for for up to two seconds.
   */
  private async attachRecord(actor: Actor, view: TestCallView, sipCallId: string): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.flushRecords();
      const page = await this.records.list(actor, view.accountId, { userId: view.userId, limit: 20 });
      const record = page.items.find((item) =>
        item.legs.some((leg) => leg.side === 'pbx' && leg.sipCallId === sipCallId),
      );
      if (record) {
        view.callRecordId = record.id;
        view.advice = (await this.records.get(actor, view.accountId, record.id)).advice;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private forgetOld(): void {
    const now = Date.now();
    for (const [id, view] of this.calls)
      if (view.endedAt && now - Date.parse(view.endedAt) > KEEP_MS) this.calls.delete(id);
  }
}
