import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { adminRoutes } from './admin.routes.js';
import { authRoutes } from './auth.routes.js';
import { batchRoutes } from './batch.routes.js';
import { contactsRoutes } from './contacts.routes.js';
import { deltaRoutes } from './delta.routes.js';
import { directoryRoutes } from './directory.routes.js';
import type { EmRequest, EmResponse, Route } from './emulator.http.js';
import { EmulatorState } from './emulator.state.js';
import { RequestDispatcher } from './request.dispatcher.js';
import { seedFileSchema, type SeedFileInput } from './seed.schema.js';
import { snapshotOf } from './state.snapshot.js';
import { TEAMS_ADMIN_PREFIX, teamsAdminRoutes } from './teams-admin.routes.js';
import { numberRoutes } from './numbers.routes.js';
import { teamsRoutes } from './teams.routes.js';
import { teamsSsoRoutes } from './teams-sso.routes.js';
import type { TenantState } from './tenant.state.js';

/** Order matters: specific paths (delta, installedApps) before generic ones (users/{id}). */
const routes: Route[] = [
  ...authRoutes,
  ...adminRoutes,
  ...teamsSsoRoutes,
  ...batchRoutes,
  ...deltaRoutes,
  ...numberRoutes,
  ...teamsRoutes,
  ...contactsRoutes,
  ...directoryRoutes,
  ...teamsAdminRoutes,
];

/** How to start an emulator. */
export interface EmulatorOptions {
  /** The seed (tenants and app registrations). */
  seed: SeedFileInput;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback by default; the emulator is never meant to face a network. */
  host?: string;
  /** Write the tenants' state here (seed format) when closed, so a restart continues from it. */
  persistPath?: string;
  /** More routes, matched first (the Teams SIP emulator's control API under `/_emulator/teams-sip`). */
  routes?: Route[];
}

/** A running emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`: authority host and Graph base URL of a custom cloud. */
  url: string;
  port: number;
  /** The Teams admin API base URL (`<url>/teams-admin`). */
  teamsAdminUrl: string;
  /** The tenants' live state, for tests and the demo. */
  tenants: Map<string, TenantState>;
  state: EmulatorState;
  close(): Promise<void>;
}

async function readRequest(req: IncomingMessage): Promise<{ text: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return { text: Buffer.concat(chunks).toString('utf8') };
}

function bodyOf(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  return contentType?.includes('application/json') ? (JSON.parse(text) as unknown) : text;
}

async function answer(res: ServerResponse, response: EmResponse): Promise<void> {
  if (response.delayMs) await new Promise((resolve) => setTimeout(resolve, response.delayMs));
  if (response.drop) {
    res.socket?.destroy();
    return;
  }
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (response.text !== undefined) {
    payload = response.text;
    headers['content-type'] ??= 'text/plain';
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] = 'application/json; odata.metadata=minimal';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/**
 * Start the Microsoft 365 emulator: token endpoint, admin consent, Graph, Teams admin API and `/_emulator` admin.
 * @example
 *   const emulator = await startEmulator({ seed: demoSeed() });
 *   // connection: { cloud: 'custom', authorityHost: emulator.url, graphBaseUrl: emulator.url,
 *   //               teamsAdminBaseUrl: emulator.teamsAdminUrl, tenantId: DEMO_TENANT_ID, ... }
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const state = new EmulatorState(seedFileSchema.parse(options.seed));
  const dispatcher = new RequestDispatcher(state, [...(options.routes ?? []), ...routes]);
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const { text } = await readRequest(req);
        const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
        const emRequest: EmRequest = {
          method: req.method ?? 'GET',
          path: decodeURIComponent(url.pathname),
          query: url.searchParams,
          headers: req.headers as Record<string, string | undefined>,
          body: bodyOf(text, req.headers['content-type']),
          baseUrl: url.origin,
        };
        await answer(res, await dispatcher.handle(emRequest));
      } catch (error) {
        const message = error instanceof Error ? error.message : 'Internal error';
        await answer(res, { status: 400, body: { error: { code: 'BadRequest', message } } });
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    url,
    port,
    teamsAdminUrl: `${url}${TEAMS_ADMIN_PREFIX}`,
    tenants: state.tenants,
    state,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (options.persistPath)
        await writeFile(options.persistPath, JSON.stringify(snapshotOf(state), null, 2));
    },
  };
}
