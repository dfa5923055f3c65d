import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every secret that enters Callbridge (an administrator's password, SIP passwords by API and CSV, a Microsoft app
 * secret, API tokens and invitation links after they were shown once) is looked for in everything that leaves it:
 * the log, every API answer, the audit log and its exports, CSV exports. None may appear.
 */
describe('no secret leaves Callbridge', () => {
  let t: TestApp;
  const answers: string[] = [];
  const secrets = {
    adminPassword: 'admin password 0xA11CE',
    apiSipPassword: 'sip-secret-by-api-7731',
    csvSipPassword: 'sip-secret-by-csv-9914',
    appSecret: 'app~secret~from~entra~5521',
  };
  let issuedToken = '';
  let invitationToken = '';

  beforeAll(async () => {
    t = await createTestApp('postgres');
  });
  afterAll(() => t.close());

  async function call(method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) {
    const response = await t.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${t.token}`, ...headers },
      ...(payload !== undefined && { payload: payload as string }),
    });
    answers.push(
      `${method} ${url} -> ${response.statusCode} ${JSON.stringify(response.headers)} ${response.body}`,
    );
    return response;
  }

  it('finds none in logs, API answers, audit entries or exports after a day of work', async () => {
    const partner = (await call('POST', '/api/v1/accounts', { name: 'P', kind: 'partner' })).json<{
      id: string;
    }>();
    const client = (
      await call('POST', '/api/v1/accounts', { name: 'C', kind: 'client', parentId: partner.id })
    ).json<{ id: string }>();
    await call('POST', `/api/v1/accounts/${client.id}/subscriptions`, { sku: 'pbx_user', quantity: 5 });
    const service = (
      await call('POST', `/api/v1/accounts/${client.id}/services`, {
        name: 'PBX',
        sipDomain: 'pbx.example',
        country: 'GB',
      })
    ).json<{ id: string }>();
    const user = (
      await call('POST', `/api/v1/accounts/${client.id}/users`, {
        serviceId: service.id,
        email: 'a@c.test',
        displayName: 'A',
        sipUsername: 'a',
        sipPassword: secrets.apiSipPassword,
      })
    ).json<{ id: string }>();
    await call('PATCH', `/api/v1/accounts/${client.id}/users/${user.id}`, {
      sipPassword: secrets.apiSipPassword,
    });
    await call('GET', `/api/v1/accounts/${client.id}/users/${user.id}`);
    await call('GET', `/api/v1/accounts/${client.id}/users?search=a`);
    const csv = [
      'SIPUsername,Name,Email,PhoneNumber,AuthUsername,Password,ExternalId',
      `a,A,a@c.test,,a,${secrets.csvSipPassword},`,
    ].join('\n');
    for (const dryRun of [true, false]) {
      await call(
        'POST',
        `/api/v1/accounts/${client.id}/services/${service.id}/import?dryRun=${dryRun}`,
        csv,
        {
          'content-type': 'text/csv',
        },
      );
    }
    await call('GET', `/api/v1/accounts/${client.id}/services/${service.id}/export`);
    await call('PUT', `/api/v1/accounts/${client.id}/tenant-connection`, {
      cloud: 'global',
      clientId: '11111111-2222-3333-4444-555555555555',
      clientSecret: secrets.appSecret,
    });
    await call('GET', `/api/v1/accounts/${client.id}/tenant-connection`);
    // A wrong and a right sign-in of an invited administrator, then a token and an invitation shown once.
    const invitation = await call('POST', `/api/v1/accounts/${client.id}/invitations`, {
      email: 'new@c.test',
      role: 'account_owner',
    });
    invitationToken = new URL(invitation.json<{ link: string }>().link).hash.replace('#token=', '');
    answers.pop(); // the one answer that shows the link, by design
    await call('POST', '/api/invitations/accept', {
      token: invitationToken,
      password: secrets.adminPassword,
    });
    await call('POST', '/api/session', { email: 'new@c.test', password: 'not it at all' });
    await call('POST', '/api/session', { email: 'new@c.test', password: secrets.adminPassword });
    const created = await call('POST', '/api/v1/tokens', { name: 'script' });
    issuedToken = created.json<{ token: string }>().token;
    answers.pop(); // the one answer that shows the token, by design
    await call('GET', '/api/v1/tokens');
    await call('GET', `/api/v1/accounts/${client.id}/audit?limit=1000`);
    await call('GET', `/api/v1/accounts/${client.id}/audit/export?format=csv`);
    await call('GET', `/api/v1/accounts/${client.id}/audit/export?format=jsonl`);
    await call('GET', '/api/docs/json');

    const auditRows = await t.ctx.store.handle.db.selectFrom('audit_entries').selectAll().execute();
    const places = {
      log: t.logLines.join('\n'),
      answers: answers.join('\n'),
      audit: JSON.stringify(auditRows),
    };
    expect(places.log.length).toBeGreaterThan(1000);
    expect(answers.length).toBeGreaterThan(15);
    const found: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const [name, value] of Object.entries({
        ...secrets,
        issuedToken,
        invitationToken,
        apiToken: t.token,
      })) {
        if (text.includes(value)) found.push(`${name} in ${where}`);
      }
    }
    expect(found).toEqual([]);
    // The check can fail: the secrets did go in (stored encrypted) and work.
    const stored = await t.ctx.store.repos.users.listPasswordCiphertexts();
    expect(stored.map((s) => t.ctx.secrets.decrypt(s.ciphertext))).toEqual([secrets.csvSipPassword]);
    expect(issuedToken).toMatch(/^cb_/);
  });
});
