import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../../src/emulator/teams-sip/teams-sip.emulator.js';
import type { TeamsEdge } from '../../src/edge/teams-edge.js';
import { startEdgeRole, stopEdgeRole } from '../../src/roles/edge.role.js';
import { startSipRole, type SipRole } from '../../src/roles/sip.role.js';
import { carrierNamesOf } from '../../src/services/sync/carrier-setup.js';
import { freePort, Kamailio, kamailioInstalled } from '../sip/support/kamailio.js';
import { createTeamsPki, type TeamsPki } from '../sip/support/teams-pki.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { until } from './support/b2bua-harness.js';
import { SignallingRelay } from './support/signalling-relay.js';
import { runSipp } from './support/sipp-runner.js';
import { registerScenario, uasScenario } from './support/sipp-scenarios.js';

const hasSipp = spawnSync('sipp', ['-v']).status !== null;
const ready = kamailioInstalled() && hasSipp;

/**
 * The B2BUA as `serve` wires it (issue 17): the sip role attaches it to its registration stack with the store's
 * users (credentials decrypted at call time, refusals decided like registrations: licences), the edge role hands it
 * the calls from Teams. Real Kamailio, sipp, the Teams emulator and the test app's database.
 */
describe.skipIf(!ready)('calls through the sip and edge roles (sqlite)', () => {
  let pki: TeamsPki;
  let kamailio: Kamailio;
  let t: TestApp;
  let role: SipRole;
  let edge: TeamsEdge | undefined;
  let teams: TeamsSipEmulator;
  let dir: string;
  let host: string;
  let accountId: string;
  const stops: (() => void)[] = [];
  const api = async (method: 'POST', url: string, payload: Record<string, unknown>) =>
    (await t.app.inject({ method, url, headers: { authorization: `Bearer ${t.token}` }, payload })).json<{
      id: string;
    }>();

  const calls = async (url: string) =>
    (await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } })).json<{
      items: Record<string, unknown>[];
    }>();

  beforeAll(async () => {
    pki = await createTeamsPki('sbc.test');
    dir = await mkdtemp(join(tmpdir(), 'callbridge-roles-'));
    kamailio = await Kamailio.start({
      users: [
        { username: 'alice', password: 'alice-pw-1' },
        { username: 'bob', password: 'bob-pw-1' },
        { username: '2001', password: 'ext-pw-2001' },
      ],
      challengeInvitesFrom: ['alice', 'bob'],
    });
    t = await createTestApp('sqlite', {
      config: {
        sipHost: '127.0.0.1',
        sipPort: 0,
        sbcDomain: 'sbc.test',
        sbcHost: '127.0.0.1',
        sbcSignallingPort: 0,
        sbcCertFile: pki.sbc.certFile,
        sbcKeyFile: pki.sbc.keyFile,
        sbcCaFile: pki.caFile,
        teamsProxies: 'localhost:1', // calls from Teams only: nothing is sent to Microsoft here
        teamsSignallingRanges: '127.0.0.0/8',
      },
    });
    const partner = await api('POST', '/api/v1/accounts', { name: 'Provider', kind: 'partner' });
    const client = await api('POST', '/api/v1/accounts', {
      name: 'Contoso',
      kind: 'client',
      parentId: partner.id,
    });
    await api('POST', `/api/v1/accounts/${client.id}/subscriptions`, { sku: 'pbx_user', quantity: 1 });
    const service = await api('POST', `/api/v1/accounts/${client.id}/services`, {
      name: 'PBX',
      sipDomain: kamailio.domain,
      proxyHost: '127.0.0.1',
      proxyPort: kamailio.port,
      transport: 'udp',
      registrationExpiry: 300,
    });
    host = carrierNamesOf(service.id, 'sbc.test').domain;
    accountId = client.id;
    for (const [name, number] of [
      ['alice', '+4930111'],
      ['bob', '+4930222'],
    ])
      await api('POST', `/api/v1/accounts/${client.id}/users`, {
        serviceId: service.id,
        email: `${name}@contoso.example`,
        displayName: name,
        phoneNumber: number,
        sipUsername: name,
        sipPassword: `${name}-pw-1`,
        registrationEnabled: name === 'alice', // Bob's line is turned off by his administrator
      });
    role = await startSipRole(t.ctx, undefined, { relay: new SignallingRelay() });
    edge = (await startEdgeRole(t.ctx, undefined, undefined, role.calls))!;
    teams = await TeamsSipEmulator.start({
      host: '127.0.0.1',
      ...pki.microsoft,
      caFile: pki.caFile,
      directory: staticDirectory({}, []),
      sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: edge!.port }),
    });
    for (let i = 0; i < 100 && !(await kamailio.registered()).has('alice'); i++)
      await new Promise((r) => setTimeout(r, 100));
  }, 60_000);
  afterAll(async () => {
    for (const stop of stops) stop();
    await teams?.stop();
    await edge?.stop();
    await role?.stop();
    await t?.close();
    await kamailio?.dispose();
    await pki?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('Alice calls extension 2001 from Teams: the PBX challenges her INVITE, her stored password answers, 2001 answers', async () => {
    const port = await freePort();
    const sipp = (name: string, xml: string, extra: string[] = []) =>
      runSipp(dir, name, xml, { port, remote: `127.0.0.1:${kamailio.port}`, ext: '2001', extra });
    const registered = await (
      await sipp('register', registerScenario(), ['-au', '2001', '-ap', 'ext-pw-2001'])
    ).done;
    expect(registered.code, registered.output).toBe(0);
    const answering = await sipp('answer', uasScenario({ kind: 'answer' }));
    stops.push(answering.stop);
    await new Promise((r) => setTimeout(r, 300));
    const call = teams.callFromTeams('+4930111', '2001', host);
    await until(() => call.status !== undefined, 10_000);
    expect(call.status).toBe(200);
    // In progress: the live-calls view shows it; then Teams hangs up.
    const live = await calls(`/api/v1/accounts/${accountId}/live-calls`);
    expect(live.items).toEqual([expect.objectContaining({ direction: 'teams-to-pbx', state: 'answered' })]);
    await teams.hangUp(call.callId);
    expect((await answering.done).code).toBe(0);
    expect(t.logLines.join('')).toContain('call ended: answered');
    // The call record is stored (Calls 3) with both legs.
    await t.ctx.calls.recorder.flush();
    const stored = await calls(`/api/v1/accounts/${accountId}/calls?direction=teams-to-pbx&result=answered`);
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({ from: '+4930111', result: 'answered' });
  });

  it('a platform operator ends a live call from the API: the desk phone gets its BYE and the call leaves the live view', async () => {
    const port = await freePort();
    const sipp = (name: string, xml: string, extra: string[] = []) =>
      runSipp(dir, name, xml, { port, remote: `127.0.0.1:${kamailio.port}`, ext: '2001', extra });
    const registered = await (
      await sipp('register-2', registerScenario(), ['-au', '2001', '-ap', 'ext-pw-2001'])
    ).done;
    expect(registered.code, registered.output).toBe(0);
    const answering = await sipp('answer-2', uasScenario({ kind: 'answer' }));
    stops.push(answering.stop);
    await new Promise((r) => setTimeout(r, 300));
    const call = teams.callFromTeams('+4930111', '2001', host);
    await until(() => call.status !== undefined, 10_000);
    expect(call.status).toBe(200);
    const [live] = (await calls(`/api/v1/accounts/${accountId}/live-calls`)).items;
    const ended = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/live-calls/${String(live?.id)}`,
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(ended.statusCode).toBe(204);
    // The desk phone got its BYE (sipp's scenario ends only on one), and the call is no longer live.
    expect((await answering.done).code).toBe(0);
    expect((await calls(`/api/v1/accounts/${accountId}/live-calls`)).items).toEqual([]);
  });

  it('Bob, whose line is turned off, calls from Teams: refused 403 with the reason recorded', async () => {
    const call = teams.callFromTeams('+4930222', '2001', host);
    await until(() => call.status !== undefined, 10_000);
    expect(call.status).toBe(403);
    const ended = t.logLines.filter((line) => line.includes('call ended: refused')).join('');
    expect(ended).toContain('user_not_callable');
    expect(ended).toContain('Registration is turned off for this user.');
    expect(ended).not.toContain('bob-pw-1');
    await t.ctx.calls.recorder.flush();
    const stored = await calls(`/api/v1/accounts/${accountId}/calls?result=refused`);
    expect(stored.items).toEqual([expect.objectContaining({ from: '+4930222', result: 'refused' })]);
  });

  // Last: it stops the edge.
  it('shutdown ends calls before the edge closes: Teams and the desk phone both get their BYE', async () => {
    const port = await freePort();
    const sipp = (name: string, xml: string, extra: string[] = []) =>
      runSipp(dir, name, xml, { port, remote: `127.0.0.1:${kamailio.port}`, ext: '2001', extra });
    const registered = await (
      await sipp('register-3', registerScenario(), ['-au', '2001', '-ap', 'ext-pw-2001'])
    ).done;
    expect(registered.code, registered.output).toBe(0);
    const answering = await sipp('answer-3', uasScenario({ kind: 'answer' }));
    stops.push(answering.stop);
    await new Promise((r) => setTimeout(r, 300));
    const call = teams.callFromTeams('+4930111', '2001', host);
    await until(() => call.status !== undefined, 10_000);
    expect(call.status).toBe(200);
    expect(call.dialog).toBeDefined();
    await stopEdgeRole(edge!, role.calls);
    edge = undefined;
    expect(await until(() => call.dialog === undefined, 3000)).toBe(true); // Microsoft got our BYE
    expect((await answering.done).code).toBe(0);
  });
});
