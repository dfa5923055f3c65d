import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kamailioConfig } from './kamailio.config.js';

const run = promisify(execFile);

/** Where Debian installs Kamailio. */
export const KAMAILIO_BIN = '/usr/sbin/kamailio';
export const KAMCMD_BIN = '/usr/sbin/kamcmd';

/** True when kamailio and kamcmd are installed (CI installs them; tests skip with a message otherwise). */
export function kamailioInstalled(): boolean {
  return existsSync(KAMAILIO_BIN) && existsSync(KAMCMD_BIN);
}

/** A subscriber of the test PBX: auth username and password. */
export interface KamailioUser {
  username: string;
  password: string;
}

/** Settings of the test PBX. */
export interface KamailioOptions {
  users: KamailioUser[];
  domain?: string;
  algorithm?: 'MD5' | 'SHA-256';
  /** UDP worker processes (TCP gets as many). Default 2. */
  children?: number;
  /** Shared memory in MB. Default 64. */
  shmMb?: number;
  /** Listen address (default 127.0.0.1) and port (default: a free one). */
  host?: string;
  port?: number;
  /** More domains it is registrar for, and whether AoRs keep their domain (see kamailio.config.ts). */
  aliases?: string[];
  useDomain?: boolean;
  maxExpires?: number;
  /** Challenge INVITEs from these users and relay calls like a PBX (see kamailio.config.ts). */
  challengeInvitesFrom?: string[];
  /** Route INVITEs to numbers to this AoR's Contact, like a carrier for a registration trunk (kamailio.config.ts). */
  routeNumbersTo?: string;
}

/** A free port on 127.0.0.1 for both UDP and TCP. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise((r) => server.close(r));
    const udp = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((r) => udp.close(() => r()));
    if (ok) return port;
  }
}

/**
 * A real Kamailio on loopback as the customer's PBX: registrar with digest authentication (auth_db over db_text),
 * usrloc in memory, relaying other requests to registered contacts; inspected through kamcmd over a unix socket.
 */
export class Kamailio {
  private process: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly domain: string,
    private readonly options: KamailioOptions,
  ) {}

  /** Write the configuration and users into a temp dir and start Kamailio; resolves once its RPC answers. */
  static async start(options: KamailioOptions): Promise<Kamailio> {
    const dir = await mkdtemp(join(tmpdir(), 'callbridge-kamailio-'));
    const port = options.port ?? (await freePort());
    const domain = options.domain ?? 'pbx.test';
    const rows = options.users.map((u, i) => `${i + 1}:${u.username}:${domain}:${u.password}`);
    await writeFile(
      join(dir, 'subscriber'),
      ['id(int,auto) username(string) domain(string) password(string)', ...rows, ''].join('\n'),
    );
    await writeFile(
      join(dir, 'version'),
      'id(int,auto) table_name(string) table_version(int)\n0:subscriber:7\n',
    );
    const config = kamailioConfig({
      dir,
      port,
      domain,
      algorithm: options.algorithm ?? 'MD5',
      children: options.children ?? 2,
      ...(options.host && { host: options.host }),
      ...(options.aliases && { aliases: options.aliases }),
      ...(options.useDomain && { useDomain: true }),
      ...(options.maxExpires && { maxExpires: options.maxExpires }),
      ...(options.challengeInvitesFrom && { challengeInvitesFrom: options.challengeInvitesFrom }),
      ...(options.routeNumbersTo && { routeNumbersTo: options.routeNumbersTo }),
    });
    await writeFile(join(dir, 'kamailio.cfg'), config);
    const kamailio = new Kamailio(dir, port, domain, options);
    await kamailio.launch();
    return kamailio;
  }

  /** The control socket for kamcmd. */
  get ctl(): string {
    return `unix:${join(this.dir, 'ctl.sock')}`;
  }

  /** Run a kamcmd RPC and return its output. */
  async rpc(...args: string[]): Promise<string> {
    const { stdout } = await run(KAMCMD_BIN, ['-s', this.ctl, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  /** AoRs Kamailio holds in its location table (`ul.dump brief`: kamcmd's reply buffer cannot take a full dump). */
  async registered(): Promise<Set<string>> {
    const dump = await this.rpc('ul.dump', 'brief');
    return new Set([...dump.matchAll(/^\s*AoR: (\S+)/gm)].map((m) => m[1]!));
  }

  /** Contact addresses Kamailio holds for one AoR (`ul.lookup`); empty when none. */
  async contactsOf(aor: string): Promise<string[]> {
    const out = await this.rpc('ul.lookup', 'location', `s:${aor}`).catch(() => ''); // s: keeps '1004' a string
    return [...out.matchAll(/^\s*Address: (\S+)/gm)].map((m) => m[1]!);
  }

  /** Bindings Kamailio holds for one AoR, with their remaining expiry in seconds (`ul.lookup`). */
  async bindingsOf(aor: string): Promise<{ address: string; expires: number }[]> {
    const out = await this.rpc('ul.lookup', 'location', `s:${aor}`).catch(() => '');
    const addresses = [...out.matchAll(/^\s*Address: (\S+)/gm)].map((m) => m[1]!);
    const expires = [...out.matchAll(/^\s*Expires: (\d+)/gm)].map((m) => Number(m[1]));
    return addresses.map((address, i) => ({ address, expires: expires[i] ?? -1 }));
  }

  /** REGISTER requests received per From user (counted in the routing script). */
  async registerCounts(): Promise<Map<string, number>> {
    const dump = await this.rpc('htable.dump', 'regs');
    const counts = new Map<string, number>();
    for (const match of dump.matchAll(/name: (\S+)\s+value: (\d+)/g)) counts.set(match[1]!, Number(match[2]));
    return counts;
  }

  /** A statistic by its name without group, e.g. `registered_users` -> number. */
  async statistic(name: string): Promise<number> {
    const out = await this.rpc('stats.get_statistics', name);
    const match = /=\s*(\d+)/.exec(out);
    return match ? Number(match[1]) : 0;
  }

  /** Stop Kamailio (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.process = undefined;
  }

  /** Start again on the same port, with an empty location table (usrloc is in memory). */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stop and delete the temp dir. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The last lines Kamailio logged, for failure messages. */
  async logTail(lines = 30): Promise<string> {
    const log = await readFile(join(this.dir, 'kamailio.log'), 'utf8').catch(() => '');
    return log.split('\n').slice(-lines).join('\n');
  }

  private async launch(): Promise<void> {
    const log = openSync(join(this.dir, 'kamailio.log'), 'a');
    const args = [
      '-DD',
      '-E',
      '-f',
      join(this.dir, 'kamailio.cfg'),
      '-m',
      String(this.options.shmMb ?? 64),
      '-M',
      '8',
    ];
    this.process = spawn(KAMAILIO_BIN, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    const started = Date.now();
    for (;;) {
      if (this.process.exitCode !== null)
        throw new Error(`kamailio exited at start:\n${await this.logTail()}`);
      try {
        await this.rpc('core.version');
        return;
      } catch {
        if (Date.now() - started > 10_000)
          throw new Error(`kamailio did not start:\n${await this.logTail()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
