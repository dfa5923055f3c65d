import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../message/message.parser.js';
import type { SipResponse } from '../message/sip-message.js';
import {
  backoffDelayMs,
  grantedExpires,
  isFinalFailure,
  minExpiresSeconds,
  refreshDelayMs,
  retryAfterSeconds,
  successState,
} from './registration.rules.js';

function response(extra: string[]): SipResponse {
  const text = [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1',
    'From: <sip:1001@pbx>;tag=1',
    'To: <sip:1001@pbx>;tag=2',
    'Call-ID: c',
    'CSeq: 2 REGISTER',
    ...extra,
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipResponse;
}

describe('refreshDelayMs', () => {
  it('refreshes between 55 % and 80 % of the expiry, spread by the random input', () => {
    expect(refreshDelayMs(3600, 0)).toBe(1_980_000);
    expect(refreshDelayMs(3600, 0.999999)).toBeCloseTo(2_880_000, -2);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (expires, r) => {
          const delay = refreshDelayMs(expires, r);
          expect(delay).toBeLessThan(expires * 1000 + 1);
          expect(delay).toBeGreaterThanOrEqual(Math.min(500, expires * 1000) - 1e-6);
        },
      ),
    );
  });

  it('spreads 10,000 users registered at once over the window instead of one burst', () => {
    const seconds = Array.from({ length: 10_000 }, (_, i) =>
      Math.floor(refreshDelayMs(600, i / 10_000) / 1000),
    );
    const perSecond = new Map<number, number>();
    for (const s of seconds) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThan(100);
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the base, stays within 50-100 % of the ceiling and never passes the cap', () => {
    expect(backoffDelayMs(1, 2000, 300_000, 0)).toBe(1000);
    expect(backoffDelayMs(1, 2000, 300_000, 1)).toBe(2000);
    expect(backoffDelayMs(4, 2000, 300_000, 1)).toBe(16_000);
    expect(backoffDelayMs(40, 2000, 300_000, 1)).toBe(300_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = backoffDelayMs(n, 2000, 300_000, r);
        expect(d).toBeGreaterThanOrEqual(1000);
        expect(d).toBeLessThanOrEqual(300_000);
      }),
    );
  });
});

describe('response rules', () => {
  it('takes the granted expiry from our Contact, then Expires, then the request', () => {
    const ours = response([
      'Contact: <sip:other@192.0.2.9>;expires=10, <sip:tok1@192.0.2.10:5060>;expires=1800',
      'Expires: 60',
    ]);
    expect(grantedExpires(ours, 'tok1', 3600)).toBe(1800);
    expect(grantedExpires(response(['Expires: 60']), 'tok1', 3600)).toBe(60);
    expect(grantedExpires(response([]), 'tok1', 3600)).toBe(3600);
  });

  it('reads Retry-After and Min-Expires', () => {
    expect(retryAfterSeconds(response(['Retry-After: 120 (maintenance);duration=60']))).toBe(120);
    expect(retryAfterSeconds(response([]))).toBeUndefined();
    expect(minExpiresSeconds(response(['Min-Expires: 600']))).toBe(600);
  });

  it('treats credential and account errors as final, server trouble as retryable', () => {
    expect([401, 403, 404, 407, 603].every(isFinalFailure)).toBe(true);
    expect([408, 480, 500, 503, 504].some(isFinalFailure)).toBe(false);
  });

  it('calls a refresh that lands after the old binding ran out "expiring", unless it recovers from failures', () => {
    expect(successState(1000, false, 1500)).toBe('expiring');
    expect(successState(1000, true, 1500)).toBe('registered');
    expect(successState(2000, false, 1500)).toBe('registered');
    expect(successState(0, false, 1500)).toBe('registered');
  });
});
