import { describe, expect, it } from 'vitest';
import { finalStatusAcross, resultOf, RingbackFilter } from './response-map.js';

describe('final answers across the bridge', () => {
  it('keeps busy, decline and not found; a timeout is unavailable, a server failure 503, a challenge 403', () => {
    expect([486, 600, 603, 404, 480, 408, 500, 502, 503, 401, 407, 488].map(finalStatusAcross)).toEqual([
      486, 486, 603, 404, 480, 480, 503, 503, 503, 403, 403, 488,
    ]);
  });

  it('names the result the call record shows', () => {
    expect([200, 486, 603, 487, 480, 404].map(resultOf)).toEqual([
      'answered',
      'busy',
      'declined',
      'cancelled',
      'no-answer',
      'failed',
    ]);
  });
});

describe('ringback profiles (Teams: a 180 per device, then one 183 with SDP)', () => {
  const teams = [
    [180, false],
    [180, false],
    [183, true],
  ] as const;
  const run = (profile: ConstructorParameters<typeof RingbackFilter>[0]) => {
    const filter = new RingbackFilter(profile);
    return teams.map(([status, sdp]) => filter.next(status, sdp));
  };

  it('pass-through forwards each 18x as it came', () => {
    expect(run('pass-through')).toEqual([
      { kind: 'forward', status: 180, withSdp: false },
      { kind: 'forward', status: 180, withSdp: false },
      { kind: 'forward', status: 183, withSdp: true },
    ]);
  });

  it('first-18x-only forwards the first and nothing after it', () => {
    expect(run('first-18x-only').map((s) => s.kind)).toEqual(['forward', 'drop', 'drop']);
  });

  it('183-as-180 turns the 183 into a 180 without SDP', () => {
    expect(run('183-as-180')[2]).toEqual({ kind: 'forward', status: 180, withSdp: false });
  });

  it('never forwards a 100', () => {
    expect(new RingbackFilter('pass-through').next(100, false)).toEqual({ kind: 'drop' });
  });
});
