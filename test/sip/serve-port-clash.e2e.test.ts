import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support/kamailio.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

/**
 * Issue 22: "With the SIP port taken, `serve` printed `bind EADDRINUSE` and stayed alive listening on nothing."
 * A role that cannot start ends the real `callbridge serve` process with a message naming the role, the port and
 * the setting to change, and a non-zero status.
 */
describe('callbridge serve with a port already taken', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function serve(env: Record<string, string>, roles: string): ServeProcess {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-clash-'));
    const process = startServe({ CALLBRIDGE_DATA_DIR: dataDir, CALLBRIDGE_DEMO: 'false', ...env }, roles);
    cleanups.push(async () => {
      if (process.child.exitCode === null) process.child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    });
    return process;
  }

  /** Exit code, or 'still running' when it did not end within `ms` (the old behaviour). */
  const outcome = (process: ServeProcess, ms: number) =>
    Promise.race([process.exited, new Promise<string>((r) => setTimeout(() => r('still running'), ms))]);

  it('the SIP port (UDP) taken: exits 1 saying which role, which port and which setting', async () => {
    const port = await freePort();
    const holder: UdpSocket = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const process = serve({ CALLBRIDGE_SIP_PORT: String(port) }, 'sip,worker');
    expect(await outcome(process, 60_000)).toBe(1);
    expect(process.output()).toContain(
      `The sip role cannot start: SIP port 127.0.0.1:${port} (CALLBRIDGE_SIP_PORT) is already in use (EADDRINUSE)`,
    );
  }, 90_000);

  it('the SIP port taken for TCP only (UDP free): exits 1 as well', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const process = serve({ CALLBRIDGE_SIP_PORT: String(port) }, 'sip');
    expect(await outcome(process, 60_000)).toBe(1);
    expect(process.output()).toContain('The sip role cannot start');
    expect(process.output()).toContain('EADDRINUSE');
  }, 90_000);

  it('the HTTP port taken: exits 1 naming the api role and CALLBRIDGE_PORT', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const process = serve({ CALLBRIDGE_PORT: String(port), CALLBRIDGE_HOST: '127.0.0.1' }, 'api,worker');
    expect(await outcome(process, 60_000)).toBe(1);
    expect(process.output()).toContain(
      `The api role cannot start: HTTP port 127.0.0.1:${port} (CALLBRIDGE_PORT) is already in use (EADDRINUSE)`,
    );
  }, 90_000);
});
