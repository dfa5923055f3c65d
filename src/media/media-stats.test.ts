import { describe, expect, it } from 'vitest';
import { mergeMediaStats } from './media-stats.js';

describe('mergeMediaStats: one call whose media moved to a new relay call', () => {
  it('adds packets and losses, keeps the worse jitter, weights the MOS by packets, takes the later codec', () => {
    const before = {
      packets: { pbx: 300, teams: 100 },
      lost: { teams: 2 },
      jitterMs: { pbx: 4, teams: 9 },
      mos: 4.4,
      codec: 'PCMA/8000',
    };
    const after = {
      packets: { pbx: 100, teams: 300 },
      lost: { teams: 1, pbx: 3 },
      jitterMs: { pbx: 6 },
      mos: 3.6,
      codec: 'PCMU/8000',
    };
    expect(mergeMediaStats(before, after)).toEqual({
      packets: { pbx: 400, teams: 400 },
      lost: { pbx: 3, teams: 3 },
      jitterMs: { pbx: 6, teams: 9 },
      mos: 4,
      codec: 'PCMU/8000',
    });
  });

  it('a part the relay no longer knew leaves the other as it is', () => {
    const only = { packets: { pbx: 5 } };
    expect(mergeMediaStats(undefined, only)).toBe(only);
    expect(mergeMediaStats(only, undefined)).toBe(only);
    expect(mergeMediaStats(undefined, undefined)).toBeUndefined();
  });
});
