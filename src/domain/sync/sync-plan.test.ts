import { describe, expect, it } from 'vitest';
import { planSync, SyncPlanner, type PortalUserSnapshot, type TenantUserSnapshot } from './sync-plan.js';

function tenantUser(n: number, extra: Partial<TenantUserSnapshot> = {}): TenantUserSnapshot {
  return {
    objectId: `obj-${n}`,
    upn: `u${n}@contoso.example`,
    email: `u${n}@contoso.example`,
    displayName: `User ${n}`,
    enabled: true,
    usageLocation: 'GB',
    kind: 'standard',
    licences: ['ENTERPRISEPACK', 'MCOEV'],
    hasTeamsPhone: true,
    hasCallingPlan: false,
    coexistenceMode: 'TeamsOnly',
    line: null,
    ...extra,
  };
}

function portalUser(n: number, extra: Partial<PortalUserSnapshot> = {}): PortalUserSnapshot {
  return {
    id: `id-${n}`,
    objectId: `obj-${n}`,
    email: `u${n}@contoso.example`,
    displayName: `User ${n}`,
    upn: `u${n}@contoso.example`,
    kind: 'standard',
    tenantState: 'active',
    usageLocation: 'GB',
    coexistenceMode: 'TeamsOnly',
    licences: ['ENTERPRISEPACK', 'MCOEV'],
    line: null,
    syncedLine: null,
    ...extra,
  };
}

describe('planSync', () => {
  it('adds new tenant users and excludes Calling Plan users, counting each', () => {
    const plan = planSync(
      [
        tenantUser(1),
        tenantUser(2, { hasCallingPlan: true }),
        tenantUser(3, { kind: 'resource_account', licences: [] }),
      ],
      [],
    );
    expect(plan.changes.map((c) => c.type)).toEqual(['add', 'add']);
    expect(plan.counters).toMatchObject({
      total: 3,
      excludedByCallingPlan: 1,
      resourceAccounts: 1,
      teamsPhone: 3,
      licensed: 2,
      added: 2,
    });
  });

  it('changes nothing when all three sides agree', () => {
    const line = '+441235123465';
    expect(planSync([tenantUser(1, { line })], [portalUser(1, { line, syncedLine: line })]).changes).toEqual(
      [],
    );
  });

  it('clears a sync error once both sides agree, e.g. after the refused number was removed in the portal', () => {
    const plan = planSync([tenantUser(1)], [portalUser(1, { syncError: 'Microsoft refused +442079460001' })]);
    expect(plan.changes).toEqual([{ type: 'agree', userId: 'id-1', line: null }]);
    expect(planSync([tenantUser(1)], [portalUser(1, { syncError: null })]).changes).toEqual([]);
  });

  it('writes a number set in the portal to the tenant', () => {
    const plan = planSync([tenantUser(1)], [portalUser(1, { line: '+441235123465' })]);
    expect(plan.changes).toEqual([
      { type: 'write_number', userId: 'id-1', objectId: 'obj-1', from: null, to: '+441235123465' },
    ]);
  });

  it('takes a number changed in the tenant into the portal, and a blank one too', () => {
    const changed = planSync(
      [tenantUser(1, { line: '+441235123466' })],
      [portalUser(1, { line: '+441235123465', syncedLine: '+441235123465' })],
    );
    expect(changed.changes).toEqual([
      { type: 'take_number', userId: 'id-1', from: '+441235123465', to: '+441235123466' },
    ]);
    const cleared = planSync(
      [tenantUser(1, { line: null })],
      [portalUser(1, { line: '+441235123465', syncedLine: '+441235123465' })],
    );
    expect(cleared.changes).toEqual([
      { type: 'take_number', userId: 'id-1', from: '+441235123465', to: null },
    ]);
  });

  it('reports a number changed on both sides as a conflict with both values', () => {
    const plan = planSync(
      [tenantUser(1, { line: '+441235000002' })],
      [portalUser(1, { line: '+441235000001', syncedLine: '+441235000000' })],
    );
    expect(plan.changes).toEqual([
      {
        type: 'conflict',
        userId: 'id-1',
        portal: '+441235000001',
        tenant: '+441235000002',
        synced: '+441235000000',
      },
    ]);
    expect(plan.counters.conflicts).toBe(1);
  });

  it('marks users removed or disabled in the tenant without deleting them', () => {
    const plan = planSync([tenantUser(2, { enabled: false })], [portalUser(1), portalUser(2)]);
    expect(plan.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'mark', userId: 'id-2', tenantState: 'disabled' }),
        expect.objectContaining({ type: 'mark', userId: 'id-1', tenantState: 'removed' }),
      ]),
    );
    expect(plan.counters.removed).toBe(1);
  });

  it('matches a user created in the portal before the first sync by email, and sends its number', () => {
    const plan = planSync(
      [tenantUser(1, { email: 'U1@Contoso.example' })],
      [portalUser(1, { objectId: null, line: '+441235123465', syncedLine: undefined })],
    );
    expect(plan.changes.map((c) => c.type)).toEqual(['update', 'write_number']);
  });

  it('takes tenant changes of name and coexistence mode', () => {
    const plan = planSync(
      [tenantUser(1, { displayName: 'Renamed', coexistenceMode: 'Islands' })],
      [portalUser(1)],
    );
    expect(plan.changes).toEqual([
      expect.objectContaining({
        type: 'update',
        fields: { displayName: 'Renamed', coexistenceMode: 'Islands' },
      }),
    ]);
  });
});

describe('planSync with Phone App users', () => {
  const phoneApp = { kind: 'phone_app' as const, licences: ['SPE_E3'], hasTeamsPhone: false };

  it('never writes, takes or agrees a Phone App user number, and counts them', () => {
    const plan = planSync(
      [tenantUser(1, phoneApp), tenantUser(2, { ...phoneApp, line: '+442079460002' })],
      [
        portalUser(1, { kind: 'phone_app', licences: ['SPE_E3'], line: '+442079460001' }),
        portalUser(2, { kind: 'phone_app', licences: ['SPE_E3'], line: null }),
      ],
    );
    expect(plan.changes).toEqual([]);
    expect(plan.counters).toMatchObject({ phoneAppUsers: 2, teamsPhone: 0, conflicts: 0 });
  });

  it('follows the kind the read decided between standard and Phone App; a resource account stays one', () => {
    const plan = planSync(
      [tenantUser(1, phoneApp), tenantUser(2), tenantUser(3, phoneApp)],
      [
        portalUser(1),
        portalUser(2, { kind: 'phone_app', line: '+442079460002', syncedLine: null }),
        portalUser(3, { kind: 'resource_account', licences: ['SPE_E3'] }),
      ],
    );
    expect(plan.changes).toContainEqual(
      expect.objectContaining({
        type: 'update',
        userId: 'id-1',
        fields: expect.objectContaining({ kind: 'phone_app' }),
      }),
    );
    expect(plan.changes).toContainEqual(
      expect.objectContaining({ type: 'update', userId: 'id-2', fields: { kind: 'standard' } }),
    );
    // Back to standard: the portal number goes to the tenant again.
    expect(plan.changes).toContainEqual(
      expect.objectContaining({ type: 'write_number', userId: 'id-2', to: '+442079460002' }),
    );
    expect(plan.changes.some((c) => 'userId' in c && c.userId === 'id-3' && c.type === 'update')).toBe(false);
  });

  it('plans a tenant read page by page exactly as read at once: removals only after the last page', () => {
    const tenant = [
      tenantUser(1, { displayName: 'Renamed' }),
      tenantUser(2, { line: '+441235123402' }),
      tenantUser(4),
      tenantUser(5, { email: 'csv@contoso.example', objectId: 'obj-5' }),
      tenantUser(6, { enabled: false }),
    ];
    const portal = [
      portalUser(1),
      portalUser(2, { line: '+441235123499', syncedLine: '+441235123400' }),
      portalUser(3),
      portalUser(5, { objectId: null, email: 'csv@contoso.example' }),
    ];
    const whole = planSync(tenant, portal);
    const planner = new SyncPlanner(portal);
    const firstPage = planner.plan(tenant.slice(0, 2));
    // User 3 is missing from the first page, but later pages could still name it: nothing is marked yet.
    expect(firstPage.some((c) => c.type === 'mark')).toBe(false);
    const paged = [...firstPage, ...planner.plan(tenant.slice(2)), ...planner.finish()];
    expect(paged).toEqual(whole.changes);
    expect(planner.counters).toEqual(whole.counters);
    expect(paged).toContainEqual(
      expect.objectContaining({ type: 'mark', userId: 'id-3', tenantState: 'removed' }),
    );
  });
});
