import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue 14: sign-out cleared the session cookie with SameSite=Lax (the cookie is set Strict). The clearing
 * Set-Cookie carries the very attributes the cookie was set with: Strict, HttpOnly, Path=/, and Secure on https.
 */
describe.each([
  ['http', 'http://localhost:8080'],
  ['https', 'https://callbridge.example'],
] as const)('sign-out over %s', (scheme, publicUrl) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { config: { publicUrl } });
  });
  afterAll(() => t.close());

  /** The attributes of a Set-Cookie header, without its value and expiry. */
  const attributes = (header: string) =>
    header
      .split(';')
      .slice(1)
      .map((part) => part.trim())
      .filter((part) => !/^(Max-Age|Expires)=/i.test(part))
      .sort();

  it('clears the cookie with the attributes it was set with', async () => {
    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'owner@callbridge.test', password: 'correct horse battery' },
    });
    expect(signedIn.statusCode).toBe(200);
    const set = String(signedIn.headers['set-cookie']);
    const cookie = set.split(';')[0]!;
    const signedOut = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
    expect(signedOut.statusCode).toBe(204);
    const cleared = String(signedOut.headers['set-cookie']);
    expect(cleared).toMatch(/^cb_session=;/);
    expect(attributes(cleared)).toEqual(attributes(set));
    expect(attributes(cleared)).toContain('SameSite=Strict');
    expect(attributes(cleared)).toContain('HttpOnly');
    if (scheme === 'https') expect(attributes(cleared)).toContain('Secure');
    else expect(attributes(cleared)).not.toContain('Secure');
  });
});
