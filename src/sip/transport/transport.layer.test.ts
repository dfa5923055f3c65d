import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SipHeaders } from '../message/sip-headers.js';
import type { SipRequest } from '../message/sip-message.js';
import { SipStack } from '../stack/sip.stack.js';
import { StreamTransport } from './stream.transport.js';

const dir = mkdtempSync(join(tmpdir(), 'callbridge-sip-tls-'));
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=pbx.test',
    '-addext',
    'subjectAltName=DNS:pbx.test',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ],
  { stdio: 'ignore' },
);
const cert = readFileSync(join(dir, 'cert.pem'));
const key = readFileSync(join(dir, 'key.pem'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

function options(to: string): SipRequest {
  const headers = new SipHeaders()
    .append('From', '<sip:probe@client.test>;tag=1')
    .append('To', `<${to}>`)
    .append('Call-ID', `opt-${Math.random()}`)
    .append('CSeq', '1 OPTIONS');
  return { kind: 'request', method: 'OPTIONS', uri: to, headers, body: Buffer.alloc(0) };
}

describe('SipStack transports end to end', () => {
  it('OPTIONS over TLS to a stack listening with a certificate, verified by CA and server name', async () => {
    const server = await SipStack.start({ host: '127.0.0.1', tlsPort: 0, tls: { cert, key } });
    const client = await SipStack.start({ host: '127.0.0.1', tls: { ca: cert } });
    stops.push(
      () => server.stop(),
      () => client.stop(),
    );
    const port = server.local('tls').port;
    const response = await client.request(options(`sip:x@pbx.test:${port};transport=tls`), {
      protocol: 'tls',
      address: '127.0.0.1',
      port,
      serverName: 'pbx.test',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('Allow')).toContain('OPTIONS');
  });

  it('refuses a TLS server whose certificate does not match the server name', async () => {
    const server = await SipStack.start({ host: '127.0.0.1', tlsPort: 0, tls: { cert, key } });
    const client = await SipStack.start({ host: '127.0.0.1', tls: { ca: cert } });
    stops.push(
      () => server.stop(),
      () => client.stop(),
    );
    const port = server.local('tls').port;
    const error = await client
      .request(options(`sip:x@pbx.test:${port}`), {
        protocol: 'tls',
        address: '127.0.0.1',
        port,
        serverName: 'other.test',
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'sip_transport_failed' });
  });

  it('reuses one TCP connection for many requests to the same target', async () => {
    const server = await SipStack.start({ host: '127.0.0.1' });
    const client = await SipStack.start({ host: '127.0.0.1' });
    stops.push(
      () => server.stop(),
      () => client.stop(),
    );
    const port = server.local('tcp').port;
    const target = { protocol: 'tcp' as const, address: '127.0.0.1', port };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => client.request(options(`sip:x@127.0.0.1:${port}`), target)),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(server.counters.requestsReceived).toBe(20);
    expect(client.counters.retransmissions).toBe(0);
  });
});

describe('CRLF keep-alive (RFC 5626)', () => {
  /** A raw TCP peer and our transport connected to it; `received` collects what the peer gets from us. */
  async function connected(keepAliveIntervalMs: number) {
    const received: string[] = [];
    let peer: Socket | undefined;
    const server = createServer((socket) => {
      peer = socket;
      socket.on('data', (d) => received.push(d.toString('latin1')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const transport = new StreamTransport({
      protocol: 'tcp',
      host: '127.0.0.1',
      listenPort: undefined,
      keepAliveIntervalMs,
      onMessage: () => undefined,
    });
    await transport.open();
    // Pop order: close our side first, or server.close() waits for the open connection.
    stops.push(
      () => new Promise((r) => server.close(() => r())),
      () => transport.close(),
    );
    await transport.send({ protocol: 'tcp', address: '127.0.0.1', port }, Buffer.from('\r\n'));
    await new Promise((r) => setTimeout(r, 50));
    received.length = 0;
    return { received, peer: () => peer! };
  }

  it('pings a connection idle for the interval with CRLFCRLF', async () => {
    const { received } = await connected(1000);
    await new Promise((r) => setTimeout(r, 600));
    expect(received.join('')).toBe(''); // not idle long enough yet
    await new Promise((r) => setTimeout(r, 1000)); // idle 1 s, checked every 250 ms
    expect(received.join('')).toContain('\r\n\r\n');
  });

  it('answers a CRLFCRLF ping with a CRLF pong at once', async () => {
    const { received, peer } = await connected(0);
    peer().write('\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(received.join('')).toBe('\r\n');
  });
});
