import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildServer } from '../../src/api/server.js';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { loadConfig } from '../../src/config/config.js';
import { openDatabase, type Dialect } from '../../src/store/database.js';
import type { MicrosoftClientFactory } from '../../src/services/tenant-connections.service.js';
import { createTestDatabase } from './test-database.js';

export interface TestApp {
  ctx: AppContext;
  app: FastifyInstance;
  /** An API token of an administrator, for `authorization: Bearer`. */
  token: string;
  /** Everything the server logged, one JSON line per entry. */
  logLines: string[];
  /** The database's URL: another instance may open it (`sameDatabaseAs`), as a second node would. */
  databaseUrl?: string;
  close(): Promise<void>;
}

const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** The API in-process on a fresh database of the dialect, with an administrator and an API token. */
export async function createTestApp(
  dialect: Dialect,
  options: {
    extend?: (app: FastifyInstance) => void;
    microsoftClients?: MicrosoftClientFactory;
    /** Configuration settings on top of the test defaults (e.g. smtpUrl). */
    config?: Record<string, unknown>;
    /** Open this instance's database (a second node of the same installation; closed, not dropped). */
    sameDatabaseAs?: TestApp;
    /** Options handed to buildServer (e.g. a running Teams edge). */
    server?: Parameters<typeof buildServer>[1];
  } = {},
): Promise<TestApp> {
  const shared = options.sameDatabaseAs?.databaseUrl;
  const database = shared
    ? { ...openDatabase(shared), url: shared, drop: () => Promise.resolve() }
    : await createTestDatabase(dialect);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-app-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      // A second node shares the installation's secret key (secrets sealed by one are read by the other).
      secretKey: options.sameDatabaseAs?.ctx.config.secretKey ?? randomBytes(32).toString('base64'),
      logLevel: 'info',
      ...options.config,
    },
  });
  const logLines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const ctx = await createAppContext(config, logger, {
    handle: database,
    ...(options.microsoftClients && { microsoftClients: options.microsoftClients }),
  });
  if (!shared)
    await ctx.services.administrators.create(system, {
      email: 'owner@callbridge.test',
      password: 'correct horse battery',
      platformOperator: true,
      // The fixture stands for an administrator who has chosen their own password already.
      mustChangePassword: false,
    });
  const { token } = await ctx.services.administrators.createToken(system, 'owner@callbridge.test', 'tests');
  const close = shared ? () => database.close() : () => database.drop();
  const app = await buildServer(ctx, options.server);
  options.extend?.(app);
  await app.ready();
  return {
    ctx,
    app,
    token,
    logLines,
    databaseUrl: database.url,
    async close() {
      await app.close();
      await close();
    },
  };
}
