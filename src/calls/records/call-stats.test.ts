import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { CallRecordInput } from '../call-record.types.js';
import { recordOf } from './call-record.js';
import { CallStats, registerCallMetrics } from './call-stats.js';
import { LiveCalls } from './live-calls.js';

const base: CallRecordInput = {
  id: 'c',
  accountId: 'a',
  serviceId: 's',
  direction: 'pbx-to-teams',
  from: '201',
  to: '+442079460001',
  startedAt: '2026-12-01T10:00:00.000Z',
  endedAt: '2026-12-01T10:01:00.000Z',
  result: 'failed',
  legs: [],
};

describe('call metrics', () => {
  it('exports calls in progress, results, failures by code, ASR and ACD in the Prometheus text format', async () => {
    const stats = new CallStats();
    const live = new LiveCalls();
    const registry = new Registry();
    registerCallMetrics(registry, stats, live);
    live.put({ ...base, id: 'in-progress', state: 'answered' });
    stats.add(recordOf({ ...base, result: 'answered', answeredAt: '2026-12-01T10:00:30.000Z' }));
    stats.add(recordOf({ ...base, legs: [{ side: 'teams', sipCallId: 'x', finalStatus: 404 }] }));
    stats.add(recordOf({ ...base, legs: [{ side: 'teams', sipCallId: 'y', finalStatus: 404 }] }));
    stats.add(recordOf({ ...base, refusal: { code: 'licence_exceeded', message: 'no licence' } }));
    const text = await registry.metrics();
    expect(text).toContain('callbridge_calls_in_progress 1');
    expect(text).toContain('callbridge_calls_total{result="answered"} 1');
    expect(text).toContain('callbridge_calls_total{result="failed"} 3');
    expect(text).toContain('callbridge_call_failures_total{code="404"} 2');
    expect(text).toContain('callbridge_call_failures_total{code="callbridge"} 1');
    expect(text).toContain('callbridge_call_answer_seizure_ratio 0.25');
    expect(text).toContain('callbridge_call_average_duration_seconds 30');
    // Counters only grow between scrapes: a second scrape adds nothing twice.
    stats.add(recordOf({ ...base, legs: [{ side: 'teams', sipCallId: 'z', finalStatus: 404 }] }));
    expect(await registry.metrics()).toContain('callbridge_call_failures_total{code="404"} 3');
  });
});
