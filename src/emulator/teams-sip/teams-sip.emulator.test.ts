import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsPki, type TeamsPki } from '../../../test/sip/support/teams-pki.js';
import { CallEndpoint } from '../../sip/dialog/call.endpoint.js';
import type { DialogEndReason } from '../../sip/dialog/endpoint.types.js';
import type { IncomingCall } from '../../sip/dialog/incoming-call.js';
import { SipHeaders } from '../../sip/message/sip-headers.js';
import { randomToken, type SipRequest } from '../../sip/message/sip-message.js';
import { TlsTransport } from '../../sip/transport/tls.transport.js';
import { CONTACT_FQDN_REASON, teamsOffer } from './microsoft-wire.js';
import { staticDirectory } from './teams-directory.js';
import { TeamsSipEmulator } from './teams-sip.emulator.js';
import { HEALTH_WINDOW_MS } from './trunk-health.js';

let pki: TeamsPki;
const stops: (() => Promise<void> | void)[] = [];
beforeAll(async () => void (pki = await createTeamsPki()));
afterAll(() => pki.remove());
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

const ADELE = { tenantId: 't1', userId: 'u1', displayName: 'Adele Vance', number: '+4930111' };
const SDP = Buffer.from(
  'v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n',
);

async function setup() {
  const sbcBox: { endpoint?: CallEndpoint } = {};
  const sbcTransport = await TlsTransport.open({
    host: '127.0.0.1',
    listenPort: 0,
    ...pki.sbc,
    caFile: pki.caFile,
    onMessage: (inbound) => sbcBox.endpoint?.receive(inbound),
  });
  const incoming: IncomingCall[] = [];
  const ended: DialogEndReason[] = [];
  const sbc = (sbcBox.endpoint = new CallEndpoint({
    transport: sbcTransport,
    contact: (_p, request) =>
      `sip:${request?.headers.get('X-Contact-Host') ?? 'contoso.sbc.test'}:5061;transport=tls`,
    onInvite: (call) => incoming.push(call),
    onDialogEnded: (_d, reason) => ended.push(reason),
  }));
  const teams = await TeamsSipEmulator.start({
    host: '127.0.0.1',
    ...pki.microsoft,
    caFile: pki.caFile,
    directory: staticDirectory({ 'contoso.sbc.test': 't1' }, [ADELE]),
    sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: sbcTransport.local().port }),
  });
  stops.push(
    () => sbcTransport.close(),
    () => teams.stop(),
  );
  const hop = {
    target: {
      protocol: 'tls' as const,
      address: '127.0.0.1',
      port: teams.port,
      serverName: 'sip.pstnhub.microsoft.com',
    },
  };
  return { sbc, sbcTransport, teams, hop, incoming, ended };
}

function request(method: string, uri: string, contactHost: string, body = Buffer.alloc(0)): SipRequest {
  const headers = new SipHeaders()
    .append('From', `<sip:+4930999@${contactHost};user=phone>;tag=${randomToken(8)}`)
    .append('To', `<${uri}>`)
    .append('Call-ID', randomToken(16))
    .append('CSeq', `1 ${method}`)
    .append('Contact', `<sip:${contactHost}:5061;transport=tls>`);
  if (body.length > 0) headers.append('Content-Type', 'application/sdp');
  return { kind: 'request', method, uri, headers, body };
}

const teamsUri = (number: string) => `sip:${number}@sip.pstnhub.microsoft.com:5061;user=phone;transport=tls`;

describe('TeamsSipEmulator: OPTIONS and the Contact-FQDN check', () => {
  it('answers our OPTIONS 200 in upper case with its Server string, probes back, and counts us healthy for 3 minutes', async () => {
    const { teams } = await setup();
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: teams.port,
        servername: 'sip.pstnhub.microsoft.com',
        ca: readFileSync(pki.caFile),
        cert: readFileSync(pki.sbc.certFile),
        key: readFileSync(pki.sbc.keyFile),
      });
      let text = '';
      socket.on('data', (d: Buffer) => {
        text += d.toString();
        const at = text.indexOf('SIP/2.0 200 OK');
        if (at >= 0 && text.indexOf('\r\n\r\n', at) > 0) {
          resolve(text.slice(at)); // the proxy's own OPTIONS may come first on the same connection
          setTimeout(() => socket.destroy(), 300);
        }
      });
      socket.on('secureConnect', () =>
        socket.write(
          [
            'OPTIONS sip:sip.pstnhub.microsoft.com:5061;transport=tls SIP/2.0',
            'Via: SIP/2.0/TLS sbc.test:5061;branch=z9hG4bKprobe1',
            'From: <sip:sbc.test:5061;transport=tls>;tag=1',
            'To: <sip:sip.pstnhub.microsoft.com:5061>',
            'Call-ID: raw-1',
            'CSeq: 1 OPTIONS',
            'Max-Forwards: 70',
            'Contact: <sip:sbc.test:5061;transport=tls>',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
        ),
      );
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(raw).toContain('\r\nALLOW: INVITE,ACK,OPTIONS,CANCEL,BYE,NOTIFY\r\n');
    expect(raw).toContain('\r\nSERVER: Microsoft.PSTNHub.SIPProxy v.2020.7.31.1 i.USWE2.3\r\n');
    expect(raw).toContain('\r\nCSEQ: 1 OPTIONS\r\n');
    expect(teams.health.get('sbc.test')?.lastOptionsAt).toBeDefined();
  });

  it('with our endpoint: the probe back is answered 200, so the trunk is healthy, and unhealthy 3 minutes later', async () => {
    const { sbc, teams, hop } = await setup();
    const response = await sbc.request(
      request('OPTIONS', 'sip:sip.pstnhub.microsoft.com:5061;transport=tls', 'sbc.test'),
      hop,
    );
    expect(response.status).toBe(200);
    for (let i = 0; i < 40 && teams.health.get('sbc.test')?.lastProbeStatus !== 200; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(teams.health.isHealthy('sbc.test')).toBe(true);
    const last = teams.health.get('sbc.test')!.lastOptionsAt!;
    expect(teams.health.isHealthy('sbc.test', last + HEALTH_WINDOW_MS)).toBe(true);
    expect(teams.health.isHealthy('sbc.test', last + HEALTH_WINDOW_MS + 1)).toBe(false);
  });

  it('refuses a Contact the certificate does not cover, and an IP Contact, with 403 and the reason', async () => {
    const { sbc, hop } = await setup();
    const mismatch = await sbc.request(
      request('OPTIONS', 'sip:sip.pstnhub.microsoft.com', 'sbc.other.example'),
      hop,
    );
    expect([mismatch.status, mismatch.reason]).toEqual([403, CONTACT_FQDN_REASON]);
    expect(mismatch.headers.get('Warning')).toContain('not in the SBC certificate');
    const ip = await sbc.request(request('OPTIONS', 'sip:sip.pstnhub.microsoft.com', '192.0.2.7'), hop);
    expect(ip.status).toBe(403);
    expect(ip.headers.get('Warning')).toContain('IP address');
  });
});

describe('TeamsSipEmulator: calls toward Teams', () => {
  it('forks: 100, one 180 per device, one 183 with SDP, then 200 from another device', async () => {
    const { sbc, hop } = await setup();
    const call = sbc.invite(request('INVITE', teamsUri(ADELE.number), 'contoso.sbc.test', SDP), hop);
    const seen: string[] = [];
    call.onProvisional = (r, d) =>
      seen.push(`${r.status}${d ? ` ${d.remoteTag.slice(-2)}` : ''}${r.body.length > 0 ? ' sdp' : ''}`);
    const outcome = await call.outcome;
    expect(seen).toEqual(['100', '180 d0', '180 d1', '183 d0 sdp']);
    expect(outcome.kind === 'answered' && outcome.dialog.remoteTag.slice(-2)).toBe('d1');
    expect(outcome.kind === 'answered' && outcome.response.body.toString()).toContain('RTP/SAVP');
  });

  it('refuses what Microsoft refuses: no SDP, sendonly, Replaces, the base domain as Contact, an unknown number, UPDATE', async () => {
    const { sbc, hop } = await setup();
    const status = async (req: SipRequest) => {
      const outcome = await sbc.invite(req, hop).outcome;
      return outcome.kind === 'rejected' ? outcome.response.status : outcome.kind;
    };
    expect(await status(request('INVITE', teamsUri(ADELE.number), 'contoso.sbc.test'))).toBe(488);
    const sendonly = Buffer.concat([SDP, Buffer.from('a=sendonly\r\n')]);
    expect(await status(request('INVITE', teamsUri(ADELE.number), 'contoso.sbc.test', sendonly))).toBe(488);
    const replaces = request('INVITE', teamsUri(ADELE.number), 'contoso.sbc.test', SDP);
    replaces.headers.append('Replaces', 'abc;to-tag=1;from-tag=2');
    expect(await status(replaces)).toBe(403);
    expect(await status(request('INVITE', teamsUri(ADELE.number), 'sbc.test', SDP))).toBe(403);
    expect(await status(request('INVITE', teamsUri('+4930555'), 'contoso.sbc.test', SDP))).toBe(404);
    const update = await sbc.request(request('UPDATE', teamsUri(ADELE.number), 'contoso.sbc.test'), hop);
    expect([update.status, update.headers.get('Allow')]).toEqual([
      405,
      'INVITE,ACK,OPTIONS,CANCEL,BYE,NOTIFY',
    ]);
  });

  it('declines 603, busy 486, unavailable 480, and an injected 503 carries Retry-After', async () => {
    const { sbc, hop, teams } = await setup();
    const status = async () => {
      const outcome = await sbc.invite(
        request('INVITE', teamsUri(ADELE.number), 'contoso.sbc.test', SDP),
        hop,
      ).outcome;
      return outcome.kind === 'rejected'
        ? [outcome.response.status, outcome.response.headers.get('Retry-After')]
        : [outcome.kind];
    };
    for (const [outcome, code] of [
      ['decline', 603],
      ['busy', 486],
      ['unavailable', 480],
    ] as const) {
      teams.setBehaviour(ADELE.number, { outcome });
      expect((await status())[0]).toBe(code);
    }
    teams.faults.inviteStatuses.push(503);
    teams.faults.retryAfterSeconds = 7;
    expect(await status()).toEqual([503, '7']);
  });

  it('a CANCEL while the Teams devices ring ends the INVITE with 487', async () => {
    const { sbc, hop, teams } = await setup();
    teams.setBehaviour(ADELE.number, { outcome: 'ring' });
    const call = sbc.invite(request('INVITE', teamsUri(ADELE.number), 'contoso.sbc.test', SDP), hop);
    call.onProvisional = (r) => r.status === 183 && call.cancel();
    const outcome = await call.outcome;
    expect(outcome.kind === 'rejected' && outcome.response.status).toBe(487);
  });
});

describe('TeamsSipEmulator: control API, calls from Teams', () => {
  it('a Teams user calls a number: INVITE to the customer subdomain with +E.164 and user=phone, SDES offer; hang up sends BYE', async () => {
    const { teams, incoming, ended } = await setup();
    const call = teams.callFromTeams(ADELE.number, '+4930999', 'contoso.sbc.test');
    for (let i = 0; i < 40 && incoming.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    const invite = incoming[0]!.request;
    expect(invite.uri).toBe('sip:+4930999@contoso.sbc.test:5061;user=phone;transport=tls');
    expect(invite.headers.get('From')).toMatch(
      /^<sip:\+4930111@sip\.pstnhub\.microsoft\.com:5061;user=phone>;tag=/,
    );
    expect(invite.headers.get('Session-Expires')).toBe('3600');
    expect(invite.headers.get('User-Agent')).toBe('Microsoft.PSTNHub.SIPProxy v.2024.2.6.5 i.USEA.5');
    expect(invite.body.toString()).toBe(teamsOffer('127.0.0.1', 40_000).toString());
    await incoming[0]!.accept({ body: SDP });
    expect(call.status).toBe(200);
    await teams.hangUp(call.callId);
    for (let i = 0; i < 40 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(ended).toEqual(['remote-bye']);
  });

  it('hold: a re-INVITE with a=inactive, answered 200 by the SBC', async () => {
    const { teams, incoming, sbc } = await setup();
    const offers: string[] = [];
    sbc.options.onReinvite = (_dialog, request) => {
      offers.push(request.body.toString());
      return { status: 200, body: SDP };
    };
    const call = teams.callFromTeams(ADELE.number, '+4930999', 'contoso.sbc.test');
    for (let i = 0; i < 40 && incoming.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await incoming[0]!.accept({ body: SDP });
    expect(await teams.hold(call.callId)).toBe(200);
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatch(/\r\na=inactive\r\n/);
  });
});

describe('TeamsSipEmulator: transfer', () => {
  it('transfers internally when the SBC leaves REFER out of Allow, else sends the captured REFER shape on its own connection', async () => {
    const { sbc, hop, teams } = await setup();
    const plain = await sbc.invite(request('INVITE', teamsUri(ADELE.number), 'contoso.sbc.test', SDP), hop)
      .outcome;
    expect(plain.kind).toBe('answered');
    const acked = async (i: number) => {
      for (let n = 0; n < 40 && !teams.calls[i]!.dialog; n++) await new Promise((r) => setTimeout(r, 25));
    };
    await acked(0); // the emulator's dialog is confirmed by our ACK
    expect(await teams.transfer(teams.calls[0]!.callId, 'dfcba638-4ecd-4382-8095-6160fb18aa16')).toBe(
      'internal',
    );

    const refers: { request: SipRequest; flow: string | undefined }[] = [];
    sbc.options.onDialogRequest = (_dialog, req, source) => {
      refers.push({ request: req, flow: source.flow });
      return sbc.respond(req, 202);
    };
    const withRefer = request('INVITE', teamsUri(ADELE.number), 'contoso.sbc.test', SDP);
    withRefer.headers.append('Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER');
    const answered = await sbc.invite(withRefer, hop).outcome;
    if (answered.kind !== 'answered') throw new Error('not answered');
    const flowBefore = answered.dialog.flow?.flow;
    await acked(1);
    expect(await teams.transfer(teams.calls[1]!.callId, 'dfcba638-4ecd-4382-8095-6160fb18aa16')).toBe(202);
    const refer = refers[0]!.request;
    expect(refer.headers.get('Refer-To')).toBe(
      '<sip:sip.pstnhub.microsoft.com:5061;transport=tls;x-m=8:orgid:dfcba638-4ecd-4382-8095-6160fb18aa16>',
    );
    expect(refer.headers.get('Referred-By')).toMatch(
      /^<sip:sip\.pstnhub\.microsoft\.com:5061;x-m=8:orgid:\w+;x-t=.+;x-ti=.+;x-tt=.+%3D>$/,
    );
    expect(refers[0]!.flow).not.toBe(flowBefore); // on a connection Microsoft opened itself
    expect(answered.dialog.flow?.flow).toBe(refers[0]!.flow); // and the dialog follows it
  });
});
