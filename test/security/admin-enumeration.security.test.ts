import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const KNOWN = 'known.admin@elsewhere.test';
const UNKNOWN = 'nobody.here@elsewhere.test';
const PASSWORD = 'the right password';

/**
 * Issue 14: granting a role answered 404 for an unknown email and 200 (granting at once) for a real one, and the
 * lock answer appeared only for real emails, so a customer's administrator could tell which emails have an
 * administrator. Both now answer the same either way.
 */
describe.each(DIALECTS)('administrator enumeration on %s', (dialect) => {
  let t: TestApp;
  let accountId: string;
  let ownerToken: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, { config: { signInLockAfter: 3, signInLockMinutes: 15 } });
    const partner = await t.ctx.services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    accountId = (
      await t.ctx.services.accounts.create(system, { name: 'Contoso', kind: 'client', parentId: partner.id })
    ).id;
    for (const email of ['owner@contoso.test', KNOWN, 'locked@elsewhere.test'])
      await t.ctx.services.administrators.create(system, {
        email,
        password: PASSWORD,
        mustChangePassword: false,
      });
    await t.ctx.services.administrators.grantRole(system, accountId, 'owner@contoso.test', 'account_owner');
    ownerToken = (await t.ctx.services.administrators.createToken(system, 'owner@contoso.test', 'test'))
      .token;
  });
  afterAll(() => t.close());

  const grant = (email: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/roles`,
      headers: { authorization: `Bearer ${ownerToken}` },
      payload: { email, role: 'service_viewer' },
    });
  /** The answer with everything that must differ (the email, ids, the link's token, times) taken out. */
  const shapeOf = (body: string, email: string) =>
    body
      .split(email)
      .join('<email>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
      .replace(/cbi_[\w-]+/g, '<token>')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');

  it('answers a grant to a real and to an unknown email alike: an invitation either way, no role yet', async () => {
    const known = await grant(KNOWN);
    const unknown = await grant(UNKNOWN);
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(shapeOf(unknown.body, UNKNOWN)).toBe(shapeOf(known.body, KNOWN));
    const roles = await t.app.inject({
      url: `/api/v1/accounts/${accountId}/roles`,
      headers: { authorization: `Bearer ${ownerToken}` },
    });
    expect(roles.json<{ items: { email: string }[] }>().items.map((a) => a.email)).toEqual([
      'owner@contoso.test',
    ]);
    const invitations = await t.app.inject({
      url: `/api/v1/accounts/${accountId}/invitations`,
      headers: { authorization: `Bearer ${ownerToken}` },
    });
    const listed = invitations.json<{ items: { email: string; role: string }[] }>().items;
    expect(listed.map((i) => [i.email, i.role]).sort()).toEqual([
      [KNOWN, 'service_viewer'],
      [UNKNOWN, 'service_viewer'],
    ]);
  });

  it('gives the real administrator the role once they accept with their password', async () => {
    const link = (await grant(KNOWN)).json<{ link: string }>().link;
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token: new URL(link).hash.replace('#token=', ''), password: PASSWORD },
    });
    expect(accepted.statusCode).toBe(200);
    const roles = await t.app.inject({
      url: `/api/v1/accounts/${accountId}/roles`,
      headers: { authorization: `Bearer ${ownerToken}` },
    });
    expect(roles.json<{ items: { email: string; role: string }[] }>().items).toContainEqual(
      expect.objectContaining({ email: KNOWN, role: 'service_viewer' }),
    );
  });

  it('answers sign-in failures and the lock alike for real and unknown emails', async () => {
    const signIn = (email: string, password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/session',
        remoteAddress: `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
        payload: { email, password },
      });
    const answers: { status: number; body: string }[] = [];
    for (let i = 0; i < 4; i += 1) {
      for (const [email, password] of [
        [UNKNOWN, 'wrong password'],
        ['locked@elsewhere.test', 'wrong password'],
      ] as const) {
        const response = await signIn(email, password);
        answers.push({ status: response.statusCode, body: response.body });
      }
    }
    // Locked now (3 failures): even the right password gets the very same answer as an unknown email.
    const right = await signIn('locked@elsewhere.test', PASSWORD);
    answers.push({ status: right.statusCode, body: right.body });
    expect(new Set(answers.map((a) => `${a.status} ${a.body}`)).size).toBe(1);
    expect(answers[0]!.status).toBe(401);
    expect(answers[0]!.body).toContain('locked');
  });

  it('takes as long for a locked administrator as for an unknown email (an argon2 verify either way)', async () => {
    // The fastest of interleaved attempts: load on the machine only ever adds time, so the minimum is the cost of
    // the work itself. Skipping the argon2 verify for an unknown email would make it about 20 times faster.
    const fastest = { unknown: Infinity, locked: Infinity };
    for (let i = 0; i < 7; i += 1) {
      for (const [kind, email] of [
        ['unknown', UNKNOWN],
        ['locked', 'locked@elsewhere.test'],
      ] as const) {
        const started = performance.now();
        await t.ctx.services.administrators.signIn(email, 'wrong password');
        fastest[kind] = Math.min(fastest[kind], performance.now() - started);
      }
    }
    expect(fastest.locked).toBeGreaterThan(fastest.unknown / 4);
    expect(fastest.unknown).toBeGreaterThan(fastest.locked / 4);
  });
});
