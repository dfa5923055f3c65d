import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://portal.callbridge.test';
const CALLBACK = `${PUBLIC_URL}/api/session/entra/callback`;
const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** The demo tenant's users 1-3 (see demo-tenant.seed.ts); Diego is an administrator from the start. */
const ADELE = 'adele.vance@contoso-demo.onmicrosoft.com';
const ALEX = 'alex.wilber@contoso-demo.onmicrosoft.com';
const DIEGO = 'diego.siciliani@contoso-demo.onmicrosoft.com';

describe('sign-in with Microsoft Entra ID (emulated tenant over loopback)', () => {
  let emulator: RunningEmulator;
  let t: TestApp;

  beforeAll(async () => {
    const seed = demoSeed();
    seed.apps = seed.apps!.map((app) => ({ ...app, redirectUris: [CALLBACK] }));
    emulator = await startEmulator({ seed });
    t = await createTestApp('sqlite', {
      config: {
        publicUrl: PUBLIC_URL,
        entraIssuer: `${emulator.url}/${DEMO_TENANT_ID}/v2.0`,
        entraClientId: DEMO_CLIENT_ID,
        entraClientSecret: DEMO_CLIENT_SECRET,
      },
    });
    await t.ctx.services.administrators.create(system, { email: DIEGO, password: 'a long enough password' });
  });
  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  /** GET /api/session/entra: the authorization URL and the transaction cookie to bring back. */
  async function begin(): Promise<{ authorizeUrl: URL; transaction: string }> {
    const response = await t.app.inject({ url: '/api/session/entra' });
    expect(response.statusCode).toBe(302);
    const cookie = response.cookies.find((c) => c.name === 'cb_entra');
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/api/session/entra',
      maxAge: 600,
    });
    return { authorizeUrl: new URL(response.headers.location!), transaction: `cb_entra=${cookie!.value}` };
  }

  /** The browser at Microsoft's authorize endpoint, signing in as `upn`; returns where it is sent back. */
  async function authorizeAs(authorizeUrl: URL, upn: string): Promise<URL> {
    const url = new URL(authorizeUrl);
    url.searchParams.set('login_hint', upn);
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const back = new URL(response.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    return back;
  }

  /** The browser back at the portal's callback, with the transaction cookie. */
  function callback(back: URL, transaction: string) {
    return t.app.inject({ url: `${back.pathname}${back.search}`, headers: { cookie: transaction } });
  }

  /** The whole flow as `upn`: the callback's answer, the session cookie if one was set, and the error shown. */
  async function signInAs(upn: string) {
    const { authorizeUrl, transaction } = await begin();
    const response = await callback(await authorizeAs(authorizeUrl, upn), transaction);
    expect(response.statusCode).toBe(302);
    const session = response.cookies.find((c) => c.name === 'cb_session');
    return {
      location: response.headers.location!,
      session: session && `cb_session=${session.value}`,
      error: errorOf(response.headers.location!),
      clearedTransaction: response.cookies.find((c) => c.name === 'cb_entra')?.value === '',
    };
  }

  const errorOf = (location: string) => new URL(location, PUBLIC_URL).searchParams.get('error');

  async function whoIs(session: string | undefined) {
    const response = await t.app.inject({ url: '/api/session', headers: { cookie: session ?? '' } });
    return response.statusCode === 200 ? response.json<{ id: string; email: string }>() : undefined;
  }

  const linkEntries = (administratorId: string) =>
    t.ctx.store.handle.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('action', '=', 'administrator.entra_link')
      .where('object_id', '=', administratorId)
      .execute();

  it('tells the portal that Entra ID sign-in is offered', async () => {
    const response = await t.app.inject({ url: '/api/session/providers' });
    expect(response.json()).toEqual({ password: true, entra: true });
  });

  it('signs an invited administrator in by email, links their Entra object id once, and audits the link', async () => {
    const admin = await t.ctx.services.administrators.create(system, {
      email: ADELE,
      password: 'a long enough password',
    });
    const first = await signInAs(ADELE);
    expect(first).toMatchObject({ location: '/', error: null, clearedTransaction: true });
    expect(await whoIs(first.session)).toMatchObject({ id: admin.id, email: ADELE });
    expect(
      (await t.app.inject({ url: '/api/v1/accounts', headers: { cookie: first.session! } })).statusCode,
    ).toBe(200);
    const entries = await linkEntries(admin.id);
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.after!)).toMatchObject({ entraSubject: demoUserId(1) });

    // Entra renames the user (UPN and mail): the object id still finds the same administrator.
    const tenant = emulator.tenants.get(DEMO_TENANT_ID)!;
    const user = tenant.findUser(demoUserId(1))!;
    tenant.upnIndex.delete(user.userPrincipalName.toLowerCase());
    user.userPrincipalName = user.mail = 'adele.renamed@contoso-demo.onmicrosoft.com';
    tenant.upnIndex.set(user.userPrincipalName, user.id);
    const second = await signInAs('adele.renamed@contoso-demo.onmicrosoft.com');
    expect(await whoIs(second.session)).toMatchObject({ id: admin.id, email: ADELE });
    expect(await linkEntries(admin.id)).toHaveLength(1);
  });

  it('lets the person pick their account on Microsoft’s page when no login hint is given', async () => {
    const { authorizeUrl, transaction } = await begin();
    const page = await fetch(authorizeUrl);
    const html = await page.text();
    expect(html).toContain('Pick an account');
    const href = /<a href="([^"]+)">Diego Siciliani/.exec(html)![1]!.replaceAll('&#38;', '&');
    const picked = await fetch(new URL(href, emulator.url), { redirect: 'manual' });
    const response = await callback(new URL(picked.headers.get('location')!), transaction);
    const session = response.cookies.find((c) => c.name === 'cb_session');
    expect(await whoIs(session && `cb_session=${session.value}`)).toMatchObject({ email: DIEGO });
  });

  it('refuses an Entra user who has no Callbridge administrator, and creates none', async () => {
    const refused = await signInAs(ALEX);
    expect(refused.session).toBeUndefined();
    expect(refused.location).toMatch(/^\/sign-in\?error=/);
    expect(refused.error).toBe(
      `No Callbridge administrator has the email ${ALEX}; ask an Account Owner to invite you.`,
    );
    expect(await t.ctx.store.repos.administrators.findByEmail(ALEX)).toBeUndefined();
  });

  it('refuses a second Microsoft account for an administrator already linked to another one', async () => {
    const grady = 'grady.archie@contoso-demo.onmicrosoft.com';
    const admin = await t.ctx.services.administrators.create(system, {
      email: grady,
      password: 'a long enough password',
    });
    expect(await t.ctx.store.repos.administrators.setEntraSubject(admin.id, 'another-entra-object-id')).toBe(
      true,
    );
    const refused = await signInAs(grady);
    expect(refused.session).toBeUndefined();
    expect(refused.error).toContain(`${grady} is already linked to another Microsoft account`);
  });

  it('refuses a callback whose state was tampered with, or that comes without its transaction', async () => {
    const { authorizeUrl, transaction } = await begin();
    const back = await authorizeAs(authorizeUrl, DIEGO);
    back.searchParams.set('state', 'forged');
    const tampered = await callback(back, transaction);
    expect(tampered.cookies.find((c) => c.name === 'cb_session')).toBeUndefined();
    expect(errorOf(tampered.headers.location!)).toMatch(/could not be verified.*state/);

    const again = await begin();
    const lost = await callback(await authorizeAs(again.authorizeUrl, DIEGO), '');
    expect(errorOf(lost.headers.location!)).toBe(
      'The sign-in took longer than 10 minutes or was started in another browser; sign in again.',
    );
  });

  it('refuses a replayed authorization code (Microsoft redeems a code once)', async () => {
    const { authorizeUrl, transaction } = await begin();
    const back = await authorizeAs(authorizeUrl, DIEGO);
    const first = await callback(back, transaction);
    expect(first.cookies.some((c) => c.name === 'cb_session')).toBe(true);
    const replay = await callback(back, transaction);
    expect(replay.cookies.find((c) => c.name === 'cb_session')).toBeUndefined();
    expect(errorOf(replay.headers.location!)).toBe(
      'Microsoft Entra ID refused the sign-in: AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    );
  });

  it('refuses a code injected into another sign-in: the emulator checks the PKCE verifier', async () => {
    // The attacker's code (their own sign-in) is replayed with the victim's transaction and state.
    const attacker = await begin();
    const stolen = await authorizeAs(attacker.authorizeUrl, DIEGO);
    const victim = await begin();
    stolen.searchParams.set('state', victim.authorizeUrl.searchParams.get('state')!);
    const response = await callback(stolen, victim.transaction);
    expect(response.cookies.find((c) => c.name === 'cb_session')).toBeUndefined();
    expect(errorOf(response.headers.location!)).toBe(
      'Microsoft Entra ID refused the sign-in: AADSTS50148: The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
    );
  });

  it('the emulator refuses unregistered redirect URIs and publishes the key that signs its ID tokens', async () => {
    const { authorizeUrl } = await begin();
    authorizeUrl.searchParams.set('redirect_uri', 'http://evil.test/callback');
    authorizeUrl.searchParams.set('login_hint', DIEGO);
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/^AADSTS50011: The redirect URI 'http:\/\/evil.test\/callback'/);
    const keys = (await (await fetch(`${emulator.url}/${DEMO_TENANT_ID}/discovery/v2.0/keys`)).json()) as {
      keys: { kty: string; use: string; kid: string }[];
    };
    expect(keys.keys).toEqual([expect.objectContaining({ kty: 'RSA', use: 'sig', kid: expect.any(String) })]);
  });
});

describe('sign-in with Microsoft Entra ID, not configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('offers only passwords and says how to configure Entra ID', async () => {
    expect((await t.app.inject({ url: '/api/session/providers' })).json()).toEqual({
      password: true,
      entra: false,
    });
    const response = await t.app.inject({ url: '/api/session/entra' });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toMatch(
      /CALLBRIDGE_ENTRA_ISSUER .*CALLBRIDGE_ENTRA_CLIENT_ID and CALLBRIDGE_ENTRA_CLIENT_SECRET/,
    );
  });
});
