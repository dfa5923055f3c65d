import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';
import { startTestCallRig, TEST_CALL_CONFIG, type TestCallRig } from '../support/test-call-rig.js';

const NUMBER = '+4930111';

interface TestCallBody {
  id: string;
  phase: string;
  result?: string;
  finalStatus?: number;
  reason?: string;
  audio?: { sent: number; received: number };
  callRecordId?: string;
  advice?: { code: string; steps: string[] } | null;
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
}

/**
 * "Test call" through the API (issue 17) on both databases, with the real parts (test/support/test-call-rig.ts):
 * the users registered at the demo PBX, the sip and edge roles as `serve` wires them, real rtpengine, and the Teams
 * SIP emulator over mutual TLS as Microsoft, whose media processor is an SDES-SRTP peer sending a tone back.
 */
describe.skipIf(!rtpengineInstalled()).each(DIALECTS)('test call through the API (%s)', (dialect) => {
  let t: TestApp;
  let rig: TestCallRig;
  let accountId: string;
  let userId: string;
  let otherUserId: string;
  const inject = async (
    method: 'GET' | 'POST',
    url: string,
    payload?: Record<string, unknown>,
    token?: string,
  ) => {
    const response = await t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token ?? t.token}` },
      ...(payload && { payload }),
    });
    return { status: response.statusCode, body: response.json<TestCallBody>() };
  };
  const finished = async (id: string, user = userId) => {
    let body: TestCallBody | undefined;
    for (let i = 0; i < 300 && body?.phase !== 'ended'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await inject('GET', `/api/v1/accounts/${accountId}/users/${user}/test-calls/${id}`)).body;
    }
    return body!;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, { config: TEST_CALL_CONFIG });
    rig = await startTestCallRig(t);
    ({ accountId } = rig);
    userId = rig.users.alice;
    otherUserId = rig.users.bob;
  }, 60_000);
  afterAll(async () => {
    await rig?.stop();
    await t?.close();
  });

  it('rings the Teams user from the PBX side: answered, the tone sent and Teams audio heard back, the call record linked', async () => {
    expect(
      rig.pbx
        .registrations()
        .map((b) => b.username)
        .sort(),
    ).toEqual(['alice', 'bob']);
    const started = await inject('POST', `/api/v1/accounts/${accountId}/users/${userId}/test-call`, {
      seconds: 2,
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ phase: 'calling' });
    const result = await finished(started.body.id);
    expect(result).toMatchObject({ phase: 'ended', result: 'answered', finalStatus: 200, advice: null });
    expect(result.audio!.sent).toBeGreaterThan(50);
    expect(result.audio!.received).toBeGreaterThan(20);
    expect(rig.teamsMedia.counts.received).toBeGreaterThan(20);
    expect(rig.teamsMedia.toneFraction(1000)).toBeGreaterThan(0.8);
    const record = await t.app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${accountId}/calls/${result.callRecordId!}`,
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(record.json()).toMatchObject({
      direction: 'pbx-to-teams',
      to: NUMBER,
      result: 'answered',
      userId,
    });
  });

  it('reports busy and declined as a person would name them, with the record and its status', async () => {
    rig.teams.setBehaviour('+4930222', { outcome: 'busy' });
    const busy = await inject('POST', `/api/v1/accounts/${accountId}/users/${otherUserId}/test-call`, {});
    expect((await finished(busy.body.id, otherUserId)).result).toBe('busy');
    rig.teams.setBehaviour('+4930222', { outcome: 'decline' });
    const declined = await inject('POST', `/api/v1/accounts/${accountId}/users/${otherUserId}/test-call`, {});
    const result = await finished(declined.body.id, otherUserId);
    expect(result).toMatchObject({ result: 'declined', finalStatus: 603, callRecordId: expect.any(String) });
  });

  it('refuses a second test call to a user while one runs, and more than five a minute per account', async () => {
    rig.teams.setBehaviour(NUMBER, { outcome: 'ring' });
    const first = await inject('POST', `/api/v1/accounts/${accountId}/users/${userId}/test-call`, {});
    expect(first.status).toBe(202);
    const twice = await inject('POST', `/api/v1/accounts/${accountId}/users/${userId}/test-call`, {});
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'conflict', details: { testCallId: first.body.id } });
    // Three started above and this one make four; one more is the fifth, the sixth is refused.
    const fifth = await inject('POST', `/api/v1/accounts/${accountId}/users/${otherUserId}/test-call`, {});
    expect(fifth.status).toBe(202);
    await finished(fifth.body.id, otherUserId); // Bob declines at once: his next call is not refused as running
    const sixth = await inject('POST', `/api/v1/accounts/${accountId}/users/${otherUserId}/test-call`, {});
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(sixth.body.message).toMatch(/At most 5 test calls a minute/);
  });

  it('refuses a test call to a user who is not registered, saying why', async () => {
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/users`,
      headers: { authorization: `Bearer ${t.token}` },
      payload: { serviceId: rig.serviceId, email: 'carol@contoso.example', displayName: 'Carol' },
    });
    const carol = added.json<{ id: string }>().id;
    const refused = await inject('POST', `/api/v1/accounts/${accountId}/users/${carol}/test-call`, {});
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'precondition_failed',
      details: { registrationState: 'disabled' },
    });
    expect(refused.body.message).toContain('Carol is not registered to the PBX');
  });

  it('refuses unknown fields and a length out of range, naming the field', async () => {
    const unknown = await inject('POST', `/api/v1/accounts/${accountId}/users/${userId}/test-call`, {
      second: 3,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('second');
    const long = await inject('POST', `/api/v1/accounts/${accountId}/users/${userId}/test-call`, {
      seconds: 600,
    });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toContain('seconds');
  });
});
