/**
 * Counters of finished calls on this node since start, for Prometheus: attempts by direction, results, failures
 * by final code, and answered talk time (so ASR = answered / attempts and ACD = talk time / answered).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CallRecord } from './call-record.js';
import type { LiveCalls } from './live-calls.js';

export class CallStats {
  attempts = 0;
  answered = 0;
  talkMs = 0;
  readonly byResult = new Map<string, number>();
  /** Failures by final code (`callbridge` when Callbridge refused, `none` without a code). */
  readonly failuresByCode = new Map<string, number>();

  add(record: CallRecord): void {
    this.attempts++;
    this.byResult.set(record.result, (this.byResult.get(record.result) ?? 0) + 1);
    if (record.result === 'answered') {
      this.answered++;
      this.talkMs += record.durationMs;
      return;
    }
    if (record.result === 'cancelled') return;
    const code = record.refusedBy === 'callbridge' ? 'callbridge' : String(record.finalStatus ?? 'none');
    this.failuresByCode.set(code, (this.failuresByCode.get(code) ?? 0) + 1);
  }

  /** Answer-seizure ratio (0-1) since start; 0 before any call. */
  get asr(): number {
    return this.attempts === 0 ? 0 : this.answered / this.attempts;
  }

  /** Average call duration of answered calls, in seconds. */
  get acdSeconds(): number {
    return this.answered === 0 ? 0 : this.talkMs / this.answered / 1000;
  }
}

/** Mirrors a map of monotonically growing numbers into a labelled counter at scrape time. */
function mirror(
  counter: Counter<string>,
  label: string,
  values: Map<string, number>,
  last: Map<string, number>,
) {
  for (const [key, value] of values) {
    const before = last.get(key) ?? 0;
    if (value > before) counter.inc({ [label]: key }, value - before);
    last.set(key, value);
  }
}

/** Registers the call metrics on a registry; values are read at scrape time. */
export function registerCallMetrics(registry: Registry, stats: CallStats, live: LiveCalls): void {
  new Gauge({
    name: 'callbridge_calls_in_progress',
    help: 'Calls in progress on this node.',
    registers: [registry],
    collect() {
      this.set(live.size);
    },
  });
  const seenResults = new Map<string, number>();
  new Counter({
    name: 'callbridge_calls_total',
    help: 'Finished call attempts by result.',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      mirror(this, 'result', stats.byResult, seenResults);
    },
  });
  const seenCodes = new Map<string, number>();
  new Counter({
    name: 'callbridge_call_failures_total',
    help: 'Failed calls by final SIP code (callbridge: refused by Callbridge itself).',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      mirror(this, 'code', stats.failuresByCode, seenCodes);
    },
  });
  new Gauge({
    name: 'callbridge_call_answer_seizure_ratio',
    help: 'Answered calls over call attempts since start (0-1).',
    registers: [registry],
    collect() {
      this.set(stats.asr);
    },
  });
  new Gauge({
    name: 'callbridge_call_average_duration_seconds',
    help: 'Average talk time of answered calls since start.',
    registers: [registry],
    collect() {
      this.set(stats.acdSeconds);
    },
  });
}
