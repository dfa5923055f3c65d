import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('portal session', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  async function signIn(): Promise<string> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'owner@callbridge.test', password: 'correct horse battery' },
    });
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === 'cb_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    return `cb_session=${cookie!.value}`;
  }

  it('refuses a wrong password without saying which part was wrong', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'owner@callbridge.test', password: 'nope' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toMatch(/^The email or password is not right\./);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'who@x.test', password: 'nope' },
    });
    expect(unknown.json()).toEqual(response.json());
  });

  it('signs in with a cookie that reads the API, needs the CSRF header to change it, and dies at sign-out', async () => {
    const cookie = await signIn();
    expect((await t.app.inject({ url: '/api/session', headers: { cookie } })).json()).toMatchObject({
      email: 'owner@callbridge.test',
    });
    expect((await t.app.inject({ url: '/api/v1/accounts', headers: { cookie } })).statusCode).toBe(200);
    const forged = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { cookie },
      payload: { name: 'P', kind: 'partner' },
    });
    expect(forged.statusCode).toBe(403);
    const real = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { cookie, 'x-callbridge-csrf': '1' },
      payload: { name: 'P', kind: 'partner' },
    });
    expect(real.statusCode).toBe(201);
    const audit = await t.ctx.store.repos.audit.list(real.json().id, { limit: 5 });
    expect(audit[0]?.actor.source).toBe('portal');
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } })).statusCode,
    ).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/accounts', headers: { cookie } })).statusCode).toBe(401);
  });

  it('limits sign-in attempts per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      codes.push(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/session',
            payload: { email: 'x@y.test', password: 'z' },
          })
        ).statusCode,
      );
    }
    expect(codes).toContain(429);
  });
});
