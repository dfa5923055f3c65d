import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A throwaway PostgreSQL server (Debian's postgresql package) on loopback, for the repository and API tests. */
export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

const BIN_DIRS = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
  '/usr/local/bin',
  '/usr/bin',
];

function binary(name: string): string {
  for (const dir of BIN_DIRS) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(
    `PostgreSQL's ${name} was not found; install Debian's postgresql package (apt-get install -y postgresql).`,
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** PostgreSQL refuses to run as root: run its programs as the `postgres` user then. */
function asServerUser(file: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

/** Starts PostgreSQL in a temporary directory; resolves once it accepts connections. */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'callbridge-pg-'));
  const dataDir = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const [initCmd, initArgs] = asServerUser(binary('initdb'), [
    '-D',
    dataDir,
    '-U',
    'callbridge',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const [cmd, args] = asServerUser(binary('postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `postgres://callbridge@127.0.0.1:${port}/postgres`;
  await waitUntilReady(port, child, () => log);
  return {
    url,
    async stop() {
      await stopServer(child, dataDir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Stops the server with a fast shutdown. `runuser` does not pass signals on, so the postmaster is signalled
 * directly (its PID is the first line of postmaster.pid); SIGKILL if it has not gone within 10 s.
 */
async function stopServer(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let postmaster: number | undefined;
  try {
    postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    postmaster = undefined;
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (postmaster) process.kill(postmaster, sig);
      child.kill(sig);
    } catch {
      // Already gone.
    }
  };
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntilReady(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const pg = (await import('pg')).default;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during start:\n${log()}`);
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'callbridge', database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`PostgreSQL did not accept connections within 30 s:\n${log()}`);
}
