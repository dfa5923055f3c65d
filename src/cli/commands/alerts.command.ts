import { Command } from 'commander';
import { listAlertsQuery } from '../../alerts/alerts.schema.js';
import { cliActor, printRows, withContext } from '../cli-context.js';

const columns = ['openedAt', 'state', 'severity', 'kind', 'account', 'about', 'message'];

/** `callbridge alerts list|evaluate`: an account's alerts, and an evaluation on demand (issue 18). */
export function alertsCommand(): Command {
  const alerts = new Command('alerts').description('Alerts of an account (and those beneath it)');
  alerts
    .command('list', { isDefault: true })
    .description('List alerts, newest first')
    .requiredOption('--account <id>', 'the account')
    .option('--state <state>', 'open or resolved')
    .option('--kind <kind>', 'one alert kind, e.g. registrations_lost')
    .option('--limit <n>', 'page size (max 200)', '50')
    .option('--cursor <cursor>', 'start after this cursor (the "next page" a previous list printed)')
    .option('--json', 'print JSON')
    .action(
      async (
        options: {
          account: string;
          state?: string;
          kind?: string;
          limit: string;
          cursor?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const query = listAlertsQuery.parse({
          state: options.state,
          kind: options.kind,
          limit: options.limit,
          cursor: options.cursor,
        });
        await withContext(command, async (ctx) => {
          const page = await ctx.services.alerts.list(cliActor(), options.account, {
            limit: query.limit,
            ...(query.cursor && { cursor: query.cursor }),
            ...(query.state && { state: query.state }),
            ...(query.kind && { kind: query.kind }),
          });
          if (options.json) {
            process.stdout.write(JSON.stringify(page, null, 2) + '\n');
            return;
          }
          const rows = page.items.map((a) => ({
            ...a,
            account: a.accountName ?? 'platform',
            about: a.subjectLabel,
          }));
          printRows(rows, columns, false);
          if (page.nextCursor) process.stdout.write(`next page: --cursor ${page.nextCursor}\n`);
        });
      },
    );
  alerts
    .command('evaluate')
    .description(
      'Evaluate every alert condition now (the worker does it every minute) and queue the deliveries',
    )
    .action(async (_options: unknown, command: Command) => {
      await withContext(command, async (ctx) => {
        const queued = await ctx.alerts.evaluator.evaluate();
        process.stdout.write(`Alerts evaluated; ${queued} deliveries queued for the worker.\n`);
      });
    });
  return alerts;
}
