import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createAppContext } from '../../../src/app/context.js';
import { loadConfig } from '../../../src/config/config.js';
import type { Kamailio } from './kamailio.js';

const BIN = path.resolve('bin/callbridge.js');
const system = { type: 'system', id: null, label: 'test setup', source: 'cli' } as const;

/** An installation on disk (SQLite in a temp data directory) that a real `callbridge serve` can run on. */
export interface Installation {
  dataDir: string;
  secretKey: string;
  env: Record<string, string>;
}

/**
 * Creates an installation with one client account, `users` PBX user licences, a PBX service on `kamailio` (UDP)
 * and `users` users with the SIP credentials `u<n>` / `pw<n>` (bulk insert: 10,000 take a second or two).
 * With `databaseUrl` (a PostgreSQL database), several processes can share the installation.
 */
export async function prepareInstallation(
  kamailio: Kamailio,
  users: number,
  options: { databaseUrl?: string } = {},
): Promise<Installation> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cb-serve-'));
  const secretKey = randomBytes(32).toString('base64');
  const env: Record<string, string> = {
    CALLBRIDGE_DATA_DIR: dataDir,
    CALLBRIDGE_SECRET_KEY: secretKey,
    CALLBRIDGE_DEMO: 'false',
    ...(options.databaseUrl && { CALLBRIDGE_DATABASE_URL: options.databaseUrl }),
  };
  const ctx = await createAppContext(loadConfig({ env }), pino({ level: 'warn' }));
  try {
    const { services, store, secrets } = ctx;
    const partner = await services.accounts.create(system, { name: 'Provider', kind: 'partner' });
    const account = await services.accounts.create(system, {
      name: 'Contoso',
      kind: 'client',
      parentId: partner.id,
    });
    await services.subscriptions.create(system, account.id, { sku: 'pbx_user', quantity: users });
    const service = await services.voiceServices.create(system, account.id, {
      name: 'PBX',
      sipDomain: kamailio.domain,
      proxyHost: '127.0.0.1',
      proxyPort: kamailio.port,
      transport: 'udp',
      registrationExpiry: 3600,
      country: 'GB',
    });
    for (let start = 0; start < users; start += 200) {
      const chunk = Array.from({ length: Math.min(200, users - start) }, (_, i) => start + i);
      await store.repos.users.createMany(
        chunk.map((n) => ({
          accountId: account.id,
          serviceId: service.id,
          objectId: null,
          upn: null,
          email: `u${n}@contoso.example`,
          displayName: `User ${n}`,
          kind: 'standard' as const,
          tenantState: 'not_synced' as const,
          usageLocation: null,
          coexistenceMode: null,
          licences: [],
          phoneNumber: null,
          extension: null,
          numberType: null,
          sipUsername: `u${n}`,
          authUsername: null,
          sipPasswordEnc: secrets.encrypt(`pw${n}`),
          registrationEnabled: true,
          registrationState: 'pending' as const,
          registrationDetail: {},
          externalId: null,
          syncedLine: null,
        })),
      );
    }
  } finally {
    await ctx.close();
  }
  return { dataDir, secretKey, env };
}

/** Counts users per registration state in an installation's database. */
export async function statesIn(installation: Installation): Promise<Map<string, number>> {
  const ctx = await createAppContext(loadConfig({ env: installation.env }), pino({ level: 'warn' }), {
    migrate: false,
  });
  try {
    const rows = await ctx.store.handle.db
      .selectFrom('users')
      .select(['registration_state'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('registration_state')
      .execute();
    return new Map(rows.map((r) => [r.registration_state, Number(r.n)]));
  } finally {
    await ctx.close();
  }
}

/** A running `callbridge serve` child process with its output collected. */
export interface ServeProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or the signal's name) once the process ended. */
  exited: Promise<number | string>;
}

/** Starts the real binary: `callbridge serve` with the given roles and settings (environment variables). */
export function startServe(env: Record<string, string>, roles = 'sip'): ServeProcess {
  const child = spawn('node', [BIN, 'serve', '--roles', roles], {
    env: { ...process.env, CALLBRIDGE_LOG_FORMAT: 'json', CALLBRIDGE_SIP_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, output: () => text, exited };
}
