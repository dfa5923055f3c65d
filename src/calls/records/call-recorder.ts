/**
 * The `CallRecorder` the B2BUA reports to. It never blocks a call: `started`/`changed`/`ended` only touch memory
 * (the live view, the counters, a queue); a timer writes the queue in batches (one transaction per batch), and
 * the ladder's redaction and the capture look-up happen there, off the call's path. When the database fails the
 * batch stays queued and is retried; past `maxQueue` the oldest records are dropped and counted (memory stays
 * bounded), and the log says so.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from '../../observability/logger.js';
import type { CallRecorder, CallRecordInput, LadderEntry, LiveCallInfo } from '../call-record.types.js';
import { FAILED_RESULTS, recordOf, type CallRecord } from './call-record.js';
import type { CallRecordsRepository, CallRecordWrite } from './call-records.repository.js';
import type { CallStats } from './call-stats.js';
import { redactLadder } from './ladder-redaction.js';
import type { LiveCalls } from './live-calls.js';

export interface CallRecorderOptions {
  /** Records per insert (default 200). */
  batchSize?: number;
  /** How long a record may wait in the queue before a write (default 250 ms). */
  flushMs?: number;
  /** Records held while the database is failing (default 50,000); the oldest go first past it. */
  maxQueue?: number;
  /** Largest ladder kept per call; past it messages keep their first line only (default 256 KiB). */
  ladderMaxBytes?: number;
  /** Where every call's redacted ladder goes besides the database (Homer over HEPv3, `CALLBRIDGE_HEP_URL`). */
  ladderExport?: { export(record: CallRecord, entries: readonly LadderEntry[]): void };
}

const BODY_DROPPED = "(not kept: this call's ladder reached its size limit; the first line is above)";

export class QueuedCallRecorder implements CallRecorder {
  /** `exported`: the ladder went to `ladderExport` already (a batch retried after a database error). */
  private queue: { record: CallRecord; ladder?: LadderEntry[]; exported?: boolean }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  /** Records dropped because the queue was full while the database failed. */
  dropped = 0;
  /** Records written since start. */
  written = 0;
  private readonly batchSize: number;
  private readonly flushMs: number;
  private readonly maxQueue: number;
  private readonly ladderMaxBytes: number;
  private readonly ladderExport: CallRecorderOptions['ladderExport'];

  constructor(
    private readonly repo: CallRecordsRepository,
    private readonly live: LiveCalls,
    private readonly stats: CallStats,
    private readonly logger: Logger,
    options: CallRecorderOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.flushMs = options.flushMs ?? 250;
    this.maxQueue = options.maxQueue ?? 50_000;
    this.ladderMaxBytes = options.ladderMaxBytes ?? 256 * 1024;
    this.ladderExport = options.ladderExport;
  }

  started(call: LiveCallInfo): void {
    this.live.put(call);
  }

  changed(call: LiveCallInfo): void {
    if (this.live.get(call.id) || call.state !== 'ending') this.live.put(call);
  }

  ended(input: CallRecordInput): void {
    this.live.remove(input.id);
    const record = recordOf(input);
    this.stats.add(record);
    this.queue.push({ record, ...(input.ladder && { ladder: input.ladder }) });
    if (this.queue.length > this.maxQueue) {
      const excess = this.queue.length - this.maxQueue;
      this.queue.splice(0, excess);
      this.dropped += excess;
    }
    if (this.queue.length >= this.batchSize) this.schedule(0);
    else this.schedule(this.flushMs);
  }

  /** Writes everything queued now (tests, shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    while (this.queue.length > 0) {
      this.flushing = this.writeBatch();
      try {
        await this.flushing;
      } finally {
        this.flushing = undefined;
      }
      if (this.failures > 0) throw new Error('call records could not be written; they stay queued');
    }
  }

  /** Stops the timer and writes what is queued (best effort). */
  async close(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.logger.error({ err: error, queued: this.queue.length }, 'call records lost at shutdown');
    }
  }

  get queued(): number {
    return this.queue.length;
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.flushing) return this.schedule(this.flushMs);
      this.flushing = this.writeBatch().finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0)
          this.schedule(this.failures > 0 ? Math.min(30_000, this.flushMs * 2 ** this.failures) : 0);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.batchSize);
    if (batch.length === 0) return;
    try {
      const userIds = [...new Set(batch.map((b) => b.record.userId).filter((id): id is string => !!id))];
      const captured = await this.repo.activeCaptures(userIds, new Date().toISOString());
      const writes: CallRecordWrite[] = [];
      const capturedCalls: string[] = [];
      for (const [i, item] of batch.entries()) {
        const { record } = item;
        const underCapture = record.userId !== null && captured.has(record.userId);
        if (underCapture) capturedCalls.push(record.userId!);
        const hasLadder = item.ladder !== undefined && item.ladder.length > 0;
        const keep = hasLadder && (FAILED_RESULTS.has(record.result) || underCapture);
        const redacted = hasLadder && (keep || this.ladderExport) ? redactLadder(item.ladder!) : undefined;
        if (redacted && this.ladderExport && !item.exported) {
          this.ladderExport.export(record, redacted);
          item.exported = true;
        }
        writes.push({ record, ...(keep && redacted && { ladder: this.bounded(redacted) }) });
        // Redaction is regex work over whole messages: give the loop back now and then in a large batch.
        if (i % 50 === 49) await yieldToLoop();
      }
      await this.repo.insertBatch(writes, capturedCalls);
      this.written += batch.length;
      if (this.failures > 0) this.logger.info({ queued: this.queue.length }, 'call records written again');
      this.failures = 0;
    } catch (error) {
      this.failures++;
      this.queue.unshift(...batch);
      if (this.queue.length > this.maxQueue) {
        const excess = this.queue.length - this.maxQueue;
        this.queue.splice(0, excess);
        this.dropped += excess;
      }
      this.logger.error(
        { err: error, queued: this.queue.length, dropped: this.dropped },
        'call records could not be written; retrying',
      );
    }
  }

  /** The ladder within the size limit: whole messages while they fit, then first lines only. */
  private bounded(entries: LadderEntry[]): { entries: LadderEntry[]; bytes: number } {
    let bytes = 0;
    const out = entries.map((entry) => {
      const size = Buffer.byteLength(entry.text) + Buffer.byteLength(entry.summary);
      if (bytes + size <= this.ladderMaxBytes) {
        bytes += size;
        return entry;
      }
      bytes += Buffer.byteLength(entry.summary) + BODY_DROPPED.length;
      return { ...entry, text: BODY_DROPPED };
    });
    return { entries: out, bytes };
  }
}
