import { Command } from 'commander';
import { listUsersQuery } from '../../services/schemas/user.schema.js';
import { presentUser } from '../../services/users.service.js';
import { cliActor, printRows, withContext } from '../cli-context.js';

const columns = ['id', 'kind', 'displayName', 'email', 'lineUri', 'sipUsername', 'registrationState'];

/** `callbridge users list|show`. */
export function usersCommand(): Command {
  const users = new Command('users').description('Users of an account');
  users
    .command('list', { isDefault: true })
    .description('List the users of an account')
    .requiredOption('--account <id>', 'the account')
    .option('--service <id>', 'only this service')
    .option('--search <text>', 'match name, email, number or SIP username')
    .option('--kind <kind>', 'standard, phone_app or resource_account')
    .option('--number-type <type>', 'ddi, extension or trunk')
    .option('--limit <n>', 'page size (max 500)', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print JSON')
    .action(
      async (
        options: {
          account: string;
          service?: string;
          search?: string;
          kind?: string;
          numberType?: string;
          limit: string;
          offset: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const query = listUsersQuery.parse({
          serviceId: options.service,
          search: options.search,
          kind: options.kind,
          numberType: options.numberType,
          limit: options.limit,
          offset: options.offset,
        });
        await withContext(command, async (ctx) => {
          const page = await ctx.services.users.list(cliActor(), options.account, query);
          const rows = page.items.map(presentUser);
          if (options.json) {
            process.stdout.write(JSON.stringify({ items: rows, total: page.total }, null, 2) + '\n');
            return;
          }
          printRows(rows, columns, false);
          process.stdout.write(`${rows.length} of ${page.total} users\n`);
        });
      },
    );
  users
    .command('show <id>')
    .description('Show one user')
    .requiredOption('--account <id>', 'the account')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { account: string; json?: boolean }, command: Command) => {
      await withContext(command, async (ctx) => {
        const user = presentUser(await ctx.services.users.get(cliActor(), options.account, id));
        if (options.json) process.stdout.write(JSON.stringify(user, null, 2) + '\n');
        else
          for (const [key, value] of Object.entries(user))
            process.stdout.write(
              `${key.padEnd(20)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}\n`,
            );
      });
    });
  return users;
}
