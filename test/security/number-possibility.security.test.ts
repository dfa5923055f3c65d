import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { clientAccount } from './support/security-app.js';
import { DIALECTS } from '../support/test-database.js';

/**
 * Issue 14: `+1 555 0100` (too short) was stored as `+15550100`, and `+3912345` passed: numbers libphonenumber says
 * are not possible are refused with the product's exact text. `+11111111111` is possible but not in use: it is
 * saved, and the warning the code computes is returned by the API and shown in the import report.
 */
describe.each(DIALECTS)('numbers that cannot exist (%s)', (dialect) => {
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  let userId: string;
  const auth = () => ({ authorization: `Bearer ${t.token}` });
  const patchNumber = (phoneNumber: string) =>
    t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}/users/${userId}`,
      headers: auth(),
      payload: { phoneNumber },
    });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const call = (url: string, payload: object) =>
      t.app.inject({ method: 'POST', url, headers: auth(), payload });
    const { account, service } = await clientAccount(t, 'Contoso', 'US');
    accountId = account.id;
    serviceId = service.id;
    userId = (
      await call(`/api/v1/accounts/${accountId}/users`, {
        serviceId,
        email: 'anna@contoso.example',
        displayName: 'Anna',
      })
    ).json().id;
  });
  afterAll(() => t.close());

  it.each([
    ['+1 555 0100', '+15550100 has too few digits'],
    ['+3912345', '+3912345 has too few digits'],
  ])('refuses %s with the exact text and stores nothing', async (typed, what) => {
    const response = await patchNumber(typed);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('invalid_phone_number');
    expect(body.message).toMatch(/^The telephone number provided is not valid: /);
    expect(body.message).toContain(what);
    expect(body.details).toMatchObject({ field: 'phoneNumber', problem: 'too_short' });
    expect((await t.ctx.store.repos.users.findById(accountId, userId))?.phoneNumber).toBeNull();
  });

  it('saves a possible number that is not in use, and says so in the answer', async () => {
    const response = await patchNumber('+11111111111');
    expect(response.statusCode).toBe(200);
    const user = response.json();
    expect(user.phoneNumber).toBe('+11111111111');
    expect(user.warnings).toEqual([
      expect.stringMatching(/^\+11111111111 is not in use in the numbering plan/),
    ]);
    const clean = await patchNumber('+12025550100');
    expect(clean.json()).not.toHaveProperty('warnings');
  });

  it('refuses an impossible number in an import and reports the possible-but-unused one as a warning', async () => {
    const csv = [
      'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
      '201,Anna,anna@contoso.example,+11111111111,,,',
      '202,Bo,bo@contoso.example,+1 555 0100,,,',
    ].join('\r\n');
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/services/${serviceId}/import?dryRun=true`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: csv,
    });
    const issues: { row: number; column: string; severity: string; message: string }[] =
      response.json().plan.issues;
    expect(issues).toContainEqual(
      expect.objectContaining({
        row: 2,
        column: 'PhoneNumber',
        severity: 'warning',
        message: expect.stringMatching(/is not in use in the numbering plan/),
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        row: 3,
        column: 'PhoneNumber',
        severity: 'error',
        message: expect.stringMatching(
          /^The telephone number provided is not valid: \+15550100 has too few digits/,
        ),
      }),
    );
  });
});
