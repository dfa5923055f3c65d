import { Command } from 'commander';
import { listUsersQuery } from '../../services/schemas/user.schema.js';
import type { User } from '../../domain/records.js';
import { presentUser } from '../../services/users.service.js';
import { cliActor, printRows, withContext } from '../cli-context.js';
import { addTestCallCommand } from './test-call.command.js';

const columns = [
  'id',
  'kind',
  'displayName',
  'email',
  'lineUri',
  'sipUsername',
  'registrationState',
  'registration',
];

/**
 * The registration in a few words: the PBX's answer of a failure and whether another attempt comes (and when),
 * or until when a binding holds, or why a user is not registered.
 *
 * @example registrationSummary({ registrationState: 'failed', registrationDetail: { statusCode: 401, reason: 'Unauthorized', final: true } })
 * // '401 Unauthorized; final: fix the settings or retry now'
 */
export function registrationSummary(user: Pick<User, 'registrationState' | 'registrationDetail'>): string {
  const d = user.registrationDetail;
  if (user.registrationState === 'failed') {
    const answer = `${d.statusCode ?? ''} ${d.reason ?? ''}`.trim();
    if (d.final) return `${answer}; final: fix the settings or retry now`;
    return d.retryAt ? `${answer}; next attempt ${d.retryAt}` : answer;
  }
  if (user.registrationState === 'registered' || user.registrationState === 'expiring')
    return d.expiresAt ? `until ${d.expiresAt}` : '';
  if (user.registrationState === 'unconfirmed')
    return `PBX not answering; last confirmed ${d.lastSuccessAt ?? 'never'}, renewed when it answers`;
  return d.reason ?? '';
}

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
    .option(
      '--state <state>',
      'registration state: registered, failed, disabled, pending, expiring, unconfirmed or unregistered',
    )
    .option('--limit <n>', 'page size (max 500)', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--cursor <cursor>', 'start after this cursor (the "next page" a previous list printed)')
    .option('--json', 'print JSON')
    .action(
      async (
        options: {
          account: string;
          service?: string;
          search?: string;
          kind?: string;
          numberType?: string;
          state?: string;
          limit: string;
          offset: string;
          cursor?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const query = listUsersQuery.parse({
          serviceId: options.service,
          search: options.search,
          kind: options.kind,
          numberType: options.numberType,
          registrationState: options.state,
          limit: options.limit,
          offset: options.offset,
          cursor: options.cursor,
        });
        await withContext(command, async (ctx) => {
          const page = await ctx.services.users.list(cliActor(), options.account, query);
          const rows = page.items.map((u) => ({ ...presentUser(u), registration: registrationSummary(u) }));
          if (options.json) {
            const { total, totalIs, nextCursor } = page;
            process.stdout.write(JSON.stringify({ items: rows, total, totalIs, nextCursor }, null, 2) + '\n');
            return;
          }
          printRows(rows, columns, false);
          const about = { exact: '', about: 'about ', more_than: 'more than ' }[page.totalIs];
          process.stdout.write(`${rows.length} of ${about}${page.total} users\n`);
          if (page.nextCursor) process.stdout.write(`next page: --cursor ${page.nextCursor}\n`);
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
        const found = await ctx.services.users.get(cliActor(), options.account, id);
        const user = { ...presentUser(found), registration: registrationSummary(found) };
        if (options.json) process.stdout.write(JSON.stringify(user, null, 2) + '\n');
        else
          for (const [key, value] of Object.entries(user))
            process.stdout.write(
              `${key.padEnd(20)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}\n`,
            );
      });
    });
  users
    .command('retry <id>')
    .description('Retry a failed registration now (e.g. after fixing the password at the PBX)')
    .requiredOption('--account <id>', 'the account')
    .action(async (id: string, options: { account: string }, command: Command) => {
      await withContext(command, async (ctx) => {
        const user = await ctx.services.users.retryRegistration(cliActor(), options.account, id);
        process.stdout.write(
          `${user.displayName}: registration ${user.registrationState}; the SIP role tries again now.\n`,
        );
      });
    });
  users
    .command('delete <id>')
    .description('Delete a user: unregistered from the PBX, number and licence freed (audited)')
    .requiredOption('--account <id>', 'the account')
    .action(async (id: string, options: { account: string }, command: Command) => {
      await withContext(command, async (ctx) => {
        const user = await ctx.services.users.get(cliActor(), options.account, id);
        await ctx.services.users.delete(cliActor(), options.account, id);
        process.stdout.write(`Deleted ${user.displayName} (${user.email}).\n`);
      });
    });
  addTestCallCommand(users);
  return users;
}
