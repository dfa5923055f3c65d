import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry.policy.js';

describe('Retry-After and backoff', () => {
  it('reads seconds, decimal seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('2.128')).toBe(2128);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('honours Retry-After up to the ceiling, else backs off exponentially with jitter', () => {
    expect(retryDelayMs(defaultRetryPolicy, 1, 200)).toBe(200);
    expect(retryDelayMs({ ...defaultRetryPolicy, maxDelayMs: 1000 }, 1, 5000)).toBe(1000);
    expect(retryDelayMs(defaultRetryPolicy, 1, undefined, () => 0)).toBe(250);
    expect(retryDelayMs(defaultRetryPolicy, 3, undefined, () => 1)).toBe(2000);
  });

  it('retries only what Microsoft documents as transient', () => {
    expect([429, 503, 504, 500, 400, 404].map(isRetryableStatus)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
