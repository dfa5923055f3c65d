import { Command, CommanderError } from 'commander';
import { ZodError } from 'zod';
import { ConfigError } from '../config/config.js';
import { isAppError } from '../domain/errors.js';
import { accountsCommand } from './commands/accounts.command.js';
import { adminCommand, auditCommand, secretsCommand, tokenCommand } from './commands/admin.command.js';
import { importCommands } from './commands/import.command.js';
import { licencesCommand, phoneAppCommand } from './commands/licences.command.js';
import { migrateCommand } from './commands/migrate.command.js';
import { numbersCommand } from './commands/numbers.command.js';
import { serveCommand } from './commands/serve.command.js';
import { syncCommand } from './commands/sync.command.js';
import { tenantConnectionCommand } from './commands/tenant-connection.command.js';
import { usersCommand } from './commands/users.command.js';
import { callsCommand } from './commands/calls.command.js';
import { alertsCommand } from './commands/alerts.command.js';
import { emulatorCommand } from './emulator.command.js';

/** The `callbridge` program with every command. */
export function buildProgram(): Command {
  const program = new Command('callbridge')
    .description('Connect a PBX or SIP trunk to Microsoft Teams')
    .option('--config <file>', 'JSON config file (also CALLBRIDGE_CONFIG)')
    .option('--data-dir <dir>', 'data directory (also CALLBRIDGE_DATA_DIR; default ./data)')
    .option('--database-url <url>', 'sqlite:<file> or postgres://... (also CALLBRIDGE_DATABASE_URL)')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [
    serveCommand(),
    migrateCommand(),
    accountsCommand(),
    usersCommand(),
    callsCommand(),
    alertsCommand(),
    numbersCommand(),
    syncCommand(),
    adminCommand(),
    tokenCommand(),
    auditCommand(),
    licencesCommand(),
    phoneAppCommand(),
    secretsCommand(),
    tenantConnectionCommand(),
    emulatorCommand(),
  ]) {
    program.addCommand(command);
  }
  for (const command of importCommands()) program.addCommand(command);
  return program;
}

/** Runs the CLI; prints errors a person can act on and sets the exit code (2: configuration, 1: other). */
export async function main(argv: string[]): Promise<void> {
  // Files this process creates (database, key, emulator state, first-start credentials) are the owner's only.
  process.umask(0o077);
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof ConfigError) {
    process.stderr.write(error.message + '\n');
    return 2;
  }
  if (isAppError(error)) {
    const suggestion =
      typeof error.details?.['suggestion'] === 'string'
        ? `\n  Suggested: ${error.details['suggestion']}`
        : '';
    process.stderr.write(`error (${error.code}): ${error.message}${suggestion}\n`);
    return 1;
  }
  if (error instanceof ZodError) {
    process.stderr.write(
      `error: ${error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}\n`,
    );
    return 1;
  }
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
