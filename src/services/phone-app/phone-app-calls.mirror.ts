import { randomUUID } from 'node:crypto';
import type { DialProgress } from '../../calls/phone-app/dial-progress.js';
import type { PhoneAppCallsRepository } from './phone-app-calls.repository.js';

/** The parts of the dialler the mirror reads and acts through. */
export interface MirroredDialler {
  progress(userId: string, callId: string): DialProgress | undefined;
  hangUp(userId: string, callId: string): Promise<boolean>;
}

/** A row of a call in progress is rewritten at least this often, so a live call's row is never taken as stale. */
const REFRESH_MS = 60_000;
/** Rows not written for this long are removed (ended calls, and calls of a node that died). */
const STALE_MS = 10 * 60_000;

/**
 * Makes this node's Phone App calls readable and hung up from any node (issue 20, several nodes): each call
 * placed here gets a `phone_app_calls` row, rewritten whenever its progress changes (checked every `intervalMs`,
 * a quarter second by default), and this node ends a call once any node has set its hang-up request. Polling the
 * table needs no new infrastructure and works on both databases; the loop runs only while this node has calls.
 */
export class PhoneAppCallsMirror {
  /** This process's node: only it acts on its calls' hang-up requests. */
  readonly nodeId = randomUUID();
  private readonly tracked = new Map<string, { userId: string; last: string; writtenAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastCleanup = 0;

  constructor(
    private readonly repo: PhoneAppCallsRepository,
    private readonly dialler: () => MirroredDialler | undefined,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 250,
  ) {}

  /** A call was placed on this node: its row is written before the tab learns its id. */
  async placed(owner: { accountId: string; userId: string }, progress: DialProgress): Promise<void> {
    await this.repo.insert({ ...owner, nodeId: this.nodeId }, progress);
    this.tracked.set(progress.callId, {
      userId: owner.userId,
      last: JSON.stringify(progress),
      writtenAt: Date.now(),
    });
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs).unref();
  }

  /** One pass: write what changed, end what was asked to end; stop when no call is left. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const dialler = this.dialler();
      const now = Date.now();
      for (const [callId, entry] of this.tracked) {
        const progress = dialler?.progress(entry.userId, callId);
        if (!progress) {
          this.tracked.delete(callId);
          continue;
        }
        const json = JSON.stringify(progress);
        if (json !== entry.last || now - entry.writtenAt > REFRESH_MS) {
          await this.repo.update(progress);
          entry.last = json;
          entry.writtenAt = now;
        }
        if (progress.phase === 'ended') this.tracked.delete(callId);
      }
      const asked = await this.repo.hangUpsRequested(this.nodeId, [...this.tracked.keys()]);
      for (const callId of asked) {
        const entry = this.tracked.get(callId);
        if (entry && dialler) await dialler.hangUp(entry.userId, callId);
      }
      if (now - this.lastCleanup > STALE_MS / 2) {
        this.lastCleanup = now;
        await this.repo.deleteStale(new Date(now - STALE_MS).toISOString());
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
      if (this.tracked.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    }
  }
}
