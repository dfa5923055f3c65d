import { Command } from 'commander';
import { exportCallsQuery, listCallsQuery } from '../../calls/records/call-records.schema.js';
import type { CallFilters } from '../../calls/records/call-records.repository.js';
import { cliActor, printRows, withContext } from '../cli-context.js';

const columns = ['startedAt', 'direction', 'from', 'to', 'result', 'code', 'seconds', 'id'];

interface FilterOptions {
  account: string;
  user?: string;
  direction?: string;
  result?: string;
  from?: string;
  to?: string;
  number?: string;
}

function withFilters(command: Command): Command {
  return command
    .requiredOption('--account <id>', 'the account')
    .option('--user <id>', "only this user's calls")
    .option('--direction <direction>', 'pbx-to-teams or teams-to-pbx')
    .option('--result <result>', 'answered, busy, no-answer, declined, cancelled, failed or refused')
    .option('--from <time>', 'started at or after (ISO 8601)')
    .option('--to <time>', 'started before (ISO 8601)')
    .option('--number <digits>', 'from or to a number starting with this');
}

function rawFilters(options: FilterOptions) {
  return {
    userId: options.user,
    direction: options.direction,
    result: options.result,
    from: options.from,
    to: options.to,
    number: options.number,
  };
}

function defined<T extends object>(value: T): CallFilters {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** `callbridge calls list|show|export`: the call log of an account (issue 18). */
export function callsCommand(): Command {
  const calls = new Command('calls').description('Call records of an account');
  withFilters(calls.command('list', { isDefault: true }).description('List calls, newest first'))
    .option('--limit <n>', 'page size (max 500)', '50')
    .option('--cursor <cursor>', 'start after this cursor (the "next page" a previous list printed)')
    .option('--json', 'print JSON')
    .action(
      async (
        options: FilterOptions & { limit: string; cursor?: string; json?: boolean },
        command: Command,
      ) => {
        const query = listCallsQuery.parse({
          ...rawFilters(options),
          limit: options.limit,
          cursor: options.cursor,
        });
        const { limit, cursor, ...filters } = query;
        await withContext(command, async (ctx) => {
          const page = await ctx.services.calls.list(cliActor(), options.account, {
            ...defined(filters),
            limit,
            ...(cursor && { cursor }),
          });
          if (options.json) {
            process.stdout.write(JSON.stringify(page, null, 2) + '\n');
            return;
          }
          const rows = page.items.map((c) => ({
            ...c,
            result: c.failed ? `${c.result} (!)` : c.result,
            code: c.finalStatus ?? '',
            seconds: (c.durationMs / 1000).toFixed(0),
          }));
          printRows(rows, columns, false);
          if (page.nextCursor) process.stdout.write(`next page: --cursor ${page.nextCursor}\n`);
        });
      },
    );
  calls
    .command('show <id>')
    .description('Show one call with its failure advice (and its SIP ladder with --ladder)')
    .requiredOption('--account <id>', 'the account')
    .option('--ladder', 'print the SIP ladder (secrets removed)')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        options: { account: string; ladder?: boolean; json?: boolean },
        command: Command,
      ) => {
        await withContext(command, async (ctx) => {
          const call = await ctx.services.calls.get(cliActor(), options.account, id);
          if (options.json) process.stdout.write(JSON.stringify(call, null, 2) + '\n');
          else {
            const { advice, legs, ...rest } = call;
            for (const [key, value] of Object.entries(rest))
              process.stdout.write(
                `${key.padEnd(14)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}\n`,
              );
            for (const leg of legs)
              process.stdout.write(
                `leg ${leg.side.padEnd(10)} ${leg.finalStatus ?? ''} ${leg.reason ?? ''} ${leg.peer ?? ''}\n`,
              );
            if (advice) {
              process.stdout.write(`\n${advice.title}\n`);
              for (const [i, step] of advice.steps.entries()) process.stdout.write(`  ${i + 1}. ${step}\n`);
              process.stdout.write(`  Fix: ${advice.fix.path}\n`);
            }
          }
          if (options.ladder)
            process.stdout.write(
              '\n' + (await ctx.services.calls.ladderText(cliActor(), options.account, id)) + '\n',
            );
        });
      },
    );
  withFilters(
    calls.command('export').description('Export the matching calls as CSV to standard output'),
  ).action(async (options: FilterOptions, command: Command) => {
    const filters = defined(exportCallsQuery.parse(rawFilters(options)));
    await withContext(command, async (ctx) => {
      process.stdout.write(await ctx.services.calls.exportCsv(cliActor(), options.account, filters));
    });
  });
  return calls;
}
