import { Command } from 'commander';
import type { AppContext } from '../../app/context.js';
import { notFound } from '../../domain/errors.js';
import type { SyncLogLine } from '../../domain/records.js';
import { cliActor, printRows, withContext } from '../cli-context.js';
import { barView, jsonLinesView, silentView, type ProgressView } from '../sync-progress.js';
import { syncRollbackCommand } from './rollback.command.js';

const runColumns = ['id', 'state', 'trigger', 'dryRun', 'createdAt', 'finishedAt', 'counters', 'error'];
const POLL_MS = 250;

const out = (line: string) => process.stdout.write(line + '\n');

/** The account of a service: given, or looked up (the operator's CLI may name the service alone). */
async function accountOfService(ctx: AppContext, serviceId: string, account?: string): Promise<string> {
  if (account) return account;
  const service = await ctx.store.repos.services.findByIdForSystem(serviceId);
  if (!service) throw notFound('service', serviceId);
  return service.accountId;
}

function printLog(log: SyncLogLine[]): void {
  for (const line of log) out(`${line.at.slice(11, 19)} ${line.level.padEnd(5)} ${line.message}`);
}

/** `callbridge sync [run] --service S`: starts a sync (or joins the running one) and runs it in this process. */
function runCommand(): Command {
  return new Command('run')
    .description('Sync a service with its Microsoft 365 tenant now (or show the plan with --dry-run)')
    .requiredOption('--service <id>', 'the service')
    .option('--account <id>', 'the account (default: the service’s)')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--diagnostic', 'record Microsoft requests and responses in the log (secrets removed)')
    .option('--json', 'print JSON lines: progress events, then the finished run')
    .action(
      async (
        options: {
          account?: string;
          service: string;
          dryRun?: boolean;
          diagnostic?: boolean;
          json?: boolean;
        },
        command: Command,
      ) => {
        await withContext(command, async (ctx) => {
          const accountId = await accountOfService(ctx, options.service, options.account);
          const { run, joined } = await ctx.services.sync.start(cliActor(), accountId, options.service, {
            dryRun: options.dryRun === true,
            diagnostic: options.diagnostic === true,
          });
          if (options.json) out(JSON.stringify({ event: 'started', runId: run.id, joined }));
          else
            process.stderr.write(
              joined ? `Joined sync ${run.id}, already queued.\n` : `Sync ${run.id} started.\n`,
            );
          const view: ProgressView = options.json
            ? jsonLinesView(out)
            : process.stdout.isTTY
              ? barView()
              : silentView;
          await runWithProgress(ctx, run.jobId, view);
          const done = await ctx.services.sync.getRun(cliActor(), accountId, run.id);
          if (options.json) {
            out(JSON.stringify({ event: 'finished', run: done }));
          } else {
            printLog(done.log);
            out(`Result: ${done.state}`);
          }
          if (done.state === 'failed') process.exitCode = 1;
        });
      },
    );
}

/** Drains the job queue in this process while showing the job's recorded progress. */
async function runWithProgress(ctx: AppContext, jobId: string | null, view: ProgressView): Promise<void> {
  let draining = true;
  const drained = ctx
    .createWorker()
    .drain()
    .finally(() => (draining = false));
  while (draining && jobId) {
    const job = await ctx.store.repos.jobs.findById(jobId);
    if (job) view.update(job.state === 'queued' ? { phase: 'queued' } : job.progress);
    await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
  }
  await drained;
  view.stop();
}

function historyCommand(): Command {
  return new Command('history')
    .description('Past syncs of a service, newest first')
    .requiredOption('--service <id>', 'the service')
    .option('--account <id>', 'the account (default: the service’s)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { service: string; account?: string; limit: string; json?: boolean },
        command: Command,
      ) => {
        await withContext(command, async (ctx) => {
          const accountId = await accountOfService(ctx, options.service, options.account);
          const runs = await ctx.services.sync.history(
            cliActor(),
            accountId,
            options.service,
            Number(options.limit),
          );
          printRows(
            runs.map((r) => ({ ...r })),
            runColumns,
            options.json === true,
          );
        });
      },
    );
}

function showCommand(): Command {
  return new Command('show')
    .description('One sync run: its counters, and with --plan its changes, with --log its log')
    .argument('<runId>', 'the run')
    .option('--account <id>', 'the account (default: the run’s)')
    .option('--plan', 'print the plan (every change, also for dry runs)')
    .option('--log', 'print the log')
    .option('--json', 'print JSON')
    .action(
      async (
        runId: string,
        options: { account?: string; plan?: boolean; log?: boolean; json?: boolean },
        command: Command,
      ) => {
        await withContext(command, async (ctx) => {
          const accountId =
            options.account ?? (await ctx.store.repos.syncRuns.findByIdForSystem(runId))?.accountId;
          if (!accountId) throw notFound('sync run', runId);
          const { plan, log, ...run } = await ctx.services.sync.getRun(cliActor(), accountId, runId);
          if (options.json) {
            out(
              JSON.stringify({ ...run, ...(options.plan && { plan }), ...(options.log && { log }) }, null, 2),
            );
            return;
          }
          printRows([{ ...run }], runColumns, false);
          if (options.plan) {
            out('\nPlan:');
            for (const change of Array.isArray(plan) ? plan : []) out(`  ${JSON.stringify(change)}`);
          }
          if (options.log) {
            out('\nLog:');
            printLog(log);
          }
        });
      },
    );
}

/**
 * `callbridge sync [run] --service S [--dry-run] [--diagnostic] [--json]`, `sync history`, `sync show`,
 * `sync rollback RUN [--dry-run]`.
 */
export function syncCommand(): Command {
  const sync = new Command('sync').description(
    'Sync a service with its Microsoft 365 tenant; history; one run',
  );
  sync.addCommand(runCommand(), { isDefault: true });
  sync.addCommand(historyCommand());
  sync.addCommand(showCommand());
  sync.addCommand(syncRollbackCommand());
  return sync;
}
