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
    .action(
      async (options: {
        port: number;
        host: string;
        seed: string;
        tenants: number;
        users: number;
        persist?: string;
      }) => {
        const seed = await loadSeed(options.seed);
        const appId = seed.apps?.[0]?.clientId ?? DEMO_CLIENT_ID;
        const generated = Array.from({ length: options.tenants }, (_, i) =>
          largeTenantSeed(options.users, generatedTenantId(i + 1), [appId]),
        );
        const emulator = await startEmulator({
          seed: { ...seed, tenants: [...(seed.tenants ?? []), ...generated] },
          port: options.port,
          host: options.host,
          ...(options.persist ? { persistPath: options.persist } : {}),
        });
        const lines = [
          `Microsoft 365 emulator listening on ${emulator.url}`,
          `  authority host / Graph base URL: ${emulator.url}`,
          `  Teams admin API base URL:        ${emulator.teamsAdminUrl}`,
          `  admin endpoint:                  ${emulator.url}/_emulator/tenants`,
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
        await emulator.close();
      },
    );
}
