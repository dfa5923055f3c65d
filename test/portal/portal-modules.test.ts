import { describe, expect, it } from 'vitest';
import { templateColumns } from '../../src/domain/csv/csv-templates.js';
import { CSV_TEMPLATES, templateCsv } from '../../web/src/import/csv-templates.js';
import { groupPlan, lineText, planUserIds } from '../../web/src/sync/sync-plan.js';
import { syncStatusText } from '../../web/src/sync/sync-status.js';
import { describeConsent } from '../../web/src/tenant/consent-state.js';
import { trialText } from '../../web/src/tenant/licences-page.js';
import { ApiError } from '../../web/src/api/client.js';
import type { User } from '../../web/src/api/types.js';
import { matchRoute } from '../../web/src/router.js';
import { readinessWarnings } from '../../web/src/users/readiness.js';
import { createBody, draftOf, updateBody } from '../../web/src/users/user-draft.js';

const anna: User = {
  id: 'u1',
  accountId: 'a1',
  serviceId: 's1',
  objectId: null,
  upn: null,
  email: 'anna@contoso.example',
  displayName: 'Anna Example',
  kind: 'standard',
  tenantState: 'active',
  usageLocation: 'GB',
  coexistenceMode: 'TeamsOnly',
  licences: [],
  phoneNumber: '+441235123400',
  extension: '201',
  lineUri: 'tel:+441235123400;ext=201',
  numberType: 'extension',
  callerId: null,
  sipUsername: '201',
  authUsername: null,
  hasSipPassword: true,
  registrationEnabled: true,
  registrationState: 'registered',
  registrationDetail: {},
  externalId: null,
  syncError: null,
  version: 7,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('portal modules', () => {
  it('reads field issues from both error shapes of the API, with the suggested number', () => {
    const invalid = new ApiError(
      400,
      'invalid_phone_number',
      'The telephone number provided is not valid: …',
      {
        field: 'phoneNumber',
        suggestion: '+441235123465',
      },
    );
    expect(invalid.fieldMessage('phoneNumber')).toMatch(/^The telephone number provided is not valid/);
    expect(invalid.suggestionFor('phoneNumber')).toBe('+441235123465');
    expect(invalid.suggestionFor('email')).toBeUndefined();
    const schema = new ApiError(400, 'validation_failed', 'email: must be an email address', {
      issues: [{ field: 'email', message: 'must be an email address' }, { bogus: true }],
    });
    expect(schema.issues).toEqual([{ field: 'email', message: 'must be an email address' }]);
  });

  it('sends only what changed, with the version read, and the password only when one was typed', () => {
    const draft = draftOf(anna);
    expect(draft.phoneNumber).toBe('+441235123400;ext=201');
    expect(draft.sipPassword).toBe('');
    expect(updateBody(anna, draft)).toBeUndefined();
    expect(updateBody(anna, { ...draft, phoneNumber: ' 01235 123465 ' })).toEqual({
      phoneNumber: '01235 123465',
      version: 7,
    });
    expect(updateBody(anna, { ...draft, sipPassword: 'new-secret' })).toEqual({
      sipPassword: 'new-secret',
      version: 7,
    });
    expect(updateBody(anna, { ...draft, removePassword: true, sipUsername: '' })).toEqual({
      sipPassword: null,
      sipUsername: null,
      version: 7,
    });
    const created = createBody({
      ...draftOf(undefined, 's1'),
      email: ' bob@contoso.example ',
      displayName: 'Bob',
    });
    expect(created).toEqual(
      expect.objectContaining({ serviceId: 's1', email: 'bob@contoso.example', phoneNumber: null }),
    );
    expect(created).not.toHaveProperty('sipPassword');
  });

  it('warns about what stops a user from calling, and nothing for a ready user', () => {
    expect(readinessWarnings(anna)).toEqual([]);
    const phoneApp = {
      ...anna,
      kind: 'phone_app' as const,
      coexistenceMode: 'Islands',
      hasSipPassword: false,
    };
    expect(readinessWarnings(phoneApp).map((w) => w.short)).toEqual(['No SIP credentials', 'Not Teams Only']);
    expect(readinessWarnings(phoneApp)[1]!.detail).toContain('Teams upgrade');
    const expiring = { ...anna, phoneNumber: null, registrationState: 'expiring' as const };
    expect(readinessWarnings(expiring).map((w) => w.short)).toEqual(['No number', 'Expiring']);
  });

  it('maps addresses to pages', () => {
    const id = '0b6c1c8e-3f0a-4d55-9a4e-2b7f0e0c9d11';
    expect(matchRoute('/')).toEqual({ page: 'home' });
    expect(matchRoute(`/accounts/${id}/users/`)).toEqual({ page: 'users', accountId: id });
    expect(matchRoute(`/accounts/${id}/users/new`)).toEqual({
      page: 'user',
      accountId: id,
      userId: undefined,
    });
    expect(matchRoute(`/accounts/${id}/services/${id}`)).toEqual({
      page: 'service',
      accountId: id,
      serviceId: id,
    });
    expect(matchRoute('/accounts/not-an-id')).toEqual({ page: 'not-found' });
  });

  it('maps the Microsoft 365, licences and service sync and import addresses', () => {
    const id = '0b6c1c8e-3f0a-4d55-9a4e-2b7f0e0c9d11';
    const sid = '1b6c1c8e-3f0a-4d55-9a4e-2b7f0e0c9d12';
    expect(matchRoute(`/accounts/${id}/microsoft-365`)).toEqual({ page: 'tenant', accountId: id });
    expect(matchRoute(`/accounts/${id}/licences`)).toEqual({ page: 'licences', accountId: id });
    expect(matchRoute(`/accounts/${id}/services/${sid}/sync`)).toEqual({
      page: 'service-sync',
      accountId: id,
      serviceId: sid,
    });
    expect(matchRoute(`/accounts/${id}/services/${sid}/import`)).toEqual({
      page: 'service-import',
      accountId: id,
      serviceId: sid,
    });
  });

  it('sorts a sync plan into what the dry-run dialog shows, and ignores a plan of another shape', () => {
    const tenant = {
      objectId: 'o1',
      upn: null,
      email: 'new@contoso.example',
      displayName: 'New Person',
      enabled: true,
      usageLocation: 'GB',
      kind: 'standard' as const,
      licences: [],
      hasTeamsPhone: true,
      hasCallingPlan: false,
      coexistenceMode: 'TeamsOnly',
      line: null,
    };
    const groups = groupPlan([
      { type: 'add', tenant },
      {
        type: 'update',
        userId: 'u1',
        fields: { displayName: 'X' },
        reason: 'Changed in the tenant: displayName',
      },
      { type: 'take_number', userId: 'u2', from: null, to: '+441235123400' },
      { type: 'write_number', userId: 'u3', objectId: 'o3', from: null, to: '+441235123401;ext=201' },
      { type: 'mark', userId: 'u4', tenantState: 'removed', reason: 'gone' },
      { type: 'conflict', userId: 'u3', portal: '+441235123402', tenant: '+441235123403', synced: null },
      { type: 'agree', userId: 'u5', line: null },
    ]);
    expect([groups.added.length, groups.changed.length, groups.writes.length, groups.marked.length]).toEqual([
      1, 2, 1, 1,
    ]);
    expect(groups.conflicts[0]).toMatchObject({ portal: '+441235123402', tenant: '+441235123403' });
    expect(groups.agreed).toBe(1);
    expect(planUserIds(groups)).toEqual(['u1', 'u2', 'u4', 'u3']);
    expect(lineText('+441235123401;ext=201')).toBe('+441235123401 ext. 201');
    expect(lineText(null)).toBe('none');
    expect(groupPlan({ changes: 'not a list' }).added).toEqual([]);
  });

  it('offers the same CSV templates the server reads', () => {
    expect(CSV_TEMPLATES.pbx).toEqual([...templateColumns.pbx]);
    expect(CSV_TEMPLATES.trunk).toEqual([...templateColumns.trunk]);
    expect(templateCsv('trunk').split('\r\n')[0]).toBe('TrunkNumber,Name,Email,Caller ID,ExternalId');
  });

  it('says what each consent and sync state means and what to do', () => {
    expect(describeConsent(null)).toMatchObject({ state: 'not_connected', label: 'Not connected' });
    const base = {
      id: 'c1',
      accountId: 'a1',
      tenantId: 't1',
      cloud: 'global' as const,
      authorityHost: 'https://login.microsoftonline.com',
      graphBaseUrl: 'https://graph.microsoft.com',
      teamsAdminBaseUrl: null,
      consentedAt: null,
      clientId: 'app',
      hasClientSecret: true,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const revoked = describeConsent({ ...base, consentState: 'revoked', consentError: 'AADSTS7000112' });
    expect(revoked.tone).toBe('bad');
    expect(revoked.advice).toContain('AADSTS7000112');
    expect(revoked.advice).toContain('Press Connect');
    const warned = { id: 'r1', state: 'warning', finishedAt: '2026-01-01T00:00:00.000Z' } as const;
    const queued = syncStatusText({ status: 'changes_queued', queuedChanges: 2, lastRun: warned as never });
    expect(queued).toContain('2 users’ numbers were changed');
    expect(queued).toContain('finished with problems');
    expect(
      syncStatusText({ status: 'failed', queuedChanges: 0, lastRun: { error: 'No consent' } as never }),
    ).toBe('The last sync failed: No consent');
  });

  it('tells how long a trial has left, or that it ended', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    expect(trialText('2026-05-13T12:00:00Z', now)).toMatch(/^ends .+ \(12 days left\)$/);
    expect(trialText('2026-04-20T12:00:00Z', now)).toMatch(/^ended /);
  });
});
