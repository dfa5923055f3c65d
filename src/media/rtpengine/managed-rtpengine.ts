import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../observability/logger.js';
import { rtpengineArgs, type RtpengineListen } from './rtpengine-args.js';

/** How a managed rtpengine is run and restarted. */
export interface ManagedRtpengineOptions {
  binary: string;
  listen: RtpengineListen;
  logger: Logger;
  /** First restart delay, doubled after each quick exit up to `maxBackoffMs`. Default 500 ms. */
  initialBackoffMs?: number;
  /** Default 30 s. */
  maxBackoffMs?: number;
  /** A child that ran this long before exiting restarts after `initialBackoffMs` again. Default 30 s. */
  stableAfterMs?: number;
}

/**
 * rtpengine as a child of `serve` (when no external one is configured): restarted with exponential back-off when it
 * exits, stopped (SIGTERM, then SIGKILL after 3 s) on shutdown. Its stderr goes to our log, one line per entry.
 * A restart loses the calls it was relaying (userspace rtpengine keeps them in memory only; see README "Media").
 */
export class ManagedRtpengine {
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  /** How often it was restarted after exiting on its own. */
  restarts = 0;

  constructor(private readonly options: ManagedRtpengineOptions) {
    this.backoffMs = options.initialBackoffMs ?? 500;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Spawns the child (again). */
  start(): void {
    const { binary, listen, logger } = this.options;
    this.startedAt = Date.now();
    const child = spawn(binary, rtpengineArgs(listen), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    const log = logger.child({ component: 'rtpengine' });
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => log.info(line.trim()));
    child.once('error', (error) => log.error({ err: error }, `rtpengine could not be started (${binary})`));
    child.once('exit', (code, signal) => this.exited(code, signal));
    log.info({ childPid: child.pid, ng: `${listen.ngHost}:${listen.ngPort}` }, 'rtpengine started');
  }

  /** Stops the child and any restart pending. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const ranMs = Date.now() - this.startedAt;
    if (ranMs >= (this.options.stableAfterMs ?? 30_000))
      this.backoffMs = this.options.initialBackoffMs ?? 500;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30_000);
    this.options.logger.warn(
      { component: 'rtpengine', code, signal, ranMs, restartInMs: delay },
      `rtpengine exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`,
    );
    this.restartTimer = setTimeout(() => {
      this.restarts += 1;
      this.start();
    }, delay);
  }
}
