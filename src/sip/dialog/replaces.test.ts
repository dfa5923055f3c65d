import { describe, expect, it } from 'vitest';
import { parseReplaces } from './replaces.js';

describe('parseReplaces (RFC 3891 section 6.1)', () => {
  it("reads the RFC's example, with any parameter case and early-only", () => {
    expect(parseReplaces('425928@bobster.example.org;to-tag=7743;from-tag=6472')).toEqual({
      callId: '425928@bobster.example.org',
      toTag: '7743',
      fromTag: '6472',
      earlyOnly: false,
    });
    expect(parseReplaces('98732@sip.example.com ; FROM-TAG=r33th4x0r ; To-Tag=ff87ff ; early-only')).toEqual({
      callId: '98732@sip.example.com',
      toTag: 'ff87ff',
      fromTag: 'r33th4x0r',
      earlyOnly: true,
    });
  });

  it('refuses a Replaces without Call-ID or either tag', () => {
    expect(parseReplaces(';to-tag=1;from-tag=2')).toBeUndefined();
    expect(parseReplaces('abc;from-tag=2')).toBeUndefined();
    expect(parseReplaces('abc;to-tag=1;from-tag=')).toBeUndefined();
  });
});
