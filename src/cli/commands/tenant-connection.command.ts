import { Command } from 'commander';
import type { TenantConnection } from '../../domain/records.js';
import { cliActor, withContext } from '../cli-context.js';

const summary = (c: TenantConnection) =>
  `account ${c.accountId}: tenant ${c.tenantId ?? '(none)'}, consent ${c.consentState}`;

/**
 * `callbridge tenant-connection ...`: what only a platform operator does to a Microsoft 365 connection, as the
 * system actor and audited. No API route does these: an account administrator connects a tenant only by its
 * own administrator's consent.
 */
export function tenantConnectionCommand(): Command {
  const command = new Command('tenant-connection').description(
    'Operator actions on an account’s Microsoft 365 connection (audited)',
  );
  command
    .command('consent')
    .description(
      'Record administrator consent given outside Callbridge (Entra admin center), for installations whose Microsoft redirect cannot reach Callbridge',
    )
    .requiredOption('--account <id>', 'the account whose connection (with its tenant id) was consented')
    .option('--note <text>', 'why, for the audit log (e.g. the change ticket)')
    .option('--json', 'print the connection as JSON')
    .action(async (options: { account: string; note?: string; json?: boolean }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const connection = await ctx.services.tenantConnections.recordOperatorConsent(
          cliActor(),
          options.account,
          options.note,
        );
        process.stdout.write(
          options.json
            ? JSON.stringify(connection, null, 2) + '\n'
            : `Consent recorded: ${summary(connection)}\n`,
        );
      });
    });
  command
    .command('move')
    .description(
      'Move a tenant to another account: the account holding it loses it; the other gets it, pending consent',
    )
    .requiredOption('--tenant <id>', 'the tenant id (as connected)')
    .requiredOption('--to <account>', 'the account that gets the tenant')
    .option('--json', 'print the receiving connection as JSON')
    .action(async (options: { tenant: string; to: string; json?: boolean }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const connection = await ctx.services.tenantConnections.moveTenant(
          cliActor(),
          options.tenant,
          options.to,
        );
        process.stdout.write(
          options.json
            ? JSON.stringify(connection, null, 2) + '\n'
            : `Tenant moved: ${summary(connection)}\n`,
        );
      });
    });
  return command;
}
