import { describe, expect, it } from 'vitest';
import { CallState } from './call-state.js';

describe('call state', () => {
  it('moves forward only and records when it rang, was answered and ended', () => {
    const state = new CallState();
    expect(state.move('ringing')).toBe(true);
    expect(state.move('setup')).toBe(false);
    expect(state.move('answered')).toBe(true);
    expect(state.move('ringing')).toBe(false); // a late 180 after the answer changes nothing
    expect(state.move('ending')).toBe(true);
    expect(state.move('ended')).toBe(true);
    expect(state.move('ended')).toBe(false); // ended once
    expect([state.ringingAt, state.answeredAt, state.endedAt].every((d) => d instanceof Date)).toBe(true);
    expect(state.live).toBe('ending');
  });
});
