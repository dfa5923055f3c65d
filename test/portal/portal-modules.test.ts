import { describe, expect, it } from 'vitest';
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
});
