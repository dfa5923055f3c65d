import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_TENANT_ID,
  demoSeed,
} from '../emulator/demo-tenant.seed.js';
import { startEmulator } from '../emulator/emulator.server.js';
import { generatedTenantId, largeTenantSeed } from '../emulator/large-tenant.generator.js';
import type { SeedFileInput } from '../emulator/seed.schema.js';
import { teamsSipControlRoutes } from '../emulator/teams-sip/teams-sip-control.routes.js';
import { startDemoTeamsSip, type DemoTeamsSip } from '../emulator/teams-sip/teams-sip.demo.js';
import { teamsSipCommand } from './teams-sip.command.js';

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be a whole number ≥ ${min}`);
    return n;
  };
}

async function loadSeed(seed: string): Promise<SeedFileInput> {
  if (seed === 'demo') return demoSeed();
  return JSON.parse(await readFile(seed, 'utf8')) as SeedFileInput;
}

/**
 * `callbridge emulator --port P --seed FILE [--tenants N]`: run the Microsoft 365 emulator until interrupted.
 * `--seed demo` (the default) loads the built-in demo tenant; `--tenants N` adds N generated tenants of
 * `--users` users each, consented to the seed's first app.
 */
export function emulatorCommand(): Command {
  return new Command('emulator')
    .description(
      'Run the Microsoft 365 emulator (Entra ID token endpoint, Graph, Teams admin API) on loopback.',
    )
    .option('-p, --port <port>', 'port to listen on (0: any free port)', integer(0), 4400)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-s, --seed <file>', "seed file (JSON), or 'demo' for the built-in demo tenant", 'demo')
    .option('-t, --tenants <n>', 'add this many generated tenants', integer(0), 0)
    .option('--users <n>', 'users in each generated tenant', integer(1), 1000)
    .option('--persist <file>', 'write the state to this file (seed format) on exit')
    .option(
      '--teams-sip <port>',
      "also run the Teams SIP emulator (Microsoft's Direct Routing proxies) on this TLS port",
      integer(0),
    )
    .option(
      '--sbc-domain <domain>',
      'the SBC domain whose FQDNs the Teams SIP emulator calls',
      'sbc.callbridge.local',
    )
    .option('--sbc-port <port>', "the SBC's TLS port on loopback, for calls from Teams", integer(1), 5061)
    .option(
      '--pki <dir>',
      'where the throw-away CA and certificates are kept (made when missing)',
      'emulator-pki',
    )
    .addCommand(teamsSipCommand())
    .action(
      async (options: {
        port: number;
        host: string;
        seed: string;
        tenants: number;
        users: number;
        persist?: string;
        teamsSip?: number;
        sbcDomain: string;
        sbcPort: number;
        pki: string;
      }) => {
        const seed = await loadSeed(options.seed);
        const appId = seed.apps?.[0]?.clientId ?? DEMO_CLIENT_ID;
        const generated = Array.from({ length: options.tenants }, (_, i) =>
          largeTenantSeed(options.users, generatedTenantId(i + 1), [appId]),
        );
        const holder: { teamsSip?: DemoTeamsSip } = {};
        const emulator = await startEmulator({
          seed: { ...seed, tenants: [...(seed.tenants ?? []), ...generated] },
          port: options.port,
          host: options.host,
          ...(options.persist ? { persistPath: options.persist } : {}),
          routes: teamsSipControlRoutes(() => holder.teamsSip?.emulator),
        });
        const teamsSip =
          options.teamsSip === undefined
            ? undefined
            : (holder.teamsSip = await startDemoTeamsSip({
                pkiDir: options.pki,
                sbcDomain: options.sbcDomain,
                state: emulator.state,
                port: options.teamsSip,
              }));
        teamsSip?.attachSbc(options.sbcPort);
        const lines = [
          `Microsoft 365 emulator listening on ${emulator.url}`,
          `  authority host / Graph base URL: ${emulator.url}`,
          `  Teams admin API base URL:        ${emulator.teamsAdminUrl}`,
          `  admin endpoint:                  ${emulator.url}/_emulator/tenants`,
          ...(teamsSip
            ? [
                `  Teams SIP emulator (TLS):        127.0.0.1:${teamsSip.emulator.port}, calls to *.${options.sbcDomain} go to 127.0.0.1:${options.sbcPort}`,
                `  its CA and the SBC certificate:  ${teamsSip.pki.caFile}, ${teamsSip.pki.sbc.certFile}`,
                `  control API:                     ${emulator.url}/_emulator/teams-sip (callbridge emulator teams-sip --help)`,
              ]
            : []),
          ...[...emulator.tenants.values()].map(
            (t) => `  tenant ${t.id}  ${t.domain}  (${t.users.size} users)`,
          ),
          ...(options.seed === 'demo'
            ? [
                `  demo app: client id ${DEMO_CLIENT_ID}, secret ${DEMO_CLIENT_SECRET}, tenant ${DEMO_TENANT_ID}`,
              ]
            : []),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await teamsSip?.close();
        await emulator.close();
      },
    );
}
