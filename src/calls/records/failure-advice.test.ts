import { describe, expect, it } from 'vitest';
import { adviceFor, type AdviceContext, type AdviceUser } from './failure-advice.js';

const user: AdviceUser = {
  id: 'u1',
  displayName: 'Alex Wilber',
  kind: 'standard',
  phoneNumber: '+442079460001',
  teamsNumber: 'tel:+442079460001',
  hasTeamsPhone: true,
  syncError: null,
  coexistenceMode: 'TeamsOnly',
};

function ctx(over: Partial<AdviceContext['call']>, more: Partial<AdviceContext> = {}): AdviceContext {
  return {
    call: {
      accountId: 'a1',
      serviceId: 's1',
      userId: 'u1',
      direction: 'pbx-to-teams',
      result: 'failed',
      finalStatus: null,
      refusedBy: null,
      q850Cause: null,
      refusal: null,
      proxiesTried: ['sip.pstnhub.microsoft.com'],
      ...over,
    },
    user,
    voiceRoutingPolicyReady: true,
    domainReady: true,
    subdomain: 's1.sbc.example',
    phoneAppDomain: 'phoneapp.example',
    ...more,
  };
}

describe('failure advice', () => {
  it('403 from Microsoft: the Contact FQDN / subdomain in the tenant, then the certificate; fix on the tenant page', () => {
    const advice = adviceFor(ctx({ refusedBy: 'teams', finalStatus: 403 }, { domainReady: false }))!;
    expect(advice.code).toBe('teams_403_tenant_not_found');
    expect(advice.steps.join(' ')).toContain('s1.sbc.example');
    expect(advice.steps.join(' ')).toContain('not yet been able to add it');
    expect(advice.steps.join(' ')).toMatch(/certificate/);
    expect(advice.fix).toEqual({ kind: 'tenant_connection', path: '/accounts/a1/microsoft-365' });
  });

  it('404 names exactly what the synced state lacks: the number, Teams Phone, or the voice routing policy', () => {
    const noNumber = adviceFor(
      ctx(
        { refusedBy: 'teams', finalStatus: 404 },
        { user: { ...user, teamsNumber: null, syncError: 'Number in use' } },
      ),
    )!;
    expect(noNumber.code).toBe('teams_404_number_not_assigned');
    expect(noNumber.steps).toHaveLength(1);
    expect(noNumber.steps[0]).toContain('Number in use');
    expect(noNumber.fix.path).toBe('/accounts/a1/users/u1');

    const noVoice = adviceFor(
      ctx({ refusedBy: 'teams', finalStatus: 404 }, { user: { ...user, hasTeamsPhone: false } }),
    )!;
    expect(noVoice.code).toBe('teams_404_no_enterprise_voice');
    expect(noVoice.title).toContain('Teams Phone (Enterprise Voice)');

    const noPolicy = adviceFor(
      ctx({ refusedBy: 'teams', finalStatus: 404 }, { voiceRoutingPolicyReady: false }),
    )!;
    expect(noPolicy.code).toBe('teams_404_no_voice_routing_policy');
    expect(noPolicy.fix.path).toBe('/accounts/a1/services/s1/sync');

    const all = adviceFor(ctx({ refusedBy: 'teams', finalStatus: 404 }))!;
    expect(all.code).toBe('teams_404_not_found');
  });

  it('480, 488 and a plain 603 from Teams each get their own advice', () => {
    expect(adviceFor(ctx({ refusedBy: 'teams', finalStatus: 480 }))!.steps.join(' ')).toMatch(
      /signed in|licensed/,
    );
    expect(adviceFor(ctx({ refusedBy: 'teams', finalStatus: 488 }))!.steps.join(' ')).toMatch(/PCMU|SRTP/);
    const declined = adviceFor(ctx({ refusedBy: 'teams', finalStatus: 603, result: 'declined' }))!;
    expect(declined.code).toBe('teams_603_declined');
  });

  it('603 for a Phone App user gives the external-access steps with the Phone App domain, linked to the Teams settings', () => {
    const advice = adviceFor(
      ctx(
        { refusedBy: 'teams', finalStatus: 603, result: 'declined' },
        { user: { ...user, kind: 'phone_app' } },
      ),
    )!;
    expect(advice.code).toBe('teams_603_phone_app_external_access');
    expect(advice.steps[0]).toContain('Users > External access');
    expect(advice.steps.join(' ')).toContain('phoneapp.example');
    expect(advice.fix).toEqual({ kind: 'teams_settings', path: '/accounts/a1/services/s1/teams' });
  });

  it('480 for a Phone App user in a Skype for Business mode says to move them to Teams Only', () => {
    const phoneApp = { ...user, kind: 'phone_app' as const, coexistenceMode: 'SfBOnly' };
    const advice = adviceFor(
      ctx({ refusedBy: 'teams', finalStatus: 480, result: 'no-answer' }, { user: phoneApp }),
    )!;
    expect(advice.code).toBe('teams_480_phone_app_not_teams_only');
    expect(advice.steps.join(' ')).toMatch(/SfBOnly mode.*Coexistence mode to Teams Only/);
    const teamsOnly = { ...phoneApp, coexistenceMode: 'TeamsOnly' };
    expect(adviceFor(ctx({ refusedBy: 'teams', finalStatus: 480 }, { user: teamsOnly }))!.code).toBe(
      'teams_480_unavailable',
    );
  });

  it("401/407 from the PBX points at the user's SIP credentials", () => {
    for (const status of [401, 407]) {
      const advice = adviceFor(ctx({ direction: 'teams-to-pbx', refusedBy: 'pbx', finalStatus: status }))!;
      expect(advice.code).toBe(`pbx_${status}_credentials`);
      expect(advice.fix.kind).toBe('user');
    }
  });

  it('408/503/504 say which side was unreachable and that failover was taken', () => {
    const teams = adviceFor(
      ctx({
        refusedBy: 'teams',
        finalStatus: 503,
        proxiesTried: [
          'sip.pstnhub.microsoft.com',
          'sip2.pstnhub.microsoft.com',
          'sip3.pstnhub.microsoft.com',
        ],
      }),
    )!;
    expect(teams.code).toBe('teams_503_unreachable');
    expect(teams.steps.join(' ')).toContain('Failover was taken: sip.pstnhub.microsoft.com, sip2');
    const pbx = adviceFor(ctx({ direction: 'teams-to-pbx', refusedBy: 'pbx', finalStatus: 408 }))!;
    expect(pbx.code).toBe('pbx_408_unreachable');
    expect(pbx.fix.kind).toBe('service');
  });

  it("Callbridge's own licence refusal points at the licences page; answered and cancelled calls need none", () => {
    const advice = adviceFor(
      ctx({
        refusedBy: 'callbridge',
        refusal: { code: 'licence_exceeded', message: 'No PBX user licence is free.' },
      }),
    )!;
    expect(advice.code).toBe('licence_refused');
    expect(advice.steps[0]).toBe('No PBX user licence is free.');
    expect(advice.fix.path).toBe('/accounts/a1/licences');
    expect(adviceFor(ctx({ result: 'answered', finalStatus: 200 }))).toBeNull();
    expect(adviceFor(ctx({ result: 'cancelled', finalStatus: 487 }))).toBeNull();
  });
});
