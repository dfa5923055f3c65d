import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ThrowawayCa, type PemPair } from '../../emulator/teams-sip/throwaway-pki.js';
import { CallEndpoint } from '../dialog/call.endpoint.js';
import { SipHeaders } from '../message/sip-headers.js';
import { randomToken, type SipRequest } from '../message/sip-message.js';
import { nameCovers } from './tls.credentials.js';
import { TlsTransport, type TlsTransportOptions } from './tls.transport.js';

let dir: string;
let ca: ThrowawayCa;
let microsoft: PemPair;
let sbc: PemPair;
let sbcRenewed: PemPair;
const stops: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'callbridge-tls-'));
  ca = await ThrowawayCa.create(dir);
  microsoft = await ca.issue('microsoft', {
    dnsNames: ['sip.pstnhub.microsoft.com', 'sip2.pstnhub.microsoft.com', 'sip3.pstnhub.microsoft.com'],
  });
  sbc = await ca.issue('sbc', { dnsNames: ['sbc.test', '*.sbc.test'], days: 30 });
  sbcRenewed = await ca.issue('sbc-renewed', { dnsNames: ['sbc.test', '*.sbc.test'], days: 90 });
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

/** A TLS transport with a call endpoint on it (OPTIONS answered 200 by default). */
async function station(pem: PemPair, listen: boolean, extra: Partial<TlsTransportOptions> = {}) {
  const box: { endpoint?: CallEndpoint } = {};
  const transport = await TlsTransport.open({
    host: '127.0.0.1',
    listenPort: listen ? 0 : undefined,
    ...pem,
    caFile: ca.ca.certFile,
    onMessage: (inbound) => box.endpoint?.receive(inbound),
    ...extra,
  });
  const endpoint = (box.endpoint = new CallEndpoint({
    transport,
    contact: () => `sip:${pem === microsoft ? 'sip.pstnhub.microsoft.com' : 'sbc.test'}:5061;transport=tls`,
  }));
  stops.push(() => transport.close());
  return { transport, endpoint };
}

function options(to: string): SipRequest {
  const headers = new SipHeaders()
    .append('From', `<sip:sbc.test:5061;transport=tls>;tag=${randomToken(8)}`)
    .append('To', `<${to}>`)
    .append('Call-ID', randomToken(16))
    .append('CSeq', '1 OPTIONS');
  return { kind: 'request', method: 'OPTIONS', uri: to, headers, body: Buffer.alloc(0) };
}

function rawConnect(port: number, extra: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'sip.pstnhub.microsoft.com', ...extra });
    socket.once('secureConnect', () => {
      // TLS 1.3 reports a refused client certificate only after the handshake: wait for the alert.
      socket.once('data', () => undefined);
      setTimeout(() => {
        resolve(socket.destroyed ? 'closed' : `connected ${socket.getProtocol()}`);
        socket.destroy();
      }, 300);
    });
    socket.once('error', (error) => resolve(`error ${error.message}`));
  });
}

describe('TlsTransport: mutual TLS toward Microsoft', () => {
  it('OPTIONS both ways over one connection: the proxy answers and asks back on the connection we opened', async () => {
    const proxy = await station(microsoft, true);
    const edge = await station(sbc, false);
    const port = proxy.transport.local().port;
    const target = {
      protocol: 'tls' as const,
      address: '127.0.0.1',
      port,
      serverName: 'sip.pstnhub.microsoft.com',
    };
    const ours = await edge.endpoint.request(options('sip:sip.pstnhub.microsoft.com:5061;transport=tls'), {
      target,
    });
    expect(ours.status).toBe(200);
    const [flow] = proxy.transport.flows();
    expect(proxy.transport.peerNames(flow!)).toEqual(['sbc.test', '*.sbc.test']);
    expect(proxy.transport.protocolOf(flow!)).toMatch(/^TLSv1\.[23]$/);
    const source = { protocol: 'tls' as const, address: '127.0.0.1', port: 1, flow: flow! };
    const theirs = await proxy.endpoint.request(options('sip:sbc.test:5061;transport=tls'), {
      target: { protocol: 'tls', address: '127.0.0.1', port: 1 },
      flow: source,
    });
    expect(theirs.status).toBe(200);
    expect(edge.transport.connectionCount).toBe(1);
    expect(proxy.transport.connectionCount).toBe(1);
  });

  it('refuses a client without a certificate, and TLS 1.1 even with one; TLS 1.2 with one gets in', async () => {
    const proxy = await station(microsoft, true);
    const port = proxy.transport.local().port;
    const caPem = readFileSync(ca.ca.certFile);
    const client = { ca: caPem, cert: readFileSync(sbc.certFile), key: readFileSync(sbc.keyFile) };
    expect(await rawConnect(port, { ca: caPem })).toMatch(/^(closed|error .*certificate)/);
    const old = await rawConnect(port, {
      ...client,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    expect(old).toMatch(/alert protocol version/); // the server's alert: it refused 1.1
    expect(await rawConnect(port, { ...client, maxVersion: 'TLSv1.2' })).toBe('connected TLSv1.2');
  });

  it('checks the proxy certificate against the name it connects to (SNI)', async () => {
    const proxy = await station(microsoft, true);
    const edge = await station(sbc, false);
    const port = proxy.transport.local().port;
    const error = await edge.endpoint
      .request(options('sip:sip.example.org'), {
        target: { protocol: 'tls', address: '127.0.0.1', port, serverName: 'sip.example.org' },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'sip_transport_failed' });
    expect(String((error as Error).message)).toMatch(/sip\.example\.org/);
  });

  it('reloads a renewed certificate without dropping the open connection; new connections get the new one', async () => {
    const live = { certFile: join(dir, 'live.pem'), keyFile: join(dir, 'live.key') };
    await copyFile(sbc.certFile, live.certFile);
    await copyFile(sbc.keyFile, live.keyFile);
    const edge = await station(live, true, { watchIntervalMs: 50 });
    expect(edge.transport.certificate.daysLeft).toBeGreaterThanOrEqual(29);
    expect(edge.transport.certificate.daysLeft).toBeLessThanOrEqual(30);
    const proxy = await station(microsoft, false);
    const target = {
      protocol: 'tls' as const,
      address: '127.0.0.1',
      port: edge.transport.local().port,
      serverName: 'sbc.test',
    };
    expect((await proxy.endpoint.request(options('sip:sbc.test'), { target })).status).toBe(200);
    await copyFile(sbcRenewed.keyFile, live.keyFile);
    await copyFile(sbcRenewed.certFile, live.certFile);
    const deadline = Date.now() + 5_000;
    while (edge.transport.certificate.daysLeft < 80 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(edge.transport.certificate.daysLeft).toBeGreaterThanOrEqual(89);
    // The open connection carries on (same connection: the proxy opened no second one).
    expect((await proxy.endpoint.request(options('sip:sbc.test'), { target })).status).toBe(200);
    expect(proxy.transport.connectionCount).toBe(1);
    // A new connection sees the renewed certificate.
    const fingerprint = await new Promise<string>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port: target.port,
        servername: 'sbc.test',
        ca: readFileSync(ca.ca.certFile),
        cert: readFileSync(microsoft.certFile),
        key: readFileSync(microsoft.keyFile),
      });
      socket.once('secureConnect', () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(fingerprint).toBe(edge.transport.certificate.fingerprint256);
  });

  it('wildcards cover exactly one label (RFC 6125)', () => {
    expect(nameCovers('*.sbc.test', 'contoso.sbc.test')).toBe(true);
    expect(nameCovers('*.sbc.test', 'sbc.test')).toBe(false);
    expect(nameCovers('*.sbc.test', 'a.contoso.sbc.test')).toBe(false);
    expect(nameCovers('sbc.test', 'SBC.test')).toBe(true);
  });
});
