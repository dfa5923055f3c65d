import { describe, expect, it } from 'vitest';
import { CallLimits } from './call-limits.js';
import { DEFAULT_CALL_SETTINGS, type CallUser } from './call-user.js';

function user(userId: string, limits: { perUser?: number; perService?: number }): CallUser {
  return {
    userId,
    accountId: 'a',
    serviceId: 's',
    number: '+4930111',
    customerFqdn: 'c.sbc.test',
    pbx: {
      sipDomain: 'pbx.test',
      transport: 'udp',
      sipUsername: userId,
      authUsername: userId,
      password: 'x',
    },
    settings: {
      ...DEFAULT_CALL_SETTINGS,
      maxCallsPerUser: limits.perUser ?? null,
      maxCallsPerService: limits.perService ?? null,
    },
  };
}

describe('CallLimits', () => {
  it("refuses a user's call past their limit (486 toward the PBX, 503 toward Teams) and admits again once one ends", () => {
    const limits = new CallLimits();
    const bo = user('bo', { perUser: 2 });
    expect(limits.admit(bo, 'pbx')).toBeUndefined();
    expect(limits.admit(bo, 'teams')).toBeUndefined();
    expect(limits.admit(bo, 'pbx')).toMatchObject({ code: 'user_call_limit', status: 486 });
    expect(limits.admit(bo, 'teams')).toMatchObject({ code: 'user_call_limit', status: 503 });
    expect(limits.callsOf('bo')).toBe(2); // refusals are not counted
    limits.release(bo);
    expect(limits.admit(bo, 'pbx')).toBeUndefined();
  });

  it("counts every user of a service against the service's limit; no limit means none", () => {
    const limits = new CallLimits();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => user(id, { perService: 2 }));
    expect(limits.admit(a!, 'pbx')).toBeUndefined();
    expect(limits.admit(b!, 'pbx')).toBeUndefined();
    expect(limits.admit(c!, 'pbx')).toMatchObject({ code: 'service_call_limit', status: 503 });
    const free = user('free', {});
    for (let i = 0; i < 50; i++) expect(limits.admit(free, 'teams')).toBeUndefined();
  });
});
