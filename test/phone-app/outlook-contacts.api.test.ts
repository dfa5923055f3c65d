import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_PHONE_APP_CLIENT_ID,
  DEMO_PHONE_APP_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
  demoUserId,
} from '../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/emulator.server.js';
import { fastClients } from '../support/demo-tenant-account.js';
import { phoneAppTenant, teamsSsoToken } from '../support/phone-app-tenant.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const DEBRA = demoUserId(19);
const OTHER_USER = demoUserId(20);

describe.each(DIALECTS)("The Phone App tab's Outlook contacts (on-behalf-of) on %s", (dialect) => {
  let t: TestApp;
  let emulator: RunningEmulator;

  const contacts = async (user: string, query = '') => {
    const token = await teamsSsoToken(emulator, user);
    return t.app.inject({
      method: 'GET',
      url: `/api/v1/phone-app/contacts${query}`,
      headers: { authorization: `Bearer ${token}` },
    });
  };
  const grants = () => emulator.tenants.get(DEMO_TENANT_ID)!.delegatedGrants;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: demoSeed() });
    t = await createTestApp(dialect, {
      microsoftClients: fastClients,
      config: {
        phoneAppClientId: DEMO_PHONE_APP_CLIENT_ID,
        phoneAppClientSecret: DEMO_PHONE_APP_CLIENT_SECRET,
        publicUrl: 'https://voice.acme.example',
      },
    });
    await phoneAppTenant(t, emulator);
    const consent = await fetch(
      `${emulator.url}/${DEMO_TENANT_ID}/adminconsent?client_id=${DEMO_PHONE_APP_CLIENT_ID}&redirect_uri=${encodeURIComponent('http://localhost/done')}`,
      { redirect: 'manual' },
    );
    expect(consent.status).toBe(302);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });
  beforeEach(() => grants().set(DEMO_PHONE_APP_CLIENT_ID, new Set(['User.Read', 'Contacts.Read'])));

  it("answers Debra's own contacts that have a number, each number in E.164 read in her country (GB)", async () => {
    const response = await contacts(DEBRA);
    expect(response.statusCode).toBe(200);
    const list = response.json().contacts as { displayName: string; phones: unknown[] }[];
    expect(list.map((c) => c.displayName)).toEqual([
      'Acme Supplies',
      'Mum',
      'Pat Jones (plumber)',
      'Seattle Office',
    ]);
    expect(list[0]).toEqual({
      id: expect.any(String),
      displayName: 'Acme Supplies',
      email: 'orders@acme.example',
      phones: [
        { type: 'business', display: '020 7946 0999', number: '+442079460999' },
        { type: 'business', display: '+44 161 496 0000', number: '+441614960000' },
      ],
    });
    expect(list[1]!.phones).toEqual([
      { type: 'mobile', display: '+44 7700 900456', number: '+447700900456' },
      { type: 'home', display: '01632 960001', number: '+441632960001' },
    ]);
    expect(list[3]!.phones).toEqual([
      { type: 'business', display: '+1 206 555 0100', number: '+12065550100' },
    ]);
    // Another Phone App user's contact never shows in Debra's list.
    expect(JSON.stringify(list)).not.toContain('Chris Private');
  });

  it("gives each user their own contacts only: the token's user, never another's", async () => {
    const response = await contacts(OTHER_USER);
    expect(response.statusCode).toBe(200);
    expect(response.json().contacts.map((c: { displayName: string }) => c.displayName)).toEqual([
      'Chris Private',
    ]);
  });

  it('searches by name and by number', async () => {
    expect((await contacts(DEBRA, '?search=acme')).json().contacts).toHaveLength(1);
    const byNumber = (await contacts(DEBRA, '?search=7700900123')).json().contacts;
    expect(byNumber.map((c: { displayName: string }) => c.displayName)).toEqual(['Pat Jones (plumber)']);
    const unknown = await contacts(DEBRA, '?search=x&limit=3');
    expect(unknown.statusCode).toBe(400);
  });

  it('reads every page of a long contact list (Graph pages of 100, followed by @odata.nextLink)', async () => {
    const tenant = emulator.tenants.get(DEMO_TENANT_ID)!;
    const many = Array.from({ length: 230 }, (_, i) => ({
      id: `bulk-${i}`,
      displayName: `Bulk ${String(i).padStart(3, '0')}`,
      givenName: null,
      surname: null,
      companyName: null,
      businessPhones: [`+4420794${String(60000 + i)}`],
      mobilePhone: null,
      homePhones: [],
      emailAddresses: [],
    }));
    const user = demoUserId(21);
    tenant.contacts.set(user, many);
    const response = await contacts(user);
    expect(response.statusCode).toBe(200);
    expect(response.json().contacts).toHaveLength(230);
  });

  it("consent missing for Contacts.Read: 403 with reason consent_required and the administrator's step", async () => {
    grants().set(DEMO_PHONE_APP_CLIENT_ID, new Set(['User.Read']));
    const response = await contacts(DEBRA);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      code: 'forbidden',
      details: { reason: 'consent_required', scope: 'Contacts.Read' },
    });
    expect(response.json().message).toContain('Authorize Phone App for my Organization');
  });

  it('refuses a request without a valid tab token before asking Microsoft anything (401)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/phone-app/contacts' });
    expect(response.statusCode).toBe(401);
  });
});
