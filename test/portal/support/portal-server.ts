import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createTestApp, type TestApp } from '../../support/test-app.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

type BuildPortal = (options?: { force?: boolean; quiet?: boolean }) => Promise<boolean>;

/** Builds the portal when web/dist is missing or stale, with the same function `npm start` uses. */
export async function buildPortal(): Promise<void> {
  const script = pathToFileURL(path.join(repoRoot, 'bin', 'build-portal.js')).href;
  const { buildPortal: build } = (await import(script)) as { buildPortal: BuildPortal };
  await build({ quiet: true });
}

export interface PortalServer extends TestApp {
  /** e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  /** Calls the API with the administrator's API token. */
  api<T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: object): Promise<T>;
}

/** The API called in-process with an administrator's API token; throws on anything but success. */
export function apiCaller(app: FastifyInstance, token: string): PortalServer['api'] {
  return async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, body?: object): Promise<T> => {
    const response = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body && { payload: body }),
    });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.json<T>();
  };
}

/** The real server (API and the built portal) in-process on a fresh SQLite database, on a loopback port. */
export async function startPortalServer(
  options: Parameters<typeof createTestApp>[1] = {},
): Promise<PortalServer> {
  await buildPortal();
  const t = await createTestApp('sqlite', options);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  return { ...t, baseUrl: `http://127.0.0.1:${port}`, api: apiCaller(t.app, t.token) };
}

/** The administrator createTestApp makes. */
export const ADMIN = { email: 'owner@callbridge.test', password: 'correct horse battery' };
