import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoPbx } from '../../src/demo/demo-pbx.js';
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import type { TeamsEdge } from '../../src/edge/teams-edge.js';
import { RtpPeer } from '../../src/media/peer/rtp-peer.js';
import { RtpengineRelay } from '../../src/media/rtpengine-relay.js';
import { startEdgeRole } from '../../src/roles/edge.role.js';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { RtpengineDaemon, rtpengineInstalled } from '../support/rtpengine-daemon.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-database.js';

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
 * "Test call" through the API (issue 17) on both databases, with the real parts: the user registered at the demo
 * PBX (our stack's registrar), the sip and edge roles as `serve` wires them, real rtpengine, and the Teams SIP
 * emulator over mutual TLS as Microsoft, whose media processor is an SDES-SRTP peer sending a tone back.
 */
describe.skipIf(!rtpengineInstalled()).each(DIALECTS)('test call through the API (%s)', (dialect) => {
  let pki: TeamsPki;
  let daemon: RtpengineDaemon;
  let relay: RtpengineRelay;
  let pbx: DemoPbx;
  let t: TestApp;
  let role: SipRole;
  let edge: TeamsEdge;
  let teams: TeamsSipEmulator;
  let teamsMedia: RtpPeer;
  let accountId: string;
  let userId: string;
  let otherUserId: string;
  const passwords = new Map([
    ['alice', 'alice-demo-pw-1'],
    ['bob', 'bob-demo-pw-1'],
  ]);
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
    pki = await createTeamsPki('sbc.test');
    daemon = await RtpengineDaemon.start();
    relay = await RtpengineRelay.open({ target: daemon.target });
    pbx = await DemoPbx.start({ passwordOf: (u) => passwords.get(u) });
    teamsMedia = await RtpPeer.open({ srtp: true, toneHz: 1000 });
    t = await createTestApp(dialect, {
      config: {
        sipHost: '127.0.0.1',
        sipPort: 0,
        sbcDomain: 'sbc.test',
        sbcHost: '127.0.0.1',
        sbcSignallingPort: 0,
      },
    });
    const api = async (url: string, payload: Record<string, unknown>) =>
      (await inject('POST', url, payload)).body;
    const partner = await api('/api/v1/accounts', { name: 'Provider', kind: 'partner' });
    const client = await api('/api/v1/accounts', { name: 'Contoso', kind: 'client', parentId: partner.id });
    accountId = client.id;
    await api(`/api/v1/accounts/${accountId}/subscriptions`, { sku: 'pbx_user', quantity: 5 });
    const service = await api(`/api/v1/accounts/${accountId}/services`, {
      name: 'Demo PBX',
      sipDomain: 'pbx.demo.example',
      proxyHost: '127.0.0.1',
      proxyPort: pbx.port,
      transport: 'udp',
    });
    const user = (name: string, number: string) =>
      api(`/api/v1/accounts/${accountId}/users`, {
        serviceId: service.id,
        email: `${name}@contoso.example`,
        displayName: name,
        phoneNumber: number,
        sipUsername: name,
        sipPassword: passwords.get(name),
      });
    userId = (await user('alice', NUMBER)).id;
    otherUserId = (await user('bob', '+4930222')).id;
    role = await startSipRole(t.ctx, undefined, { relay });
    const fqdn = carrierNamesOf(service.id, 'sbc.test').domain;
    const box: { edgePort?: number } = {};
    teams = await TeamsSipEmulator.start({
      host: '127.0.0.1',
      ...pki.microsoft,
      caFile: pki.caFile,
      directory: staticDirectory({ [fqdn]: 't1' }, [
        { tenantId: 't1', userId: 'teams-alice', displayName: 'Alice', number: NUMBER },
        { tenantId: 't1', userId: 'teams-bob', displayName: 'Bob', number: '+4930222' },
      ]),
      sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: box.edgePort! }),
      // Teams' media processor: answers with an SRTP peer keyed for the offer rtpengine made toward Teams.
      mediaSdp: () => {
        const offer = teams.calls.at(-1)?.incoming?.request.body.toString();
        if (offer) {
          teamsMedia.setRemote(offer);
          teamsMedia.start();
        }
        return Buffer.from(teamsMedia.sdp());
      },
    });
    edge = (await startEdgeRole(
      t.ctx,
      undefined,
      {
        ...pki.sbc,
        caFile: pki.caFile,
        ranges: ['127.0.0.0/8'],
        proxyPort: teams.port,
        attachSbc: (port) => void (box.edgePort = port),
      },
      role.calls,
    ))!;
    for (let i = 0; i < 100 && pbx.registrations().length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
  }, 60_000);
  afterAll(async () => {
    teamsMedia?.close();
    await teams?.stop();
    await edge?.stop();
    await role?.stop();
    await t?.close();
    await pbx?.stop();
    relay?.close();
    await daemon?.stop();
    await pki?.remove();
  });

  it('rings the Teams user from the PBX side: answered, the tone sent and Teams audio heard back, the call record linked', async () => {
    expect(
      pbx
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
    expect(teamsMedia.counts.received).toBeGreaterThan(20);
    expect(teamsMedia.toneFraction(1000)).toBeGreaterThan(0.8);
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
    teams.setBehaviour('+4930222', { outcome: 'busy' });
    const busy = await inject('POST', `/api/v1/accounts/${accountId}/users/${otherUserId}/test-call`, {});
    expect((await finished(busy.body.id, otherUserId)).result).toBe('busy');
    teams.setBehaviour('+4930222', { outcome: 'decline' });
    const declined = await inject('POST', `/api/v1/accounts/${accountId}/users/${otherUserId}/test-call`, {});
    const result = await finished(declined.body.id, otherUserId);
    expect(result).toMatchObject({ result: 'declined', finalStatus: 603, callRecordId: expect.any(String) });
  });

  it('refuses a second test call to a user while one runs, and more than five a minute per account', async () => {
    teams.setBehaviour(NUMBER, { outcome: 'ring' });
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
