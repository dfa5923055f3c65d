import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildServer } from '../../../src/api/server.js';
import { createAppContext } from '../../../src/app/context.js';
import { loadConfig } from '../../../src/config/config.js';
import { demoSeed } from '../../../src/emulator/demo-tenant.seed.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.server.js';
import { fastClients } from '../../support/demo-tenant-account.js';
import { createTestDatabase } from '../../support/test-database.js';
import { ADMIN, apiCaller, buildPortal, type PortalServer } from './portal-server.js';

export interface DemoPortalServer extends PortalServer {
  emulator: RunningEmulator;
}

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** A free loopback port, so the server's public URL (the consent redirect) can name it before it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * The portal as `serve` runs it in demo mode: the Microsoft 365 emulator with the demo tenant, the API with its
 * public URL on its real loopback port (Microsoft sends the consent window back there), and a worker that runs
 * syncs as they are queued.
 */
export async function startDemoPortalServer(): Promise<DemoPortalServer> {
  const [emulator, port, database] = await Promise.all([
    startEmulator({ seed: demoSeed() }),
    freePort(),
    createTestDatabase('sqlite'),
    buildPortal(),
  ]);
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: mkdtempSync(path.join(tmpdir(), 'cb-portal-')),
      secretKey: randomBytes(32).toString('base64'),
      publicUrl: baseUrl,
      logLevel: 'warn',
    },
  });
  const logLines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
  const ctx = await createAppContext(config, logger, {
    handle: database,
    microsoftClients: fastClients,
  });
  // The fixture stands for an administrator who has chosen their own password already.
  await ctx.services.administrators.create(system, {
    ...ADMIN,
    platformOperator: true,
    mustChangePassword: false,
  });
  const { token } = await ctx.services.administrators.createToken(system, ADMIN.email, 'tests');
  const worker = ctx.createWorker({ idleMs: 200 });
  const app = await buildServer(ctx, { nudgeWorker: () => worker.nudge() });
  await app.listen({ port, host: '127.0.0.1' });
  worker.start();
  return {
    ctx,
    app,
    token,
    logLines,
    emulator,
    baseUrl,
    api: apiCaller(app, token),
    async close() {
      await worker.stop();
      await app.close();
      await database.drop();
      await emulator.close();
    },
  };
}
