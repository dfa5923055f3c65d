import { describe, expect, it } from 'vitest';
import { holdings, licenceShortfall, licenceSummary, skusOf, unlicensed } from './licences.js';
import type { Subscription } from './records.js';

const DAY = 86_400_000;
const now = new Date('2026-11-23T12:00:00Z');
const sub = (over: Partial<Subscription>): Subscription => ({
  id: 's',
  accountId: 'a',
  sku: 'pbx_user',
  trial: false,
  quantity: 10,
  state: 'active',
  trialEndsAt: null,
  cancelledAt: null,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  ...over,
});

describe('licences', () => {
  it('makes a Phone App user consume a PBX and a Phone App licence, a trunk user a trunk licence', () => {
    expect(skusOf('pbx', 'phone_app')).toEqual(['pbx_user', 'phone_app_user']);
    expect(skusOf('pbx', 'standard')).toEqual(['pbx_user']);
    expect(skusOf('trunk', 'standard')).toEqual(['trunk_user']);
  });

  it('holds a trial for 30 days, warns for 14 more, then holds nothing; cancelled holds nothing', () => {
    const trialEnds = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
    expect(holdings([sub({ trial: true, trialEndsAt: trialEnds(5) })], now).get('pbx_user')).toMatchObject({
      held: 10,
      serviceStopsAt: null,
    });
    const grace = holdings([sub({ trial: true, trialEndsAt: trialEnds(-3) })], now).get('pbx_user');
    expect(grace).toMatchObject({ held: 10, serviceStopsAt: trialEnds(11) });
    expect(
      holdings([sub({ trial: true, trialEndsAt: trialEnds(-15) })], now).get('pbx_user'),
    ).toBeUndefined();
    expect(holdings([sub({ state: 'cancelled' })], now).size).toBe(0);
  });

  it('summarises held, used and free with a warning in the grace period and when short', () => {
    const lines = licenceSummary(
      [
        sub({ quantity: 5 }),
        sub({
          sku: 'phone_app_user',
          quantity: 2,
          trial: true,
          trialEndsAt: new Date(now.getTime() - DAY).toISOString(),
        }),
      ],
      new Map([
        ['pbx_user', 3],
        ['phone_app_user', 3],
      ]),
      now,
    );
    expect(lines[0]).toMatchObject({
      sku: 'pbx_user',
      held: 5,
      used: 3,
      free: 2,
      state: 'ok',
      warning: null,
    });
    expect(lines[1]).toMatchObject({ sku: 'phone_app_user', held: 2, used: 3, free: 0, state: 'short' });
    expect(lines[1]?.warning).toContain('1 users are disabled');
  });

  it('refuses only growth beyond what is held, naming the SKU and the shortfall', () => {
    const held = new Map([['pbx_user' as const, { held: 2 }]]);
    expect(licenceShortfall(held, new Map([['pbx_user', 2]]), new Map([['pbx_user', 3]]))).toBe(
      'Not enough licences: 2 PBX user licences are held and 3 would be used: 1 short. Ask your licensing provider for more, or turn registration off for users who no longer need it.',
    );
    expect(licenceShortfall(held, new Map([['pbx_user', 4]]), new Map([['pbx_user', 4]]))).toBeNull();
    expect(licenceShortfall(held, new Map(), new Map([['phone_app_user', 1]]))).toContain(
      'the account holds no Phone App user licences (1 needed)',
    );
  });

  it('leaves the users configured last without a licence when licences run short', () => {
    const claims = ['c', 'a', 'b'].map((id, i) => ({
      id,
      accountId: 'acc',
      skus: skusOf('pbx', 'standard'),
      createdAt: `2026-01-0${[3, 1, 2][i]}T00:00:00Z`,
    }));
    const out = unlicensed(claims, new Map([['acc', new Map([['pbx_user' as const, { held: 2 }]])]]));
    expect([...out.keys()]).toEqual(['c']);
    expect(out.get('c')).toContain('No PBX user licence is free');
  });
});
