import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWebhookTarget } from '../../src/alerts/webhook/webhook-address.js';
import { sendWebhook } from '../../src/alerts/webhook/webhook-sender.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'whsec-a-long-enough-signing-secret';
const strict = { allowLoopback: false };
const dev = { allowLoopback: true };

/**
 * A webhook URL comes from a customer administrator, who may be hostile (issue 18): it must not reach our own
 * network. Every refusal is a 400 naming the url field, at save time for what the URL itself says, and at send
 * time for what its name resolves to (the address connected to is the one checked).
 */
describe('webhook URLs against SSRF', () => {
  let t: TestApp;
  const post = (url: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/alert-subscriptions`,
      headers: { authorization: `Bearer ${t.token}` },
      payload: { channel: 'webhook', name: 'hook', url, secret: SECRET },
    });
  let accountId: string;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    const system = { type: 'system', id: null, label: 'test', source: 'cli' } as const;
    accountId = (await t.ctx.services.accounts.create(system, { kind: 'partner', name: 'P' })).id;
  });
  afterAll(() => t.close());

  it.each([
    ['plain http', 'http://hooks.example.com/x', 'https://'],
    ['loopback', 'https://127.0.0.1/x', 'private, loopback'],
    ['loopback, other form', 'https://127.1.2.3:8443/x', 'private, loopback'],
    ['private', 'https://10.0.0.8/x', 'private, loopback'],
    ['private 172.16/12', 'https://172.20.1.1/x', 'private, loopback'],
    ['private 192.168/16', 'https://192.168.1.1/x', 'private, loopback'],
    ['cloud metadata (link-local)', 'https://169.254.169.254/latest/meta-data/', 'private, loopback'],
    ['carrier-grade NAT', 'https://100.64.0.1/x', 'private, loopback'],
    ['unspecified', 'https://0.0.0.0/x', 'private, loopback'],
    ['IPv6 loopback', 'https://[::1]/x', 'private, loopback'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/x', 'private, loopback'],
    ['IPv6 unique local', 'https://[fd00::1]/x', 'private, loopback'],
    ['IPv6 link-local', 'https://[fe80::1]/x', 'private, loopback'],
    ['user info', 'https://user:pw@hooks.example.com/x', 'user name or password'],
    ['not a URL', 'hooks.example.com', 'not a valid URL'],
    ['another scheme', 'file:///etc/passwd', 'https://'],
  ])('refuses %s at save time', async (_what, url, says) => {
    const res = await post(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', details: { field: 'url' } });
    expect(res.json<{ message: string }>().message).toContain(says);
  });

  it('accepts a public https URL', async () => {
    expect((await post('https://hooks.example.com/callbridge')).statusCode).toBe(201);
  });

  it('refuses at send time a name that resolves to loopback, and connects nowhere', async () => {
    await expect(resolveWebhookTarget('https://localhost/x', strict)).rejects.toThrow(/127\.0\.0\.1|::1/);
    const receiver = await startWebhookReceiver(SECRET);
    try {
      const attempt = await sendWebhook(
        `https://localhost:${receiver.port}/x`,
        SECRET,
        '{}',
        {},
        {
          ...strict,
          timeoutMs: 2000,
          maxAnswerBytes: 1024,
        },
      );
      expect(attempt).toMatchObject({ ok: false, statusCode: null });
      expect(attempt.error).toContain('private, loopback');
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('allows loopback only with the explicit development setting, and never private addresses', async () => {
    await expect(resolveWebhookTarget('http://127.0.0.1:9/x', dev)).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(resolveWebhookTarget('http://localhost:9/x', dev)).resolves.toBeDefined();
    await expect(resolveWebhookTarget('http://10.0.0.8/x', dev)).rejects.toThrow('private, loopback');
    await expect(resolveWebhookTarget('https://169.254.169.254/x', dev)).rejects.toThrow('private, loopback');
  });
});

describe('webhook sending limits', () => {
  let server: http.Server;
  let port: number;
  const hits: string[] = [];
  const send = (path: string, timeoutMs = 2000) =>
    sendWebhook(
      `http://127.0.0.1:${port}${path}`,
      SECRET,
      '{"type":"test"}',
      {},
      {
        ...dev,
        timeoutMs,
        maxAnswerBytes: 64 * 1024,
      },
    );

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect')
        res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
      else if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (res.write(chunk));
        };
        res.on('drain', pump);
        pump();
      } else if (req.url === '/silent') {
        // never answers
      } else res.writeHead(200).end('fine');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('does not follow a redirect', async () => {
    const attempt = await send('/redirect');
    expect(attempt).toMatchObject({ ok: false, statusCode: 302 });
    expect(attempt.error).toContain('redirects are not followed');
    expect(hits).not.toContain('/elsewhere');
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const attempt = await send('/silent', 300);
    expect(attempt).toMatchObject({ ok: false, statusCode: null });
    expect(attempt.error).toContain('No answer within');
  });

  it('stops reading an endless answer and keeps only the status', async () => {
    const attempt = await send('/huge');
    expect(attempt).toMatchObject({ ok: true, statusCode: 200 });
  });
});
