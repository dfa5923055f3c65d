import { Command } from 'commander';
import { AppError, notFound } from '../../domain/errors.js';
import type { RollbackResult } from '../../services/rollback.service.js';
import { cliActor, withContext } from '../cli-context.js';

const out = (line: string) => process.stdout.write(line + '\n');

/** The plan as an operator reads it: one line per user, then the totals and what happened. */
function printRollback(result: RollbackResult): void {
  for (const user of result.plan.users) {
    if (user.action === 'restore') {
      const portal = user.portal.map((p) => `${p.field} ${p.now ?? '(none)'} -> ${p.restored ?? '(none)'}`);
      const tenant = user.tenant
        ? `; tenant ${user.tenant.from ?? '(none)'} -> ${user.tenant.to ?? '(none)'}`
        : '';
      out(`restore  ${user.email}: ${portal.join(', ')}${tenant}`);
    } else if (user.action === 'conflict') {
      const changed = user.changed.map(
        (c) => `${c.field} was ${c.operation ?? '(none)'} after the operation, is ${c.now ?? '(none)'} now`,
      );
      out(`conflict ${user.email}: ${changed.join(', ')} (left alone)`);
    }
  }
  const c = result.plan.counters;
  out(
    `${result.dryRun ? 'Dry run, nothing changed' : 'Rolled back'}: restore ${c.restored}, conflicts ${c.conflicts}, unchanged ${c.unchanged}, tenant writes ${c.tenantWrites}${c.missing ? `, users gone ${c.missing}` : ''}`,
  );
  if (result.rollbackId) out(`Rollback ${result.rollbackId}.`);
  if (result.syncRunId)
    out(
      `Sync run ${result.syncRunId} queued to write the restored numbers to the tenant (callbridge sync show).`,
    );
}

/** `callbridge sync rollback RUN [--dry-run] [--json]`: undo an applied sync run. */
export function syncRollbackCommand(): Command {
  return new Command('rollback')
    .description('Roll back an applied sync run: the plan with --dry-run, else restore and sync the numbers')
    .argument('<runId>', 'the sync run')
    .option('--account <id>', 'the account (default: the run’s)')
    .option('--dry-run', 'show the plan, change nothing')
    .option('--json', 'print JSON')
    .action(
      async (
        runId: string,
        options: { account?: string; dryRun?: boolean; json?: boolean },
        command: Command,
      ) => {
        await withContext(command, async (ctx) => {
          const accountId =
            options.account ?? (await ctx.store.repos.syncRuns.findByIdForSystem(runId))?.accountId;
          if (!accountId) throw notFound('sync run', runId);
          const result = await ctx.services.rollback.rollbackSyncRun(cliActor(), accountId, runId, {
            dryRun: options.dryRun === true,
          });
          if (result.syncRunId) await ctx.createWorker().drain();
          if (options.json) out(JSON.stringify(result, null, 2));
          else printRollback(result);
        });
      },
    );
}

/** `callbridge import rollback ID [--dry-run] [--json]`: undo an applied CSV import. */
export function importRollbackCommand(): Command {
  return new Command('rollback')
    .description(
      'Roll back an applied CSV import: the plan with --dry-run, else restore and sync the numbers',
    )
    .argument('<importId>', 'the import (its id is printed when it is applied; `import history` lists them)')
    .option('--account <id>', 'the account (default: the import’s)')
    .option('--dry-run', 'show the plan, change nothing')
    .option('--json', 'print JSON')
    .action(async (importId: string, _local: unknown, command: Command) => {
      // `import FILE` declares the same options and commander hands them to it: read them merged.
      const options = command.optsWithGlobals<{ account?: string; dryRun?: boolean; json?: boolean }>();
      await withContext(command, async (ctx) => {
        const accountId = options.account ?? (await ctx.store.repos.audit.accountOfBatchForSystem(importId));
        if (!accountId) throw notFound('import', importId);
        const result = await ctx.services.rollback.rollbackImport(cliActor(), accountId, importId, {
          dryRun: options.dryRun === true,
        });
        if (result.syncRunId) await ctx.createWorker().drain();
        if (options.json) out(JSON.stringify(result, null, 2));
        else printRollback(result);
      });
    });
}

/** `callbridge import history --account A`: the applied imports, newest first. */
export function importHistoryCommand(): Command {
  return new Command('history')
    .description('The applied CSV imports of an account, newest first (each can be rolled back)')
    .option('--account <id>', 'the account (required)')
    .option('--json', 'print JSON')
    .action(async (_local: unknown, command: Command) => {
      // `import FILE` declares the same options and commander hands them to it: read them merged.
      const options = command.optsWithGlobals<{ account?: string; json?: boolean }>();
      await withContext(command, async (ctx) => {
        if (!options.account) throw new AppError('validation_failed', 'Give the account: --account <id>.');
        const imports = await ctx.services.rollback.listImports(cliActor(), options.account);
        if (options.json) out(JSON.stringify(imports, null, 2));
        else for (const i of imports) out(`${i.id}  ${i.at}  ${i.users} user(s)  by ${i.actorLabel}`);
      });
    });
}
