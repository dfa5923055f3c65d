import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordInput } from '../../src/calls/call-record.types.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
const digest = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const srtpKey = 'Hr4D2cgUu9+Uza5Igz/JkVx59DAxDbaxJg862ibQ';

/** The call log over HTTP (issue 18): records from the recorder, filters, paging, advice, ladders, captures, live. */
describe.each(DIALECTS)('calls API on %s', (dialect) => {
  let t: TestApp;
  let accountId: string;
  let otherAccountId: string;
  let serviceId: string;
  let alex: string;
  let phoneAppUser: string;
  const ids: Record<string, string> = {};
  const request = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object, token = t.token) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });
  const get = (url: string) => request('GET', url);

  function report(name: string, minute: number, over: Partial<CallRecordInput>): void {
    const startedAt = new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString();
    const id = `${name}-${dialect}`;
    ids[name] = id;
    t.ctx.calls.recorder.ended({
      id,
      accountId,
      serviceId,
      userId: alex,
      direction: 'pbx-to-teams',
      from: '201',
      to: '+442079460001',
      startedAt,
      endedAt: new Date(Date.parse(startedAt) + 30_000).toISOString(),
      result: 'failed',
      legs: [],
      ...over,
    });
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const { services } = t.ctx;
    const partner = await services.accounts.create(system, { name: 'Calls Partner', kind: 'partner' });
    const account = await services.accounts.create(system, {
      name: 'Calls',
      kind: 'client',
      parentId: partner.id,
    });
    const other = await services.accounts.create(system, {
      name: 'Other',
      kind: 'client',
      parentId: partner.id,
    });
    accountId = account.id;
    otherAccountId = other.id;
    serviceId = (
      await services.voiceServices.create(system, accountId, {
        name: 'PBX',
        sipDomain: 'pbx.calls.example',
        country: 'GB',
      })
    ).id;
    alex = (
      await services.users.create(system, accountId, {
        serviceId,
        email: 'alex@calls.example',
        displayName: 'Alex Wilber',
      })
    ).id;
    phoneAppUser = (
      await services.users.create(system, accountId, {
        serviceId,
        email: 'pa@calls.example',
        displayName: 'Pat App',
      })
    ).id;
    await sql`update users set kind = 'phone_app' where id = ${phoneAppUser}`.execute(t.ctx.store.handle.db);

    report('not-found', 1, {
      legs: [
        { side: 'pbx', sipCallId: 'p1', finalStatus: 404 },
        {
          side: 'teams',
          sipCallId: 't1',
          finalStatus: 404,
          peer: 'sip.pstnhub.microsoft.com',
          reason: 'Q.850;cause=1',
        },
      ],
      ladder: [
        {
          at: '2026-11-20T09:01:00.000Z',
          leg: 'teams',
          direction: 'out',
          summary: 'INVITE sip:+442079460001@sip.pstnhub.microsoft.com SIP/2.0',
          text: `INVITE sip:+442079460001@sip.pstnhub.microsoft.com SIP/2.0\r\nAuthorization: Digest username="201", response="${digest}"\r\n\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${srtpKey}|2^31`,
        },
        {
          at: '2026-11-20T09:01:01.000Z',
          leg: 'teams',
          direction: 'in',
          summary: 'SIP/2.0 404 Not Found',
          text: 'SIP/2.0 404 Not Found',
        },
      ],
    });
    report('phone-app', 2, {
      userId: phoneAppUser,
      result: 'declined',
      legs: [{ side: 'teams', sipCallId: 't2', finalStatus: 603, peer: 'sip2.pstnhub.microsoft.com' }],
    });
    report('pbx-auth', 3, {
      direction: 'teams-to-pbx',
      from: '+442079460001',
      to: '=HYPERLINK("x")',
      legs: [{ side: 'pbx', sipCallId: 'p3', finalStatus: 407 }],
    });
    report('answered', 4, {
      result: 'answered',
      answeredAt: new Date(Date.UTC(2026, 10, 20, 9, 4, 5)).toISOString(),
      legs: [{ side: 'teams', sipCallId: 't4', finalStatus: 200, peer: 'sip.pstnhub.microsoft.com' }],
      media: {
        packets: { pbx: 1200, teams: 1195 },
        lost: { teams: 5 },
        jitterMs: { teams: 3 },
        mos: 4.3,
        codec: 'PCMU/8000',
      },
      ladder: [{ at: 'x', leg: 'pbx', direction: 'in', summary: 'BYE', text: 'BYE' }],
    });
    for (let i = 0; i < 5; i++)
      report(`busy-${i}`, 10 + i, {
        result: 'busy',
        legs: [{ side: 'teams', sipCallId: `b${i}`, finalStatus: 486 }],
      });
    await t.ctx.calls.recorder.flush();
  });
  afterAll(() => t.close());

  it('lists calls newest first, filtered by result, direction, user, number and time, paged by cursor to the end', async () => {
    const base = `/api/v1/accounts/${accountId}/calls`;
    const seen: string[] = [];
    let url = `${base}?limit=4`;
    for (;;) {
      const page = (await get(url)).json<{ items: { id: string }[]; nextCursor: string | null }>();
      seen.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) break;
      url = `${base}?limit=4&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen).toEqual(
      [
        'busy-4',
        'busy-3',
        'busy-2',
        'busy-1',
        'busy-0',
        'answered',
        'pbx-auth',
        'phone-app',
        'not-found',
      ].map((n) => `${n}-${dialect}`),
    );
    const only = async (query: string) =>
      (await get(`${base}?${query}`))
        .json<{ items: { id: string }[] }>()
        .items.map((c) => c.id.replace(`-${dialect}`, ''));
    expect(await only('result=declined')).toEqual(['phone-app']);
    expect(await only('direction=teams-to-pbx')).toEqual(['pbx-auth']);
    expect(await only(`userId=${phoneAppUser}`)).toEqual(['phone-app']);
    expect(await only('number=%2B44207946&result=failed')).toEqual(['pbx-auth', 'not-found']);
    expect(await only('from=2026-11-20T09:02:00Z&to=2026-11-20T10:04:00%2B01:00')).toEqual([
      'pbx-auth',
      'phone-app',
    ]);
  });

  it('refuses bad filters and foreign cursors with a clear error, and unknown query fields', async () => {
    const base = `/api/v1/accounts/${accountId}/calls`;
    const bad = await get(`${base}?from=yesterday`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
    const cursor = await get(`${base}?cursor=not-ours`);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().message).toContain('nextCursor');
    expect((await get(`${base}?colour=red`)).statusCode).toBe(400);
    expect((await get(`${base}?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z`)).json().message).toContain(
      'from must be before to',
    );
  });

  it('shows a failed call red with its legs, Q.850 cause and the advice naming what is missing', async () => {
    const call = (await get(`/api/v1/accounts/${accountId}/calls/${ids['not-found']}`)).json();
    expect(call).toMatchObject({
      failed: true,
      result: 'failed',
      refusedBy: 'teams',
      finalStatus: 404,
      q850Cause: 1,
      proxy: 'sip.pstnhub.microsoft.com',
      hasLadder: true,
      advice: {
        code: 'teams_404_number_not_assigned',
        fix: { kind: 'user', path: `/accounts/${accountId}/users/${alex}` },
      },
    });
    expect(call.advice.title).toContain('the voice routing policy is not set up');
    const phoneApp = (await get(`/api/v1/accounts/${accountId}/calls/${ids['phone-app']}`)).json();
    expect(phoneApp.advice.code).toBe('teams_603_phone_app_external_access');
    expect(phoneApp.advice.steps.join(' ')).toContain(t.ctx.config.phoneAppDomain);
    const pbx = (await get(`/api/v1/accounts/${accountId}/calls/${ids['pbx-auth']}`)).json();
    expect(pbx.advice.code).toBe('pbx_407_credentials');
    const answered = (await get(`/api/v1/accounts/${accountId}/calls/${ids['answered']}`)).json();
    expect(answered).toMatchObject({
      failed: false,
      advice: null,
      durationMs: 25_000,
      codec: 'PCMU/8000',
      hasLadder: false,
    });
    expect(answered.media).toMatchObject({ mos: 4.3, lost: { teams: 5 } });
  });

  it("serves a failed call's ladder as JSON and as a text download, with no secret in either", async () => {
    const json = await get(`/api/v1/accounts/${accountId}/calls/${ids['not-found']}/ladder`);
    expect(json.statusCode).toBe(200);
    expect(json.json().items).toHaveLength(2);
    const text = await get(`/api/v1/accounts/${accountId}/calls/${ids['not-found']}/ladder/text`);
    expect(text.headers['content-disposition']).toContain('attachment; filename="call-not-found-');
    expect(text.body).toContain('=== 2026-11-20T09:01:01.000Z  TEAMS -> Callbridge  SIP/2.0 404 Not Found');
    for (const body of [json.body, text.body]) {
      expect(body).not.toContain(digest);
      expect(body).not.toContain(srtpKey);
      expect(body).toContain('inline:<removed>');
    }
    const none = await get(`/api/v1/accounts/${accountId}/calls/${ids['answered']}/ladder`);
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toContain('under capture');
  });

  it('exports the matching calls as CSV with formula cells guarded', async () => {
    const csv = await get(`/api/v1/accounts/${accountId}/calls/export?direction=teams-to-pbx`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(/^id,startedAt,endedAt,direction,userId,from,to,result,finalStatus/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[1]).toContain(',failed,407,pbx,');
  });

  it('puts a user under capture, says so, and ends it; refuses an empty or unknown-field capture', async () => {
    const url = `/api/v1/accounts/${accountId}/users/${alex}/capture`;
    const set = await request('PUT', url, { calls: 5, hours: 2 });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ userId: alex, callsLeft: 5, createdBy: expect.any(String) });
    expect((await get(url)).json().capture).toMatchObject({ callsLeft: 5 });
    const empty = await request('PUT', url, {});
    expect(empty.statusCode).toBe(400);
    expect(JSON.stringify(empty.json())).toContain('Give calls');
    expect((await request('PUT', url, { calls: 1, forever: true })).statusCode).toBe(400);
    expect((await request('DELETE', url)).statusCode).toBe(204);
    expect((await get(url)).json().capture).toBeNull();
  });

  it("hides one account's calls from another's administrators (as for an unknown id)", async () => {
    await t.ctx.services.administrators.create(system, {
      email: 'other@calls.example',
      password: 'long enough password',
    });
    await t.ctx.services.administrators.grantRole(
      system,
      otherAccountId,
      'other@calls.example',
      'account_owner',
    );
    const { token } = await t.ctx.services.administrators.createToken(system, 'other@calls.example', 'calls');
    const foreign = await request(
      'GET',
      `/api/v1/accounts/${accountId}/calls/${ids['not-found']}`,
      undefined,
      token,
    );
    expect(foreign.statusCode).toBe(404);
    const ownUrl = `/api/v1/accounts/${otherAccountId}/calls/${ids['not-found']}`;
    for (const path of ['ladder', 'ladder/text'])
      expect(
        (
          await request(
            'GET',
            `/api/v1/accounts/${accountId}/calls/${ids['not-found']}/${path}`,
            undefined,
            token,
          )
        ).statusCode,
      ).toBe(404);
    const foreignCapture = await request(
      'PUT',
      `/api/v1/accounts/${otherAccountId}/users/${alex}/capture`,
      { calls: 1 },
      token,
    );
    expect(foreignCapture.statusCode).toBe(404);
    expect(foreignCapture.json().details).toMatchObject({ kind: 'user' });
    const asOwn = await request('GET', ownUrl, undefined, token);
    expect(asOwn.statusCode).toBe(404);
    expect(asOwn.json().details).toMatchObject({ kind: 'call' });
  });

  it('shows live calls per account and across the provider; an operator ends one through the B2BUA control', async () => {
    const startedAt = new Date(Date.now() - 5000).toISOString();
    const live = {
      accountId,
      serviceId,
      userId: alex,
      direction: 'pbx-to-teams' as const,
      from: '201',
      to: '+442079460001',
      startedAt,
    };
    t.ctx.calls.recorder.started({ ...live, id: 'live-a', state: 'ringing' });
    t.ctx.calls.recorder.started({ ...live, accountId: otherAccountId, id: 'live-b', state: 'setup' });
    const mine = (await get(`/api/v1/accounts/${accountId}/live-calls`)).json().items;
    expect(mine).toMatchObject([{ id: 'live-a', state: 'ringing' }]);
    expect(mine[0].durationMs).toBeGreaterThanOrEqual(5000);
    const all = (await get('/api/v1/live-calls')).json().items.map((c: { id: string }) => c.id);
    expect(all).toEqual(expect.arrayContaining(['live-a', 'live-b']));

    const unwired = await request('DELETE', '/api/v1/live-calls/live-a');
    expect(unwired.statusCode).toBe(409);
    const ended: string[] = [];
    t.ctx.services.calls.control = {
      hangUp: (id) => {
        ended.push(id);
        return Promise.resolve(true);
      },
    };
    expect((await request('DELETE', '/api/v1/live-calls/live-a')).statusCode).toBe(204);
    expect(ended).toEqual(['live-a']);
    expect((await request('DELETE', '/api/v1/live-calls/no-such-call')).statusCode).toBe(404);
  });
});
