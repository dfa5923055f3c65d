import { Command } from 'commander';
import { cliActor, withContext } from '../cli-context.js';

/** `callbridge sync --account A --service S [--dry-run] [--json]`: runs a sync now, in this process. */
export function syncCommand(): Command {
  return new Command('sync')
    .description('Sync a service with its Microsoft 365 tenant now (or show the plan with --dry-run)')
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--service <id>', 'the service')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--diagnostic', 'record Microsoft requests and responses in the log (secrets removed)')
    .option('--json', 'print the run as JSON')
    .action(
      async (
        options: { account: string; service: string; dryRun?: boolean; diagnostic?: boolean; json?: boolean },
        command: Command,
      ) => {
        await withContext(command, async (ctx) => {
          const { run, joined } = await ctx.services.sync.start(
            cliActor(),
            options.account,
            options.service,
            { dryRun: options.dryRun === true, diagnostic: options.diagnostic === true },
          );
          if (!options.json)
            process.stderr.write(
              joined ? `Joined sync ${run.id}, already queued.\n` : `Sync ${run.id} started.\n`,
            );
          await ctx.createWorker().drain();
          const done = await ctx.services.sync.getRun(cliActor(), options.account, run.id);
          if (options.json) {
            process.stdout.write(JSON.stringify(done, null, 2) + '\n');
          } else {
            for (const line of done.log)
              process.stdout.write(`${line.at.slice(11, 19)} ${line.level.padEnd(5)} ${line.message}\n`);
            process.stdout.write(`Result: ${done.state}\n`);
          }
          if (done.state === 'failed') process.exitCode = 1;
        });
      },
    );
}
