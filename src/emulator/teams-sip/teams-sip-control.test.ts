import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallEndpoint } from '../../sip/dialog/call.endpoint.js';
import type { DialogEndReason } from '../../sip/dialog/endpoint.types.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import { SipHeaders } from '../../sip/message/sip-headers.js';
import { randomToken, type SipRequest } from '../../sip/message/sip-message.js';
import { TlsTransport } from '../../sip/transport/tls.transport.js';
import { DEMO_TENANT_ID, demoSeed, demoUserId } from '../demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../emulator.server.js';
import { teamsSipControlRoutes } from './teams-sip-control.routes.js';
import { pointVoiceRoutesAt, startDemoTeamsSip, type DemoTeamsSip } from './teams-sip.demo.js';

const SDP = Buffer.from(
  'v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0 8\r\n',
);
const GATEWAY = 'contoso.sbc.test';
const ALICE = '+442079460001'; // demo user 1: Teams Phone, with number, policy "Callbridge"
const BEN = '+442079460002'; // demo user 2

let dir: string;
let graph: RunningEmulator;
let teams: DemoTeamsSip;
let sbcTransport: TlsTransport;
let sbc: CallEndpoint;
const incoming: IncomingCall[] = [];
const ended: DialogEndReason[] = [];
const reinvites: string[] = [];
const refers: SipRequest[] = [];

/** The control API's answers, loosely: a call view, a list of them, or Microsoft's error shape. */
type Answer = Record<string, unknown> & {
  callId: string;
  state: string;
  value: { callId: string; direction: string; state: string }[];
  error: { message: string };
};

/** One request of the control API, as a script or the CLI sends it. */
async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${graph.url}/_emulator/teams-sip${path}`, {
    method,
    ...(body !== undefined && {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

async function until(check: () => boolean | Promise<boolean>, ms = 4000): Promise<void> {
  for (const end = Date.now() + ms; !(await check()) && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 25));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-teams-control-'));
  const holder: { teams?: DemoTeamsSip } = {};
  graph = await startEmulator({
    seed: demoSeed(),
    routes: teamsSipControlRoutes(() => holder.teams?.emulator),
  });
  teams = holder.teams = await startDemoTeamsSip({ pkiDir: dir, sbcDomain: 'sbc.test', state: graph.state });
  pointVoiceRoutesAt(graph.state, DEMO_TENANT_ID, GATEWAY);
  const box: { sbc?: CallEndpoint } = {};
  sbcTransport = await TlsTransport.open({
    host: '127.0.0.1',
    listenPort: 0,
    ...teams.pki.sbc,
    caFile: teams.pki.caFile,
    onMessage: (inbound) => box.sbc?.receive(inbound),
  });
  sbc = box.sbc = new CallEndpoint({
    transport: sbcTransport,
    allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER',
    contact: () => `sip:${GATEWAY}:5061;transport=tls`,
    onInvite: (call) => {
      incoming.push(call);
      void call.accept({ body: SDP, headers: { Allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER' } });
    },
    onReinvite: (_dialog, request) => (reinvites.push(request.body.toString()), { status: 200, body: SDP }),
    onDialogRequest: (_dialog, request) => (refers.push(request), sbc.respond(request, 202)),
    onDialogEnded: (_dialog, reason) => ended.push(reason),
  });
  teams.attachSbc(sbcTransport.local().port);
});
afterAll(async () => {
  sbc.stop();
  await sbcTransport.close();
  await teams.close();
  await graph.close();
  await rm(dir, { recursive: true, force: true });
});

const idOf = (call: { request: SipRequest }) => call.request.headers.get('Call-ID')!;

/** Our SBC's INVITE toward a Teams user, from the customer's subdomain. */
function inviteToTeams(number: string) {
  const headers = new SipHeaders()
    .append('From', `<sip:+441234500001@${GATEWAY};user=phone>;tag=${randomToken(8)}`)
    .append('To', `<sip:${number}@sip.pstnhub.microsoft.com;user=phone>`)
    .append('Call-ID', randomToken(16))
    .append('CSeq', '1 INVITE')
    .append('Contact', `<sip:${GATEWAY}:5061;transport=tls>`)
    .append('Content-Type', 'application/sdp');
  const uri = `sip:${number}@sip.pstnhub.microsoft.com:5061;user=phone;transport=tls`;
  const request: SipRequest = { kind: 'request', method: 'INVITE', uri, headers, body: SDP };
  return sbc.invite(request, {
    target: {
      protocol: 'tls',
      address: '127.0.0.1',
      port: teams.emulator.port,
      serverName: 'sip.pstnhub.microsoft.com',
    },
  });
}

describe('Teams SIP emulator control API over HTTP', () => {
  it('a Teams user calls a number through the SBC its voice route names; hold, resume, transfer (REFER), replace and hang up', async () => {
    const made = await control('POST', '/calls', { from: ALICE, to: '+441234500009' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      direction: 'from-teams',
      from: ALICE,
      sbcFqdn: GATEWAY,
      state: 'ringing',
    });
    const callId = made.body.callId;
    await until(async () => (await control('GET', `/calls/${callId}`)).body.state === 'established');
    expect(incoming[0]!.request.uri).toBe(`sip:+441234500009@${GATEWAY}:5061;user=phone;transport=tls`);

    expect((await control('POST', `/calls/${callId}/hold`)).body).toMatchObject({
      answer: 200,
      state: 'held',
    });
    expect(reinvites.at(-1)).toMatch(/\r\na=inactive\r\n/);
    expect((await control('POST', `/calls/${callId}/resume`)).body).toMatchObject({
      answer: 200,
      state: 'established',
    });
    expect(reinvites.at(-1)).not.toMatch(/a=inactive/);

    const transfer = await control('POST', `/calls/${callId}/transfer`, { target: BEN });
    expect(transfer.body).toMatchObject({ transfer: 'refer', answer: 202 });
    expect(refers[0]!.headers.get('Refer-To')).toBe(
      `<sip:sip.pstnhub.microsoft.com:5061;transport=tls;x-m=8:orgid:${demoUserId(2)}>`,
    );

    // Teams replaces the call (as a call queue does): a new INVITE naming this dialog in Replaces.
    const replaced = await control('POST', `/calls/${callId}/replace`);
    expect(replaced.status).toBe(201);
    await until(() => incoming.length === 2);
    expect(incoming[1]!.request.headers.get('Replaces')).toMatch(
      new RegExp(`^${callId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};to-tag=[^;]+;from-tag=[^;]+$`),
    );
    await until(
      async () => (await control('GET', `/calls/${replaced.body.callId}`)).body.state === 'established',
    );
    await control('POST', `/calls/${replaced.body.callId}/hangup`);
    await until(() => ended.length > 0);
    ended.length = 0;

    await control('POST', `/calls/${callId}/hangup`);
    await until(() => ended.length > 0);
    expect(ended).toEqual(['remote-bye']);
    const listed = await control('GET', '/calls');
    expect(listed.body.value).toEqual([
      expect.objectContaining({ callId, state: 'ended', status: 200 }),
      expect.objectContaining({ callId: replaced.body.callId, state: 'ended', status: 200 }),
    ]);
  });

  it('answers and declines calls toward a Teams user whose clients wait for the control API', async () => {
    const behaviour = await control('PUT', `/users/${BEN}/behaviour`, { outcome: 'manual', devices: 1 });
    expect(behaviour.body).toMatchObject({ number: BEN, outcome: 'manual', devices: 1, earlyMedia: true });
    const answered = inviteToTeams(BEN);
    const declined = inviteToTeams(BEN);
    await until(async () => (await control('GET', '/calls')).body.value.length >= 3);
    const ringing = (await control('GET', '/calls')).body.value.filter(
      (c) => c.direction === 'to-teams' && c.state === 'ringing',
    );
    expect(ringing).toHaveLength(2);
    expect((await control('POST', `/calls/${idOf(answered)}/answer`)).status).toBe(202);
    expect((await control('POST', `/calls/${idOf(declined)}/decline`)).body.state).toBe('failed');
    const [a, d] = await Promise.all([answered.outcome, declined.outcome]);
    expect(a.kind).toBe('answered');
    expect(d.kind === 'rejected' && d.response.status).toBe(603);
    const again = await control('POST', `/calls/${idOf(declined)}/answer`);
    expect([again.status, again.body.error.message]).toEqual([
      409,
      expect.stringContaining('nothing to answer'),
    ]);
  });

  it('injects faults like the Graph emulator: a 503 with Retry-After for the next INVITE, then none', async () => {
    await control('PUT', `/users/${BEN}/behaviour`, { outcome: 'busy' });
    const set = await control('PUT', '/faults', { inviteStatuses: [503], retryAfterSeconds: 7 });
    expect(set.body).toMatchObject({ inviteStatuses: [503], retryAfterSeconds: 7, dropOptions: false });
    const first = await inviteToTeams(BEN).outcome;
    expect(
      first.kind === 'rejected' && [first.response.status, first.response.headers.get('Retry-After')],
    ).toEqual([503, '7']);
    const second = await inviteToTeams(BEN).outcome;
    expect(second.kind === 'rejected' && second.response.status).toBe(486);
    expect((await control('DELETE', '/faults')).body).toMatchObject({
      inviteStatuses: [],
      retryAfterSeconds: 5,
    });
  });

  it('says what is wrong: bad and unknown fields, unknown calls, numbers without a Teams user', async () => {
    const badStatus = await control('PUT', '/faults', { inviteStatuses: [200] });
    expect([badStatus.status, badStatus.body.error.message]).toEqual([
      400,
      expect.stringContaining('inviteStatuses'),
    ]);
    const unknownField = await control('POST', '/calls', { from: ALICE, to: '+441234500009', codec: 'opus' });
    expect([unknownField.status, unknownField.body.error.message]).toEqual([
      400,
      expect.stringContaining('codec'),
    ]);
    const notE164 = await control('POST', '/calls', { from: '02079460001', to: '+441234500009' });
    expect(notE164.body.error.message).toContain('+E.164');
    expect((await control('POST', '/calls/nope/hangup')).status).toBe(404);
    const nobody = await control('POST', '/calls', { from: '+442079469999', to: '+441234500009' });
    expect([nobody.status, nobody.body.error.message]).toEqual([
      409,
      'no Teams user has the number +442079469999',
    ]);
  });
});
