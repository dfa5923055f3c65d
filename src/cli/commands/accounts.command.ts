import { Command } from 'commander';
import { cliActor, printRows, withContext } from '../cli-context.js';

const columns = ['id', 'kind', 'name', 'parentId', 'status'];

/** `callbridge accounts list|create|show`. */
export function accountsCommand(): Command {
  const accounts = new Command('accounts').description('Partner and client accounts');
  accounts
    .command('list', { isDefault: true })
    .description('List accounts (the clients of --parent when given)')
    .option('--parent <id>', 'only the accounts beneath this partner')
    .option('--json', 'print JSON')
    .action(async (options: { parent?: string; json?: boolean }, command: Command) => {
      await withContext(command, async (ctx) =>
        printRows(
          (await ctx.services.accounts.list(cliActor(), options.parent)) as unknown as Record<
            string,
            unknown
          >[],
          columns,
          options.json === true,
        ),
      );
    });
  accounts
    .command('create')
    .description('Create a partner, or a client beneath a partner')
    .requiredOption('--name <name>', 'account name')
    .option('--kind <kind>', 'partner or client', 'client')
    .option('--parent <id>', 'the partner a client belongs to')
    .option('--json', 'print JSON')
    .action(
      async (options: { name: string; kind: string; parent?: string; json?: boolean }, command: Command) => {
        await withContext(command, async (ctx) => {
          const kind =
            options.kind === 'partner' ? 'partner' : options.kind === 'client' ? 'client' : undefined;
          if (!kind) throw new Error(`--kind must be partner or client, not "${options.kind}"`);
          const account = await ctx.services.accounts.create(cliActor(), {
            name: options.name,
            kind,
            parentId: options.parent ?? null,
          });
          printRows([account as unknown as Record<string, unknown>], columns, options.json === true);
        });
      },
    );
  accounts
    .command('show <id>')
    .description('Show one account')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withContext(command, async (ctx) =>
        printRows(
          [(await ctx.services.accounts.get(cliActor(), id)) as unknown as Record<string, unknown>],
          columns,
          options.json === true,
        ),
      );
    });
  return accounts;
}
