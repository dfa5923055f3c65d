import { describe, expect, it } from 'vitest';
import {
  isDomainReachable,
  parseFederationSettings,
  parseUserCoexistence,
  parseVoiceRoutingPolicy,
} from './teams-admin.parsers.js';

describe('federation settings in every JSON variant seen', () => {
  it.each([
    [{ AllowAllKnownDomains: {} }, { kind: 'allKnown' }],
    [{}, { kind: 'allKnown' }],
    [null, { kind: 'allKnown' }],
    [{ AllowedDomain: [{ Domain: 'A.example' }] }, { kind: 'list', domains: ['a.example'] }],
    [
      [{ Domain: 'a.example' }, { Domain: 'b.example' }],
      { kind: 'list', domains: ['a.example', 'b.example'] },
    ],
    [['a.example'], { kind: 'list', domains: ['a.example'] }],
  ])('AllowedDomains %j', (allowed, expected) => {
    expect(
      parseFederationSettings({ AllowFederatedUsers: true, AllowedDomains: allowed }).allowedDomains,
    ).toEqual(expected);
  });

  it('accepts camelCase keys and a `value` wrapper', () => {
    const settings = parseFederationSettings({
      value: { allowFederatedUsers: true, blockedDomains: ['x.example'], blockAllSubdomains: true },
    });
    expect(settings).toEqual({
      allowFederatedUsers: true,
      allowedDomains: { kind: 'allKnown' },
      blockedDomains: ['x.example'],
      blockAllSubdomains: true,
    });
  });
});

describe('reachability of a domain over external access', () => {
  const base = { allowFederatedUsers: true, blockedDomains: ['blocked.example'], blockAllSubdomains: false };
  it('needs the master switch', () => {
    expect(
      isDomainReachable(
        { ...base, allowFederatedUsers: false, allowedDomains: { kind: 'allKnown' } },
        'a.example',
      ),
    ).toBe(false);
  });
  it('follows the allow-list when there is one (the block-list is then ignored)', () => {
    const settings = { ...base, allowedDomains: { kind: 'list' as const, domains: ['blocked.example'] } };
    expect(isDomainReachable(settings, 'BLOCKED.example')).toBe(true);
    expect(isDomainReachable(settings, 'other.example')).toBe(false);
  });
  it('honours the block-list, parents included with BlockAllSubdomains', () => {
    const all = { ...base, allowedDomains: { kind: 'allKnown' as const } };
    expect(isDomainReachable(all, 'blocked.example')).toBe(false);
    expect(isDomainReachable(all, 'sub.blocked.example')).toBe(true);
    expect(isDomainReachable({ ...all, blockAllSubdomains: true }, 'sub.blocked.example')).toBe(false);
  });
});

describe('Teams admin rows', () => {
  it('reads Get-CsOnlineUser-like rows and keeps unknown modes raw', () => {
    expect(
      parseUserCoexistence({
        ObjectId: 'u1',
        UserPrincipalName: 'a@x',
        TeamsUpgradeEffectiveMode: 'teamsonly',
      }),
    ).toEqual({ userId: 'u1', userPrincipalName: 'a@x', mode: 'TeamsOnly', rawMode: 'teamsonly' });
    expect(parseUserCoexistence({ identity: 'u2', teamsUpgradeEffectiveMode: 'Legacy' })?.mode).toBeNull();
    expect(parseVoiceRoutingPolicy({ Identity: 'Tag:Callbridge', OnlinePstnUsages: 'Callbridge' })).toEqual({
      identity: 'Callbridge',
      onlinePstnUsages: ['Callbridge'],
    });
  });
});
