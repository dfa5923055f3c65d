import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_PHONE_APP_CLIENT_ID,
  DEMO_PHONE_APP_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { teamsSsoToken } from '../support/phone-app-tenant.js';

const DEBRA = demoUserId(19);
const OTHER_USER = demoUserId(20);
const GRAPH_CONTACTS = 'https://graph.microsoft.com/Contacts.Read';

/**
 * The emulator's Entra ID on-behalf-of grant and Graph's contacts, as Microsoft documents them: what a
 * confidential client gets for a user's token, and each refusal with its AADSTS code.
 */
describe('Entra ID on-behalf-of grant and Graph /me/contacts (emulator)', () => {
  let emulator: RunningEmulator;
  const tokenUrl = () => `${emulator.url}/${DEMO_TENANT_ID}/oauth2/v2.0/token`;

  async function obo(fields: Record<string, string>) {
    const response = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        client_id: DEMO_PHONE_APP_CLIENT_ID,
        client_secret: DEMO_PHONE_APP_CLIENT_SECRET,
        scope: `${GRAPH_CONTACTS} openid profile offline_access`,
        ...fields,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const graph = (path: string, token: string) =>
    fetch(`${emulator.url}/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }),
    );

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    // The administrator's consent to the Phone App (its "Authorize Phone App for my Organization").
    const consent = await fetch(
      `${emulator.url}/${DEMO_TENANT_ID}/adminconsent?client_id=${DEMO_PHONE_APP_CLIENT_ID}&redirect_uri=${encodeURIComponent('http://localhost/done')}&state=s`,
      { redirect: 'manual' },
    );
    expect(consent.headers.get('location')).toContain('admin_consent=True');
  });
  afterAll(() => emulator?.close());
  beforeEach(() =>
    emulator.tenants
      .get(DEMO_TENANT_ID)!
      .delegatedGrants.set(DEMO_PHONE_APP_CLIENT_ID, new Set(['User.Read', 'Contacts.Read'])),
  );

  it("exchanges Debra's tab token for a delegated Graph token that lists her contacts, with $select and paging", async () => {
    const { status, body } = await obo({ assertion: await teamsSsoToken(emulator, DEBRA) });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: GRAPH_CONTACTS });
    const token = String(body.access_token);
    const first = await graph('/me/contacts?$select=displayName,mobilePhone&$top=2', token);
    expect(first.status).toBe(200);
    const items = first.body.value as Record<string, unknown>[];
    expect(items.map((c) => c.displayName)).toEqual(['Acme Supplies', 'Mum']);
    expect(Object.keys(items[1]!).sort()).toEqual(['@odata.etag', 'displayName', 'id', 'mobilePhone']);
    expect(first.body['@odata.context']).toContain(`users('${DEBRA}')/contacts(displayName,mobilePhone)`);
    const next = String(first.body['@odata.nextLink']);
    expect(next).toContain('%24skip=2');
    const rest: string[] = [];
    let url: string | undefined = next;
    while (url) {
      const page = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.json() as Promise<Record<string, unknown>>,
      );
      rest.push(...(page.value as { displayName: string }[]).map((c) => c.displayName));
      url = page['@odata.nextLink'] as string | undefined;
    }
    expect(rest).toEqual(['Newsletter', 'Pat Jones (plumber)', 'Seattle Office']);
    const full = await graph('/me/contacts', token);
    const acme = (full.body.value as Record<string, unknown>[])[0]!;
    expect(acme).toMatchObject({
      businessPhones: ['020 7946 0999', '+44 161 496 0000'],
      mobilePhone: null,
      homePhones: [],
      emailAddresses: [{ name: 'Acme Supplies', address: 'orders@acme.example' }],
    });
  });

  it("a delegated token reads only its own user's contacts; /me needs a delegated token", async () => {
    const { body } = await obo({ assertion: await teamsSsoToken(emulator, DEBRA) });
    const token = String(body.access_token);
    expect((await graph(`/users/${DEBRA}/contacts`, token)).status).toBe(200);
    const other = await graph(`/users/${OTHER_USER}/contacts`, token);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: { code: 'ErrorAccessDenied' } });
    const appOnly = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: DEMO_CLIENT_ID,
        client_secret: DEMO_CLIENT_SECRET,
        scope: 'https://graph.microsoft.com/.default',
      }).toString(),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const me = await graph('/me/contacts', appOnly.access_token);
    expect(me.status).toBe(400);
    expect(me.body).toMatchObject({
      error: { message: '/me request is only valid with delegated authentication flow.' },
    });
  });

  it('consent missing for Contacts.Read: invalid_grant AADSTS65001 with suberror consent_required', async () => {
    emulator.tenants
      .get(DEMO_TENANT_ID)!
      .delegatedGrants.set(DEMO_PHONE_APP_CLIENT_ID, new Set(['User.Read']));
    const { status, body } = await obo({ assertion: await teamsSsoToken(emulator, DEBRA) });
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: 'invalid_grant',
      error_codes: [65001],
      suberror: 'consent_required',
    });
    expect(String(body.error_description)).toMatch(
      /^AADSTS65001: The user or administrator has not consented/,
    );
  });

  it('refuses an assertion for another audience (AADSTS500131), an expired one (500133) and an altered one (50013)', async () => {
    const otherApp = await obo({
      assertion: await teamsSsoToken(emulator, DEBRA, { clientId: '11111111-2222-4333-8444-555555555555' }),
    });
    expect(otherApp.body).toMatchObject({ error: 'invalid_grant', error_codes: [500131] });
    expect(String(otherApp.body.error_description)).toContain(
      "The audience in the assertion was '11111111-2222-4333-8444-555555555555'",
    );
    const expired = await obo({ assertion: await teamsSsoToken(emulator, DEBRA, { expiresInSeconds: -60 }) });
    expect(expired.body).toMatchObject({ error: 'invalid_grant', error_codes: [500133] });
    const [h, p, s] = (await teamsSsoToken(emulator, DEBRA)).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, oid: OTHER_USER })).toString('base64url');
    const altered = await obo({ assertion: `${h}.${forged}.${s}` });
    expect(altered.body).toMatchObject({ error: 'invalid_grant', error_codes: [50013] });
  });

  it('refuses a wrong client secret (AADSTS7000215), a missing assertion (900144) and a scope of another resource (70011)', async () => {
    const assertion = await teamsSsoToken(emulator, DEBRA);
    expect((await obo({ assertion, client_secret: 'wrong' })).body).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000215],
    });
    expect((await obo({ assertion: '' })).body).toMatchObject({
      error: 'invalid_request',
      error_codes: [900144],
    });
    expect((await obo({ assertion, scope: 'https://outlook.office.com/Contacts.Read' })).body).toMatchObject({
      error: 'invalid_scope',
      error_codes: [70011],
    });
  });
});
