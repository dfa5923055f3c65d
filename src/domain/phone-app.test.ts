import { describe, expect, it } from 'vitest';
import { defaultTeamsSettings } from './records.js';
import {
  largeTenantKinds,
  NOT_PROVISIONED,
  phoneAppChecks,
  phoneAppStep,
  type ExternalAccess,
  type PhoneAppCheckUser,
} from './phone-app.js';

const DOMAIN = 'phoneapp.example';
const user = (over: Partial<PhoneAppCheckUser>): PhoneAppCheckUser => ({
  email: 'u@contoso.test',
  kind: 'phone_app',
  coexistenceMode: 'TeamsOnly',
  hasTeamsPhone: false,
  hasCallingPlan: false,
  licensed: true,
  ...over,
});
const open: ExternalAccess = {
  allowFederatedUsers: true,
  allowedDomains: { kind: 'allKnown' },
  blockedDomains: [],
};

describe('Phone App steps', () => {
  const pbx = (teams: Partial<typeof defaultTeamsSettings>) => ({
    kind: 'pbx' as const,
    teams: { ...defaultTeamsSettings, ...teams },
  });
  it('says which step is missing, in order', () => {
    expect(phoneAppStep({ ...pbx({}), kind: 'trunk' }, 5, null).message).toContain('PBX services only');
    expect(phoneAppStep(pbx({}), 0, null)).toEqual({ step: 'provision', message: NOT_PROVISIONED });
    expect(phoneAppStep(pbx({}), 5, null).step).toBe('enable');
    expect(phoneAppStep(pbx({ phoneAppEnabled: true }), 5, null).step).toBe('authorize');
    expect(
      phoneAppStep(pbx({ phoneAppEnabled: true, phoneAppConsent: 'denied' }), 5, null).message,
    ).toContain('was refused');
    expect(phoneAppStep(pbx({ phoneAppEnabled: true, phoneAppConsent: 'granted' }), 5, null).step).toBe(
      'sync',
    );
    expect(
      phoneAppStep(pbx({ phoneAppEnabled: true, phoneAppConsent: 'granted' }), 5, '2026-11-23T10:00:00Z')
        .step,
    ).toBe('ready');
  });
});

describe('Phone App checks', () => {
  const run = (users: PhoneAppCheckUser[], access = open, tenant = 'TeamsOnly') =>
    phoneAppChecks({ users, tenantCoexistenceMode: tenant, externalAccess: access, phoneAppDomain: DOMAIN });

  it('finds nothing when the tenant is Teams Only, external access is open and licences fit', () => {
    expect(run([user({}), user({ kind: 'standard', hasTeamsPhone: true })])).toEqual([]);
  });

  it('reports external access off, the domain blocked, or missing from an allow-list, each with its fix', () => {
    const off = run([user({})], { ...open, allowFederatedUsers: false });
    expect(off[0]).toMatchObject({ check: 'external_access', user: null });
    expect(off[0]!.fix[1]).toContain('Users can communicate with other Skype for Business and Teams users');
    expect(run([user({})], { ...open, blockedDomains: ['PhoneApp.Example'] })[0]!.fix).toContain(
      `Remove ${DOMAIN} from the Blocked domains.`,
    );
    const listed = run([user({})], { ...open, allowedDomains: { kind: 'list', domains: ['fabrikam.com'] } });
    expect(listed[0]!.message).toContain('is not on the list');
    expect(run([user({})], { ...open, allowedDomains: { kind: 'list', domains: [DOMAIN] } })).toEqual([]);
    // Without Phone App users, external access does not matter.
    expect(
      run([user({ kind: 'standard', hasTeamsPhone: true })], { ...open, allowFederatedUsers: false }),
    ).toEqual([]);
  });

  it('reports Phone App users not in Teams Only, per user and for the tenant, with both fixes', () => {
    const findings = run([user({ coexistenceMode: 'Islands', email: 'i@contoso.test' })], open, 'Islands');
    expect(findings.map((f) => [f.check, f.user])).toEqual([
      ['teams_only', null],
      ['teams_only', 'i@contoso.test'],
    ]);
    expect(findings[0]!.fix[0]).toContain('Teams upgrade settings');
    expect(findings[1]!.fix[0]).toContain('select i@contoso.test');
    // A user with no mode of their own follows the tenant.
    expect(run([user({ coexistenceMode: null })], open, 'TeamsOnly')).toEqual([]);
  });

  it('wants no Teams Phone or Calling Plan for Phone App users, Teams Phone for licensed standard users', () => {
    expect(run([user({ hasTeamsPhone: true })])[0]).toMatchObject({ check: 'licence' });
    expect(run([user({ hasCallingPlan: true })])[0]!.message).toContain('a Calling Plan');
    expect(run([user({ kind: 'standard' })])[0]!.message).toContain('has no Teams Phone licence');
    expect(run([user({ kind: 'standard', licensed: false })])).toEqual([]);
  });
});

describe('Large Tenant Mode kinds', () => {
  it('keeps a user in both the standard and the Phone App groups out of both', () => {
    const kinds = largeTenantKinds(new Set(['a', 'b']), new Set(['b', 'c']));
    expect([...kinds.phoneApp]).toEqual(['c']);
    expect([...kinds.inBoth]).toEqual(['b']);
  });
});
