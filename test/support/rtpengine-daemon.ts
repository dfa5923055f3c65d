import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freeUdpPort } from '../../src/media/rtpengine/free-udp-port.js';
import { NgClient } from '../../src/media/rtpengine/ng-client.js';

export { freeUdpPort };
import {
  rtpengineArgs,
  RTPENGINE_BINARY,
  type RtpengineListen,
} from '../../src/media/rtpengine/rtpengine-args.js';
import type { NgTarget } from '../../src/media/rtpengine/ng-types.js';

/** Whether Debian's rtpengine-daemon is installed (tests that need it are skipped otherwise). */
export function rtpengineInstalled(): boolean {
  return existsSync(RTPENGINE_BINARY);
}

/**
 * A real userspace rtpengine on loopback for one test file: the ng port is a free one, the media ports a random
 * block (parallel test files and engineers rarely collide, and rtpengine skips a port it cannot bind).
 */
export class RtpengineDaemon {
  private process: ChildProcess | undefined;
  readonly log: string[] = [];

  private constructor(
    readonly listen: RtpengineListen,
    private readonly extra: string[],
  ) {}

  /** Starts the daemon and waits until it answers ping. `ports` is the size of its media port range. */
  static async start(options: { ports?: number; extra?: string[] } = {}): Promise<RtpengineDaemon> {
    const ports = options.ports ?? 200;
    const portMin = 20000 + 2 * Math.floor((Math.random() * (38000 - ports)) / 2);
    const daemon = new RtpengineDaemon(
      {
        ngHost: '127.0.0.1',
        ngPort: await freeUdpPort(),
        mediaAddress: '127.0.0.1',
        portMin,
        portMax: portMin + ports - 1,
      },
      options.extra ?? ['--delete-delay=0'],
    );
    await daemon.run();
    return daemon;
  }

  get target(): NgTarget {
    return { host: this.listen.ngHost, port: this.listen.ngPort };
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Stops the daemon (SIGTERM, then SIGKILL after 3 s). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  }

  /** Starts it again on the same ports (after `stop`). */
  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  private async run(): Promise<void> {
    const child = spawn(RTPENGINE_BINARY, rtpengineArgs(this.listen, this.extra), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.process = child;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.log.push(chunk);
      if (this.log.length > 500) this.log.splice(0, 250);
    });
    const client = await NgClient.open(this.target, { retransmitMs: [100], timeoutMs: 200 });
    try {
      const started = Date.now();
      for (;;) {
        if (child.exitCode !== null)
          throw new Error(`rtpengine exited at start: ${this.log.join('').slice(-2000)}`);
        try {
          await client.ping();
          return;
        } catch (error) {
          if (Date.now() - started > 10_000) throw error;
        }
      }
    } finally {
      client.close();
    }
  }
}
