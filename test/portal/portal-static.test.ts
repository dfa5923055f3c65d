import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerPortal } from '../../src/api/portal.static.js';
import { findChromium } from './support/browser.js';

describe('serving the portal', () => {
  let app: FastifyInstance | undefined;
  afterEach(() => app?.close());

  async function serve(root: string): Promise<FastifyInstance> {
    app = Fastify();
    app.setNotFoundHandler((_request, reply) => reply.status(404).send({ code: 'not_found' }));
    app.get('/api/v1/ping', async () => ({ pong: true }));
    await registerPortal(app, { root });
    return app;
  }

  function builtPortal(): string {
    const root = mkdtempSync(path.join(tmpdir(), 'cb-portal-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(root, 'favicon.svg'), '<svg/>');
    return root;
  }

  it('answers a page that says how to build the portal when web/dist is missing, and keeps the API', async () => {
    const server = await serve(path.join(tmpdir(), 'cb-no-portal-here'));
    const page = await server.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('npm run build:portal');
    expect(page.body).toContain('/api/docs');
    expect((await server.inject({ url: '/api/v1/ping' })).json()).toEqual({ pong: true });
  });

  it('serves index.html for portal paths, files as they are, and 404 for unknown API paths and assets', async () => {
    const server = await serve(builtPortal());
    for (const url of ['/', '/accounts/1/users', '/accounts/1/users?q=anna']) {
      const response = await server.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toContain('<div id="root">');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    const asset = await server.inject({ url: '/assets/index-abc123.js' });
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await server.inject({ url: '/favicon.svg' })).body).toBe('<svg/>');
    expect((await server.inject({ url: '/assets/index-old.js' })).statusCode).toBe(404);
    expect((await server.inject({ url: '/api/v1/nothing' })).json()).toEqual({ code: 'not_found' });
    expect((await server.inject({ url: '/api' })).statusCode).toBe(404);
  });

  it('never serves a file outside the portal directory', async () => {
    const root = builtPortal();
    writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'top secret');
    const server = await serve(root);
    for (const url of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
    ]) {
      const response = await server.inject({ url });
      expect(response.body, url).not.toContain('top secret');
    }
  });

  it('says how to install Chromium when it is not on PATH, rather than skipping the browser tests', () => {
    const saved = process.env.PATH;
    process.env.PATH = mkdtempSync(path.join(tmpdir(), 'cb-empty-path-'));
    try {
      expect(() => findChromium()).toThrow(/apt-get install chromium/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
