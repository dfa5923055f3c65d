import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { buildServer } from '../../api/server.js';
import { createAppContext, type AppContext } from '../../app/context.js';
import { isAppError } from '../../domain/errors.js';
import { createLogger } from '../../observability/logger.js';
import { configFrom } from '../cli-context.js';
import { startDemo, type DemoEnvironment } from '../demo.js';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { registerCallMetrics } from '../../calls/records/call-stats.js';
import { startSipRole } from '../../roles/sip.role.js';
import { startEdgeRole, stopEdgeRole, type DemoEdge } from '../../roles/edge.role.js';
import { registerMediaMetrics } from '../../media/media.metrics.js';
import { startMediaRole } from '../../roles/media.role.js';

const BOOTSTRAP_EMAIL = 'admin@callbridge.local';

/** `callbridge serve`: runs the chosen roles (default all) in this process until SIGINT/SIGTERM. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('Run Callbridge: the API and portal, the worker and the SIP edge (--roles picks some)')
    .option('--port <port>', 'HTTP port (default 8080)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--roles <roles>', 'comma list of api, worker, sip')
    .action(async (options: { port?: string; host?: string; roles?: string }, command: Command) => {
      const config = configFrom(command, { port: options.port, host: options.host, roles: options.roles });
      const logger = createLogger({
        level: config.logLevel,
        format: config.logFormat,
        isTerminal: process.stdout.isTTY === true,
      });
      const ctx = await createAppContext(config, logger);
      const stops: (() => Promise<void>)[] = [];
      const signIn = await bootstrapAdministrator(ctx);
      let demo: DemoEnvironment | undefined;
      if (config.demo) {
        demo = await startDemo(ctx);
        const running = demo;
        stops.push(() => running.close());
      }
      const worker = config.roles.includes('worker') ? ctx.createWorker() : undefined;
      if (worker) {
        worker.start();
        stops.push(() => worker.stop());
        const scheduler = ctx.createScheduler();
        scheduler.start();
        stops.push(() => scheduler.stop());
      }
      const metrics = new Registry();
      collectDefaultMetrics({ register: metrics });
      registerCallMetrics(metrics, ctx.calls.stats, ctx.calls.live);
      try {
        // The media relay (rtpengine) serves the SIP role's calls; without one they are refused with its reason.
        const media = config.roles.includes('sip')
          ? await startRole('media', 'rtpengine (CALLBRIDGE_RTPENGINE)', () => startMediaRole(config, logger))
          : undefined;
        if (media) {
          stops.push(() => media.stop());
          registerMediaMetrics(metrics, media);
        }
        const sip = config.roles.includes('sip')
          ? await startRole('sip', `SIP port ${config.sipHost}:${config.sipPort} (CALLBRIDGE_SIP_PORT)`, () =>
              startSipRole(ctx, metrics, media && { relay: media.relay }),
            )
          : undefined;
        if (sip) {
          ctx.hooks.registrationsChanged = () =>
            void sip
              .reload()
              .catch((error: unknown) => logger.error({ err: error }, 'registration reload failed'));
          stops.push(() => sip.stop());
        }
        const edge = config.roles.includes('sip')
          ? await startRole(
              'Teams edge',
              `TLS port ${config.sbcHost}:${config.sbcSignallingPort} (CALLBRIDGE_SBC_SIGNALLING_PORT)`,
              () => startEdgeRole(ctx, metrics, demoEdgeOf(demo), sip?.calls),
            )
          : undefined;
        // Stopped before the sip role (stops run in reverse), so the calls are ended while the edge still runs.
        if (edge) stops.push(() => stopEdgeRole(edge, sip?.calls));
        if (config.roles.includes('api')) {
          const app = await buildServer(ctx, {
            nudgeWorker: () => worker?.nudge(),
            metrics,
            teamsEdge: () => edge,
            mediaStatus: () => media?.relay.status(),
          });
          stops.push(() => app.close());
          await startRole('api', `HTTP port ${config.host}:${config.port} (CALLBRIDGE_PORT)`, () =>
            app.listen({ port: config.port, host: config.host }),
          );
          printWelcome(ctx, signIn, app.server.address(), demo);
        }
      } catch (error) {
        // A role that cannot start ends the process: a server listening on nothing would look healthy.
        logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
        await ctx.close().catch(() => undefined);
        process.exit(1);
      }
      const shutdown = async (signal: string) => {
        logger.info({ signal }, 'shutting down');
        for (const stop of stops.reverse()) await stop();
        await ctx.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}

/** The demo's stand-ins for the edge's certificate and Microsoft's proxies (the Teams SIP emulator). */
function demoEdgeOf(demo: DemoEnvironment | undefined): DemoEdge | undefined {
  const teams = demo?.teamsSip;
  if (!teams) return undefined;
  return {
    ...teams.pki.sbc,
    caFile: teams.pki.caFile,
    ranges: ['127.0.0.0/8', '::1'],
    proxyPort: teams.emulator.port,
    attachSbc: (port) => teams.attachSbc(port),
  };
}

/** Starts one role; a failure says which role and, for a port in use, which port and setting to change. */
async function startRole<T>(role: string, port: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? `${port} is already in use (EADDRINUSE): stop the program holding it or choose another port`
        : code === 'EADDRNOTAVAIL' || code === 'EACCES'
          ? `${port} cannot be bound (${code}): check the address and the permission to use the port`
          : error instanceof Error
            ? error.message
            : String(error);
    throw new Error(`The ${role} role cannot start: ${why}.`, { cause: error });
  }
}

interface SignIn {
  email: string;
  /** Set only on the first start, when the password was just created. */
  password?: string;
  file?: string;
}

/**
 * On an empty installation, creates the first administrator with a random password kept in a 0600 file; the
 * first sign-in must replace it (it was printed, so it is not the administrator's own).
 */
async function bootstrapAdministrator(ctx: AppContext): Promise<SignIn | undefined> {
  if ((await ctx.store.repos.administrators.count()) > 0) return undefined;
  const password = randomBytes(12).toString('base64url');
  try {
    await ctx.services.administrators.create(
      { type: 'system', id: null, label: 'first start', source: 'cli' },
      { email: BOOTSTRAP_EMAIL, password, displayName: 'Administrator', platformOperator: true },
    );
  } catch (error) {
    // Several nodes starting at once on one PostgreSQL: another one created it first.
    if (isAppError(error) && error.code === 'conflict') return undefined;
    throw error;
  }
  const file = path.join(ctx.config.dataDir, 'initial-admin.txt');
  writeFileSync(file, `email: ${BOOTSTRAP_EMAIL}\npassword: ${password}\n`, { mode: 0o600 });
  return { email: BOOTSTRAP_EMAIL, password, file };
}

function printWelcome(
  ctx: AppContext,
  signIn: SignIn | undefined,
  address: unknown,
  demo: DemoEnvironment | undefined,
): void {
  const port =
    typeof address === 'object' && address !== null && 'port' in address
      ? Number(address.port)
      : ctx.config.port;
  const base = ctx.config.publicUrl ?? `http://localhost:${port}`;
  const lines = [
    '',
    `Callbridge is running at ${base}`,
    `  API and its documentation: ${base}/api/docs`,
    `  Health: ${base}/healthz   Ready: ${base}/readyz`,
    `  Data: ${path.resolve(ctx.config.dataDir)} (${ctx.store.handle.dialect})`,
    signIn?.password
      ? `  Sign in as ${signIn.email} with password ${signIn.password} (kept in ${signIn.file}); you will be asked to choose a new one.`
      : '  Sign in with your administrator email and password.',
    '  API token for scripts: npx callbridge token create   then send "Authorization: Bearer <token>"',
    ...(demo
      ? [
          `  Demo: account "Contoso (demo)" (${demo.accountId}) is connected to the Microsoft 365 emulator at ${demo.emulatorUrl}; run Sync on its PBX service.`,
          `  Demo PBX on ${demo.pbx.host}:${demo.pbx.port}: synced users with a number get an extension there and register; ${demo.pbx.extensionsText()} answer calls from Teams; "Test call" on a user's page rings them in Teams.`,
          ...(demo.teamsSip
            ? [
                `  Teams SIP emulator (Microsoft's Direct Routing proxies) on 127.0.0.1:${demo.teamsSip.emulator.port}; calls from Teams: npx callbridge emulator teams-sip --help`,
              ]
            : []),
        ]
      : []),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
