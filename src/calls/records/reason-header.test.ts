import { describe, expect, it } from 'vitest';
import { parseReason, q850CauseOf } from './reason-header.js';

describe('Reason header', () => {
  it('reads a Q.850 cause and its text', () => {
    expect(parseReason('Q.850;cause=16;text="Normal call clearing"')).toEqual([
      { protocol: 'Q.850', cause: 16, text: 'Normal call clearing' },
    ]);
  });

  it('reads several values, with commas and semicolons inside quotes, and finds the Q.850 one', () => {
    const header =
      'SIP;cause=480;text="Unavailable, try; later", Q.850 ; cause=18 ;text="No user responding"';
    expect(parseReason(header)).toEqual([
      { protocol: 'SIP', cause: 480, text: 'Unavailable, try; later' },
      { protocol: 'Q.850', cause: 18, text: 'No user responding' },
    ]);
    expect(q850CauseOf(header)).toBe(18);
  });

  it('gives nothing for a missing header or a phrase that is not a Reason', () => {
    expect(q850CauseOf(undefined)).toBeUndefined();
    expect(q850CauseOf('Busy Here')).toBeUndefined();
  });
});
