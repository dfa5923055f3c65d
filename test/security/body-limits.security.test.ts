import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { clientAccount } from './support/security-app.js';

/**
 * Issue 14: one event loop serves API, worker and SIP, and every route took 25 MB. 23 MB of JSON to /api/session
 * (no sign-in needed) held the loop for 1.3 s. Routes reachable without signing in take a few kilobytes, signed-in
 * JSON routes a moderate amount, and only the CSV import takes a large file.
 */
describe('body limits that fit each route', () => {
  let t: TestApp;
  let accountId: string;
  let serviceId: string;
  const auth = () => ({ authorization: `Bearer ${t.token}` });

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    const { account, service } = await clientAccount(t, 'Contoso');
    accountId = account.id;
    serviceId = service.id;
  });
  afterAll(() => t.close());

  const unauthenticated: [string, string][] = [
    ['/api/session', 'sign-in'],
    ['/api/invitations/lookup', 'invitation lookup'],
    ['/api/invitations/accept', 'invitation acceptance'],
  ];
  it.each(unauthenticated)('refuses 100 KB to %s (%s) before reading it', async (url) => {
    const response = await t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(100 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'payload_too_large', details: { limitBytes: 16 * 1024 } });
  });

  it('still signs in with a normal body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'owner@callbridge.test', password: 'correct horse battery' },
    });
    expect(response.statusCode).toBe(200);
  });

  it('refuses 2 MB of JSON to a signed-in route', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}`,
      headers: auth(),
      payload: { name: 'y'.repeat(2 * 1024 * 1024) },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('payload_too_large');
  });

  it('takes a 5 MB CSV on the import route, and refuses one over its limit', async () => {
    const rows = ['SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId'];
    // Each row ~100 bytes; 50,000 rows ~ 5 MB. Unknown emails: a report, not a 413.
    for (let i = 0; rows.length <= 50_000; i += 1)
      rows.push(`${100000 + i},User ${i} ${'n'.repeat(40)},u${i}@contoso.example,,,,E-${i}`);
    const csv = rows.join('\r\n');
    expect(csv.length).toBeGreaterThan(4 * 1024 * 1024);
    const accepted = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/services/${serviceId}/import?dryRun=true`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().plan.ok).toBe(false);
    const tooLarge = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/services/${serviceId}/import?dryRun=true`,
      headers: { ...auth(), 'content-type': 'text/csv' },
      payload: Buffer.alloc(30 * 1024 * 1024, 'a'),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().details.limitBytes).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  });
});
