import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsPki, type TeamsPki } from '../../test/sip/support/teams-pki.js';
import { staticDirectory } from '../emulator/teams-sip/teams-directory.js';
import { TeamsSipEmulator } from '../emulator/teams-sip/teams-sip.emulator.js';
import type { Dialog } from '../sip/dialog/dialog.js';
import { tagOf } from '../sip/dialog/dialog.js';
import type { IncomingCall } from '../sip/dialog/incoming-call.js';
import { Registry } from 'prom-client';
import { registerEdgeMetrics } from './edge.metrics.js';
import { SignallingRanges, type EdgeSettings } from './edge.config.js';
import { TeamsEdge, type EdgeRouteLookup } from './teams-edge.js';

let pki: TeamsPki;
const stops: (() => Promise<void> | void)[] = [];
beforeAll(async () => void (pki = await createTeamsPki()));
afterAll(() => pki.remove());
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

const ADELE = { tenantId: 't1', userId: 'u1', displayName: 'Adele Vance', number: '+4930111' };
const SDP = Buffer.from(
  'v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 4000 RTP/SAVP 0 8\r\n',
);
const PROXIES = ['sip', 'sip2', 'sip3'].map((n) => ({ host: `${n}.pstnhub.microsoft.com`, port: 5061 }));

async function until(check: () => boolean, ms = 3000): Promise<void> {
  for (const end = Date.now() + ms; !check() && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 20));
}

/** Three emulated Microsoft proxies and our edge, all on loopback over mutual TLS. */
async function setup(extra: Partial<EdgeSettings> = {}, cert = pki.sbc, t1 = 500) {
  const box: { edge?: TeamsEdge } = {};
  const proxies: TeamsSipEmulator[] = [];
  for (let i = 0; i < 3; i++) {
    const proxy = await TeamsSipEmulator.start({
      host: '127.0.0.1',
      ...pki.microsoft,
      caFile: pki.caFile,
      directory: staticDirectory({ 'contoso.sbc.test': 't1' }, [ADELE]),
      sbcTarget: () => ({ protocol: 'tls', address: '127.0.0.1', port: box.edge!.port }),
    });
    proxies.push(proxy);
    stops.push(() => proxy.stop());
  }
  const refused: string[] = [];
  const healthEvents: string[] = [];
  const calls: IncomingCall[] = [];
  const routed: string[] = [];
  const routes: Record<string, EdgeRouteLookup> = {
    'contoso.sbc.test|+4930999': { kind: 'found', accountId: 'a1', serviceId: 's1', userId: 'cb-user-1' },
  };
  const edge = (box.edge = await TeamsEdge.start({
    settings: {
      baseDomain: 'sbc.test',
      host: '127.0.0.1',
      signallingPort: 0,
      ...cert,
      caFile: pki.caFile,
      proxies: PROXIES,
      ranges: new SignallingRanges(['127.0.0.0/8']),
      sbcHeader: 'Callbridge/Edge/0.1.0',
      optionsIntervalMs: 0,
      failoverAfterMs: 1500,
      ...extra,
    },
    route: (host, number) =>
      Promise.resolve(
        routes[`${host}|${number}`] ??
          (host === 'contoso.sbc.test' ? { kind: 'unknown-number' } : { kind: 'unknown-host' }),
      ),
    timers: { t1 },
    customerFqdns: () => Promise.resolve(['contoso.sbc.test', 'Fabrikam.SBC.test', 'elsewhere.example']),
    onCall: (call, route) => {
      calls.push(call);
      routed.push(route.userId);
    },
    onRefused: (event) => refused.push(`${event.reason} ${event.detail}`),
    onHealthChanged: (event) =>
      healthEvents.push(`${event.proxy} ${event.healthy ? 'healthy' : 'unhealthy'}`),
    resolveProxy: (proxy) =>
      Promise.resolve({
        protocol: 'tls',
        address: '127.0.0.1',
        port: proxies[PROXIES.findIndex((p) => p.host === proxy.host)]!.port,
        serverName: proxy.host,
      }),
  }));
  stops.push(() => edge.stop());
  return { edge, proxies, refused, calls, routed, healthEvents };
}

describe('TeamsEdge: OPTIONS and health', () => {
  it('pings each proxy from the base FQDN with X-MS-SBC, answers their probes 200: healthy both ways', async () => {
    const { edge, proxies } = await setup();
    await edge.pingAll();
    expect(edge.health.list().map((p) => [p.proxy, p.healthy, p.lastStatus])).toEqual(
      PROXIES.map((p) => [p.host, true, 200]),
    );
    expect(edge.health.list()[0]!.roundTripMs).toBeGreaterThan(0);
    await until(() => proxies.every((p) => p.health.isHealthy('sbc.test')));
    expect(proxies.map((p) => p.health.isHealthy('sbc.test'))).toEqual([true, true, true]);
    expect(edge.counters.optionsAnswered).toBe(3);
    const registry = new Registry();
    registerEdgeMetrics(registry, edge);
    const text = await registry.metrics();
    expect(text).toContain('callbridge_teams_proxy_healthy{proxy="sip2.pstnhub.microsoft.com"} 1');
    expect(text).toMatch(/callbridge_teams_certificate_days_left (89|90)\n/);
    expect(edge.transport.connectionCount).toBe(3); // one per proxy, reused by the probe back
    await edge.pingAll();
    expect(edge.transport.connectionCount).toBe(3);
  });

  it('a proxy that stops answering turns unhealthy with the failure counted', async () => {
    const { edge, proxies, healthEvents } = await setup({}, pki.sbc, 50); // Timer F = 64*T1 = 3.2 s
    await edge.pingAll();
    await edge.pingAll(); // no change: no event
    expect(healthEvents).toEqual(PROXIES.map((p) => `${p.host} healthy`));
    proxies[1]!.faults.dropOptions = true;
    const ping = edge.pingAll();
    await ping;
    const sip2 = edge.health.list()[1]!;
    expect([sip2.healthy, sip2.lastStatus, sip2.consecutiveFailures]).toEqual([false, 0, 1]);
    expect(sip2.lastError).toMatch(/did not answer within 3.2 s/);
    expect(healthEvents.slice(3)).toEqual(['sip2.pstnhub.microsoft.com unhealthy']); // the alert's event
  });

  it('with a certificate that does not cover the base domain, every proxy answers 403 and the health says why', async () => {
    const { edge } = await setup({}, pki.stranger);
    await edge.pingAll();
    const sip = edge.health.list()[0]!;
    expect([sip.healthy, sip.lastStatus]).toEqual([false, 403]);
    expect(sip.lastError).toContain('not in the SBC certificate');
  });
});

describe('TeamsEdge: calls toward Teams, carrier model and failover', () => {
  it('presents the customer subdomain in Contact and From, +E.164 with user=phone; the emulator rings Adele', async () => {
    const { edge, proxies } = await setup();
    const result = await edge.callTeams({
      customerFqdn: 'contoso.sbc.test',
      from: '+4930999',
      to: ADELE.number,
      sdp: SDP,
    });
    expect(result.outcome.kind).toBe('answered');
    expect(result.proxy).toBe('sip.pstnhub.microsoft.com');
    const invite = proxies[0]!.calls[0]!.incoming!.request;
    expect(invite.uri).toBe('sip:+4930111@sip.pstnhub.microsoft.com:5061;user=phone;transport=tls');
    expect(invite.headers.get('Contact')).toBe(`<sip:contoso.sbc.test:${edge.port};transport=tls>`);
    expect(invite.headers.get('From')).toMatch(/^<sip:\+4930999@contoso\.sbc\.test:\d+;user=phone>;tag=/);
    expect(invite.headers.get('X-MS-SBC')).toBe('Callbridge/Edge/0.1.0');
  });

  it('503 + Retry-After from sip and sip2 moves the call to sip3', async () => {
    const { edge, proxies } = await setup();
    proxies[0]!.faults.inviteStatuses.push(503);
    proxies[1]!.faults.inviteStatuses.push(503);
    const result = await edge.callTeams({
      customerFqdn: 'contoso.sbc.test',
      from: '+4930999',
      to: ADELE.number,
      sdp: SDP,
    });
    expect(result.attempts).toEqual([
      { proxy: 'sip.pstnhub.microsoft.com', result: '503' },
      { proxy: 'sip2.pstnhub.microsoft.com', result: '503' },
      { proxy: 'sip3.pstnhub.microsoft.com', result: '200' },
    ]);
    expect(edge.counters.failovers).toBe(2);
  });

  it('silence from sip (no 100) moves the call to sip2 after the failover delay', async () => {
    const { edge, proxies } = await setup({ failoverAfterMs: 400 });
    proxies[0]!.faults.silentInvites = 1;
    const result = await edge.callTeams({
      customerFqdn: 'contoso.sbc.test',
      from: '+4930999',
      to: ADELE.number,
      sdp: SDP,
    });
    expect(result.attempts.map((a) => a.result)).toEqual(['no answer', '200']);
    expect(result.proxy).toBe('sip2.pstnhub.microsoft.com');
  });

  it('603 (declined) is final: sip2 and sip3 never see the call', async () => {
    const { edge, proxies } = await setup();
    proxies[0]!.setBehaviour(ADELE.number, { outcome: 'decline' });
    const result = await edge.callTeams({
      customerFqdn: 'contoso.sbc.test',
      from: '+4930999',
      to: ADELE.number,
      sdp: SDP,
    });
    expect(result.attempts).toEqual([{ proxy: 'sip.pstnhub.microsoft.com', result: '603' }]);
    expect(proxies[1]!.calls.length + proxies[2]!.calls.length).toBe(0);
  });
});

describe('TeamsEdge: certificate renewal', () => {
  it('reloads a renewed certificate mid-call: the call keeps its connection and ends with BYE 200', async () => {
    const live = { certFile: join(pki.dir, 'edge-live.pem'), keyFile: join(pki.dir, 'edge-live.key') };
    await copyFile(pki.sbc.certFile, live.certFile);
    await copyFile(pki.sbc.keyFile, live.keyFile);
    const { edge, proxies } = await setup({}, live);
    const before = edge.certificate.daysLeft;
    const result = await edge.callTeams({
      customerFqdn: 'contoso.sbc.test',
      from: '+4930999',
      to: ADELE.number,
      sdp: SDP,
    });
    expect(result.outcome.kind).toBe('answered');
    await copyFile(pki.sbcRenewed.keyFile, live.keyFile);
    await copyFile(pki.sbcRenewed.certFile, live.certFile);
    await edge.transport.reload();
    expect([before, edge.certificate.daysLeft]).toEqual([89, 199]);
    const connections = edge.transport.connectionCount;
    expect(proxies[0]!.endpoint.dialogs.size).toBe(1);
    const dialog = result.outcome.kind === 'answered' ? result.outcome.dialog : undefined;
    const bye = await edge.endpoint.dialogs.bye(dialog!);
    expect(bye?.status).toBe(200);
    expect(edge.transport.connectionCount).toBe(connections);
    expect(proxies[0]!.endpoint.dialogs.size).toBe(0); // the emulator took the BYE on the old connection
  });
});

describe('TeamsEdge: calls from Teams', () => {
  it('finds the user by Request-URI host and calling number; unknown number or host gets 404, recorded', async () => {
    const { proxies, calls, refused } = await setup();
    const known = proxies[0]!.callFromTeams('+4930999', '+4930123', 'contoso.sbc.test');
    await until(() => calls.length === 1);
    expect(calls[0]!.request.uri).toBe('sip:+4930123@contoso.sbc.test:5061;user=phone;transport=tls');
    calls[0]!.reject(486);
    await until(() => known.status !== undefined);
    expect(known.status).toBe(486);
    const unknownNumber = proxies[0]!.callFromTeams('+4930888', '+4930123', 'contoso.sbc.test');
    const unknownHost = proxies[0]!.callFromTeams('+4930999', '+4930123', 'fabrikam.sbc.test');
    await until(() => unknownNumber.status !== undefined && unknownHost.status !== undefined);
    expect([unknownNumber.status, unknownHost.status]).toEqual([404, 404]);
    expect(refused.sort()).toEqual([
      'unknown-host +4930999@fabrikam.sbc.test',
      'unknown-number +4930888@contoso.sbc.test',
    ]);
  });

  it('refuses requests from outside Microsoft signalling ranges with 403', async () => {
    const { proxies, calls, edge } = await setup({
      ranges: new SignallingRanges(['52.112.0.0/14', '52.120.0.0/14']),
    });
    const call = proxies[0]!.callFromTeams(ADELE.number, '+4930999', 'contoso.sbc.test');
    await until(() => call.status !== undefined);
    expect(call.status).toBe(403);
    expect(calls).toEqual([]);
    expect(edge.counters.refusedSource).toBe(1);
  });
});

describe('TeamsEdge: per-customer OPTIONS', () => {
  it('are off by default: only the base FQDN pings, and the API has no customers', async () => {
    const { edge, proxies } = await setup();
    await edge.pingAll();
    await until(() => proxies[0]!.health.isHealthy('sbc.test'));
    expect(edge.customers.enabled).toBe(false);
    expect(edge.customers.list()).toEqual([]);
    expect(proxies[0]!.health.list().map((t) => t.fqdn)).toEqual(['sbc.test']);
  });

  it('when on, each customer subdomain pings every proxy from its own FQDN and each proxy counts it healthy', async () => {
    const { edge, proxies } = await setup({ customerOptions: true });
    await edge.pingAll();
    expect(
      edge.customers.list().map((c) => [c.fqdn, c.proxies.map((p) => `${p.healthy} ${p.lastStatus}`)]),
    ).toEqual([
      ['contoso.sbc.test', ['true 200', 'true 200', 'true 200']],
      ['fabrikam.sbc.test', ['true 200', 'true 200', 'true 200']],
    ]); // elsewhere.example is not under the base domain: never presented
    await until(() => proxies.every((p) => p.health.isHealthy('fabrikam.sbc.test')));
    for (const proxy of proxies)
      expect(
        proxy.health
          .list()
          .map((t) => `${t.fqdn} ${t.healthy}`)
          .sort(),
      ).toEqual(['contoso.sbc.test true', 'fabrikam.sbc.test true', 'sbc.test true']);
  });

  it("a customer's subdomain the certificate does not cover is refused by Microsoft with 403, shown per customer", async () => {
    const { edge } = await setup({ customerOptions: true, baseDomain: 'other.example' }, pki.stranger);
    // The certificate names sbc.other.example only: a sibling subdomain is not covered.
    edge.options.customerFqdns = () => Promise.resolve(['sbc.other.example', 'x.other.example']);
    await edge.pingAll();
    const [covered, refused] = edge.customers.list();
    expect(covered?.proxies.map((p) => p.lastStatus)).toEqual([200, 200, 200]);
    expect(refused?.fqdn).toBe('x.other.example');
    expect(refused?.proxies.map((p) => [p.healthy, p.lastStatus])).toEqual([
      [false, 403],
      [false, 403],
      [false, 403],
    ]);
    expect(refused?.proxies[0]?.lastError).toContain(
      'Contact FQDN x.other.example is not in the SBC certificate',
    );
  });
});

describe('TeamsEdge: INVITE with Replaces from Teams (RFC 3891)', () => {
  it("hands the new call to onCall with the replaced dialog and the replaced call's user; an unknown dialog gets 481", async () => {
    const { proxies, calls, routed } = await setup();
    const teams = proxies[0]!;
    const first = teams.callFromTeams('+4930999', '+4930111', 'contoso.sbc.test');
    await until(() => calls.length === 1);
    const dialog = await calls[0]!.accept({ body: SDP });
    await until(() => first.dialog !== undefined);

    const second = teams.replace(first.callId);
    await until(() => calls.length === 2);
    const replacing = calls[1]!;
    // Sent to our Contact of the first call (no number in it): the route comes from the replaced call.
    expect(replacing.request.uri).toMatch(/^sip:contoso\.sbc\.test:\d+;transport=tls$/);
    expect(replacing.request.headers.get('Replaces')).toBe(
      `${first.callId};to-tag=${dialog.localTag};from-tag=${dialog.remoteTag}`,
    );
    expect(replacing.replaces).toBe(dialog);
    expect(replacing.replacesEarly).toBeUndefined();
    expect(routed).toEqual(['cb-user-1', 'cb-user-1']);
    await replacing.accept({ body: SDP });
    await until(() => second.status !== undefined);
    expect(second.status).toBe(200);

    const stale = teams.callFromTeams('+4930999', '+4930111', 'contoso.sbc.test', {
      ...dialog,
      callId: 'no-such-call',
      localTag: dialog.remoteTag,
      remoteTag: dialog.localTag,
    });
    await until(() => stale.status !== undefined);
    expect(stale.status).toBe(481);
    expect(calls).toHaveLength(2); // never reached onCall
  });

  it('replaces an early dialog of our own call toward Teams: the new call carries that call, to be cancelled', async () => {
    const { edge, proxies, calls, routed } = await setup();
    const teams = proxies[0]!;
    teams.setBehaviour(ADELE.number, { outcome: 'ring', devices: 1, earlyMedia: false });
    const route = { kind: 'found', accountId: 'a1', serviceId: 's1', userId: 'cb-user-7' } as const;
    let rang = false;
    const placed = edge.callTeams({
      customerFqdn: 'contoso.sbc.test',
      from: '+4930999',
      to: ADELE.number,
      sdp: SDP,
      route,
      onProvisional: (response) => void (rang ||= response.status === 180),
    });
    await until(() => rang);
    const toTeams = teams.calls[0]!;
    const theirs = toTeams.incoming!.request;
    const replacing = teams.callFromTeams('+4930999', '+4930111', 'contoso.sbc.test', {
      callId: theirs.headers.get('Call-ID')!,
      localTag: `${toTeams.incoming!.localTag}-d0`, // the ringing device's To-tag
      remoteTag: tagOf(theirs.headers.get('From'))!,
      remoteTarget: 'sip:contoso.sbc.test:5061;transport=tls',
    } as Dialog);
    await until(() => calls.length === 1);
    expect(calls[0]!.replaces?.state).toBe('early');
    expect(calls[0]!.replacesEarly).toBeDefined();
    expect(routed).toEqual(['cb-user-7']); // the route given with our call toward Teams
    calls[0]!.replacesEarly!.cancel();
    const result = await placed;
    expect(result.outcome.kind === 'rejected' && result.outcome.response.status).toBe(487);
    calls[0]!.reject(486);
    await until(() => replacing.status !== undefined);
    expect(replacing.status).toBe(486);
  });
});
